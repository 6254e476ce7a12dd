"""Audio files made by the tests with sox and ffmpeg (nothing is downloaded or checked in)."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = ("ffmpeg", "ffprobe", "sox")


def need_tools(*names: str) -> None:
    """Skip when a tool is missing on a developer machine; fail in CI, which installs them."""
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        message = f"missing {', '.join(missing)} (scripts/system-deps installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def sox_tone(path: Path, seconds: float = 3.0, *, volume: float = 0.1, rate: int = 44100) -> Path:
    """A stereo sine tone written by sox (format from the file extension)."""
    subprocess.run(
        [
            *("sox", "-n", "-r", str(rate), "-c", "2", str(path)),
            *("synth", str(seconds), "sine", "440", "vol", str(volume)),
        ],
        check=True,
        timeout=60,
    )
    return path


def ffmpeg_tone(path: Path, seconds: float = 4.0, codec: str = "libmp3lame") -> Path:
    """A sine tone encoded by ffmpeg (mp3 by default)."""
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=f=300:d={seconds}"),
            *("-ac", "2", "-c:a", codec, str(path)),
        ],
        check=True,
        timeout=60,
    )
    return path


def random_bytes(path: Path, size: int = 5000, seed: int = 5) -> Path:
    """Random bytes with an audio-looking name; seeded, because about one random file in 200
    happens to look like a container without audio, which is refused for another reason."""
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def truncated(src: Path, dest: Path, keep: float = 0.3) -> Path:
    """The first part of a file, as an interrupted upload leaves it."""
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * keep)])
    return dest


def integrated_lufs(path: Path) -> float:
    """Integrated loudness measured independently with ffmpeg's ebur128 filter."""
    done = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    summary = done.stderr.rsplit("Summary:", 1)[-1]
    match = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    assert match, done.stderr[-500:]
    return float(match.group(1))


def stream_info(path: Path) -> dict[str, str]:
    """codec_name, sample_rate and channels of the first audio stream, read by ffprobe."""
    done = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries"),
            *("stream=codec_name,sample_rate,channels", "-of", "default=nw=1", str(path)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(line.split("=", 1) for line in done.stdout.split())
