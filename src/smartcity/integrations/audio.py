"""Audio tools: probe, check, loudness-normalise and transcode with ffmpeg; text-to-speech engines.

This adapter speaks to programs (ffprobe, ffmpeg, espeak-ng) and knows nothing of announcements.
The delivery format is fixed (see docs/adr/0006-broadcast-audio-format.md): MP3, 48 kHz, mono,
constant bit rate, loudness-normalised to EBU R128 (-16 LUFS integrated by default). Every
subprocess runs with a timeout and a plain argument list (never a shell). Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

DELIVERY_EXT: Final = "mp3"
DELIVERY_MIME: Final = "audio/mpeg"
SAMPLE_RATE: Final = 48_000
BITRATE: Final = "96k"
ACCEPTED_CODECS: Final = frozenset(
    {"mp3", "aac", "alac", "opus", "vorbis", "flac", "mp2"}
    | {"pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8", "pcm_s16be"}
)
ACCEPTED_FORMATS: Final = frozenset({"wav", "mp3", "ogg", "mov", "mp4", "m4a", "flac", "aiff"})
# A truncated file decodes to less than its header promises; allow for encoder padding.
TRUNCATION_TOLERANCE: Final = 0.9

ProblemCode = Literal[
    "tool-missing",
    "unreadable",
    "no-audio",
    "unsupported",
    "damaged",
    "truncated",
    "too-large",
    "too-long",
    "too-short",
    "silent",
    "timeout",
    "tts-failed",
]


class AudioProblem(Exception):
    """Audio could not be used; ``code`` is stable, the messages are for people (EN and TH)."""

    def __init__(self, code: ProblemCode, message: str, message_th: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_th = message_th


@dataclass(frozen=True)
class AudioLimits:
    """Limits applied to incoming audio and to the tools that handle it."""

    max_bytes: int = 25_000_000
    max_seconds: float = 600.0
    min_seconds: float = 0.3
    timeout_s: float = 120.0
    target_lufs: float = -16.0
    true_peak_db: float = -1.5
    loudness_range: float = 11.0


@dataclass(frozen=True)
class AudioInfo:
    """What ffprobe says about a file's first audio stream."""

    format_name: str
    codec: str
    channels: int
    sample_rate: int
    duration_s: float


@dataclass(frozen=True)
class RenderedAudio:
    """A file in the delivery format, ready to publish."""

    path: Path
    sha256: str
    size_bytes: int
    duration_s: float
    input_lufs: float
    info: AudioInfo


@dataclass(frozen=True)
class _Decoded:
    seconds: float
    loudness: dict[str, str] = field(default_factory=dict)


def tools_available() -> bool:
    """True when ffmpeg and ffprobe are on the PATH."""
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def _run(args: list[str], timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run a tool; a missing binary or a timeout becomes an AudioProblem."""
    try:
        return subprocess.run(  # noqa: S603 (fixed argument list, no shell)
            args, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except FileNotFoundError as exc:
        raise AudioProblem(
            "tool-missing",
            f"{args[0]} is not installed on the server.",
            f"เซิร์ฟเวอร์ไม่มีโปรแกรม {args[0]}",
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise AudioProblem(
            "timeout",
            f"Processing the audio took longer than {timeout_s:.0f} s.",
            f"การประมวลผลเสียงใช้เวลาเกิน {timeout_s:.0f} วินาที",
        ) from exc


def probe(path: Path, limits: AudioLimits | None = None) -> AudioInfo:
    """Read the container and first audio stream; refuse what is not usable audio."""
    limits = limits or AudioLimits()
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise AudioProblem(
            "too-large",
            f"The file is {size} bytes; the limit is {limits.max_bytes} bytes.",
            f"ไฟล์มีขนาด {size} ไบต์ เกินขีดจำกัด {limits.max_bytes} ไบต์",
        )
    args = ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams", str(path)]
    done = _run(args, limits.timeout_s)
    if done.returncode != 0:
        raise AudioProblem(
            "unreadable",
            "The file is not audio that can be read (corrupt or unknown format).",
            "ไม่สามารถอ่านไฟล์เสียงได้ (ไฟล์เสียหายหรือไม่รู้จักรูปแบบ)",
        )
    info = _info_from(json.loads(done.stdout or "{}"))
    _check_info(info, limits)
    return info


def _info_from(data: dict[str, object]) -> AudioInfo:
    streams = data.get("streams") if isinstance(data.get("streams"), list) else []
    fmt = data.get("format") if isinstance(data.get("format"), dict) else {}
    assert isinstance(streams, list) and isinstance(fmt, dict)
    audio = next(
        (s for s in streams if isinstance(s, dict) and s.get("codec_type") == "audio"), None
    )
    if audio is None:
        raise AudioProblem("no-audio", "The file has no audio track.", "ไฟล์นี้ไม่มีแทร็กเสียง")
    duration = _number(audio.get("duration")) or _number(fmt.get("duration"))
    return AudioInfo(
        format_name=str(fmt.get("format_name", "")),
        codec=str(audio.get("codec_name", "")),
        channels=int(_number(audio.get("channels")) or 0),
        sample_rate=int(_number(audio.get("sample_rate")) or 0),
        duration_s=duration,
    )


def _number(value: object) -> float:
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return 0.0


def _check_info(info: AudioInfo, limits: AudioLimits) -> None:
    formats = set(info.format_name.split(","))
    if info.codec not in ACCEPTED_CODECS or not formats & ACCEPTED_FORMATS:
        raise AudioProblem(
            "unsupported",
            f"Audio as {info.format_name}/{info.codec} is not accepted; "
            "send WAV, MP3, Ogg (Vorbis/Opus), M4A (AAC) or FLAC.",
            f"ไม่รองรับเสียงแบบ {info.format_name}/{info.codec} โปรดส่ง WAV, MP3, Ogg, M4A หรือ FLAC",
        )
    _check_duration(info.duration_s, limits)


def _check_duration(seconds: float, limits: AudioLimits) -> None:
    if seconds > limits.max_seconds:
        raise AudioProblem(
            "too-long",
            f"The audio lasts {seconds:.1f} s; the limit is {limits.max_seconds:.0f} s.",
            f"เสียงยาว {seconds:.1f} วินาที เกินขีดจำกัด {limits.max_seconds:.0f} วินาที",
        )
    if seconds < limits.min_seconds:
        raise AudioProblem(
            "too-short",
            f"The audio lasts {seconds:.2f} s; at least {limits.min_seconds} s is needed.",
            f"เสียงสั้นเกินไป ({seconds:.2f} วินาที) ต้องยาวอย่างน้อย {limits.min_seconds} วินาที",
        )


# --- decoding, loudness and rendering -------------------------------------------------------

_PRE: Final = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=mono"
_ERROR_LINE = re.compile(r"^\[[^\]]*\]\s*\[(error|fatal)\]|^\[(error|fatal)\]", re.MULTILINE)
_TIME = re.compile(r"^out_time_us=(\d+)$", re.MULTILINE)
_JSON_BLOCK = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.DOTALL)


def _loudnorm(limits: AudioLimits, measured: dict[str, str] | None = None) -> str:
    base = f"loudnorm=I={limits.target_lufs}:TP={limits.true_peak_db}:LRA={limits.loudness_range}"
    if measured is None:
        return base + ":print_format=json"
    return (
        f"{base}:measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
        f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
        f":offset={measured['target_offset']}:linear=true:print_format=summary"
    )


def _decode(path: Path, limits: AudioLimits) -> _Decoded:
    """Decode every sample (finds damage), measuring loudness and the real duration."""
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "level+info", "-nostats"]
    args += ["-i", str(path), "-map", "0:a:0", "-af", f"{_PRE},{_loudnorm(limits)}"]
    args += ["-f", "null", "-progress", "pipe:1", "-"]
    done = _run(args, limits.timeout_s)
    errors = _ERROR_LINE.findall(done.stderr)
    if done.returncode != 0 or errors:
        raise AudioProblem(
            "damaged",
            "The audio is damaged: it could not be decoded from start to end.",
            "ไฟล์เสียงเสียหาย ไม่สามารถถอดรหัสได้ตลอดทั้งไฟล์",
        )
    times = _TIME.findall(done.stdout)
    blocks = _JSON_BLOCK.findall(done.stderr)
    loudness: dict[str, str] = json.loads(blocks[-1]) if blocks else {}
    return _Decoded(seconds=int(times[-1]) / 1e6 if times else 0.0, loudness=loudness)


def check_and_measure(path: Path, limits: AudioLimits | None = None) -> tuple[AudioInfo, float]:
    """Probe and fully decode a file: its info and integrated loudness (LUFS)."""
    limits = limits or AudioLimits()
    info = probe(path, limits)
    decoded = _decode(path, limits)
    _check_truncation(info, decoded)
    _check_duration(decoded.seconds, limits)
    return info, _input_lufs(decoded)


def _check_truncation(info: AudioInfo, decoded: _Decoded) -> None:
    if info.duration_s > 1.0 and decoded.seconds < info.duration_s * TRUNCATION_TOLERANCE:
        raise AudioProblem(
            "truncated",
            f"The file is cut short: its header promises {info.duration_s:.1f} s "
            f"but only {decoded.seconds:.1f} s could be decoded.",
            f"ไฟล์ไม่ครบ: ส่วนหัวระบุความยาว {info.duration_s:.1f} วินาที "
            f"แต่ถอดรหัสได้เพียง {decoded.seconds:.1f} วินาที",
        )


def _input_lufs(decoded: _Decoded) -> float:
    value = _number(decoded.loudness.get("input_i"))
    if not decoded.loudness or value <= -70.0:
        raise AudioProblem(
            "silent",
            "The audio is silent (or too quiet to measure); nothing would be heard.",
            "ไฟล์เสียงเงียบหรือเบาเกินไป จะไม่ได้ยินเสียงใด ๆ",
        )
    return value


def chime_filter(label: str, count: int) -> str:
    """A filter graph making ``count`` copies of a two-tone chime (a 'ding-dong' with a pause).

    Generated from sine sources so no audio file ships or is downloaded.
    """
    tone = (
        "sine=frequency={f}:sample_rate="
        + str(SAMPLE_RATE)
        + ":duration={d},afade=t=out:st=0.05:d={fd}"
    )
    ding = tone.format(f=880, d=0.45, fd=0.4)
    dong = tone.format(f=659.25, d=0.7, fd=0.65)
    gap = f"anullsrc=r={SAMPLE_RATE}:cl=mono,atrim=duration=0.35"
    outs = "".join(f"[{label}{i}]" for i in range(count))
    return (
        f"{ding}[{label}d];{dong}[{label}g];{gap}[{label}s];"
        f"[{label}d][{label}g][{label}s]concat=n=3:v=0:a=1,"
        f"aformat=sample_fmts=fltp:channel_layouts=mono,volume=0.2,asplit={count}{outs}"
    )


def render(
    src: Path,
    dest: Path,
    *,
    chime_before: bool = False,
    chime_after: bool = False,
    limits: AudioLimits | None = None,
) -> RenderedAudio:
    """Check ``src``, normalise its loudness (two-pass EBU R128) and write the delivery format."""
    limits = limits or AudioLimits()
    info = probe(src, limits)
    decoded = _decode(src, limits)
    _check_truncation(info, decoded)
    _check_duration(decoded.seconds, limits)
    lufs = _input_lufs(decoded)
    graph = f"[0:a:0]{_PRE},{_loudnorm(limits, decoded.loudness)},aresample={SAMPLE_RATE}[v]"
    parts = ["[v]"]
    chimes = int(chime_before) + int(chime_after)
    if chimes:
        graph += ";" + chime_filter("c", chimes)
        parts = (["[c0]"] if chime_before else []) + ["[v]"]
        parts += [f"[c{chimes - 1}]"] if chime_after else []
    graph += f";{''.join(parts)}concat=n={len(parts)}:v=0:a=1[out]"
    _encode(src, dest, graph, limits)
    out = probe(dest, AudioLimits(max_bytes=limits.max_bytes * 4, max_seconds=1e9, min_seconds=0))
    return RenderedAudio(
        path=dest,
        sha256=sha256_file(dest),
        size_bytes=dest.stat().st_size,
        duration_s=out.duration_s,
        input_lufs=lufs,
        info=info,
    )


def _encode(src: Path, dest: Path, graph: str, limits: AudioLimits) -> None:
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(src)]
    args += ["-filter_complex", graph, "-map", "[out]", "-map_metadata", "-1", "-vn"]
    args += ["-c:a", "libmp3lame", "-b:a", BITRATE, "-ar", str(SAMPLE_RATE), "-ac", "1"]
    args += ["-f", "mp3", str(dest)]
    done = _run(args, limits.timeout_s)
    if done.returncode != 0:
        dest.unlink(missing_ok=True)
        raise AudioProblem(
            "damaged",
            f"The audio could not be converted: {done.stderr.strip()[-200:]}",
            "ไม่สามารถแปลงไฟล์เสียงได้",
        )


def sha256_file(path: Path) -> str:
    """SHA-256 of a file in hex, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- text to speech ---------------------------------------------------------------------------

Quality = Literal["low", "good"]


@dataclass(frozen=True)
class EngineInfo:
    """What a speech engine is, for people choosing one."""

    name: str
    label: str
    label_th: str
    quality: Quality
    languages: tuple[str, ...]


class SpeechEngine(ABC):
    """A text-to-speech engine that writes a WAV file; runs offline from installed files only."""

    info: EngineInfo

    @abstractmethod
    def available(self) -> bool:
        """True when the engine's program and model files are installed."""

    @abstractmethod
    def synthesize(self, text: str, language: str, dest: Path, timeout_s: float = 60.0) -> None:
        """Speak ``text`` in ``language`` into a WAV file at ``dest``."""


class EspeakEngine(SpeechEngine):
    """espeak-ng: always offline, but its Thai is barely intelligible (no tones): last resort."""

    info = EngineInfo(
        name="espeak-ng",
        label="espeak-ng (low quality for Thai; last resort)",
        label_th="espeak-ng (คุณภาพเสียงภาษาไทยต่ำ ใช้เมื่อไม่มีทางเลือกอื่น)",
        quality="low",
        languages=("th", "en"),
    )
    VOICES: Final = {"th": "th", "en": "en-gb"}
    MAX_CHARS: Final = 5000

    def available(self) -> bool:
        """True when espeak-ng is on the PATH."""
        return shutil.which("espeak-ng") is not None

    def synthesize(self, text: str, language: str, dest: Path, timeout_s: float = 60.0) -> None:
        """Run espeak-ng with the text on standard input (never as an argument)."""
        voice = self.VOICES.get(language)
        if voice is None or not text.strip() or len(text) > self.MAX_CHARS:
            raise AudioProblem(
                "tts-failed",
                f"espeak-ng cannot speak this text in {language!r} "
                f"(languages: {', '.join(self.VOICES)}; 1-{self.MAX_CHARS} characters).",
                f"espeak-ng อ่านข้อความนี้ในภาษา {language!r} ไม่ได้",
            )
        args = ["espeak-ng", "-v", voice, "-s", "150", "-w", str(dest), "--stdin"]
        try:
            done = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
                args, input=text, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except (FileNotFoundError, subprocess.TimeoutExpired) as exc:
            raise AudioProblem(
                "tts-failed", f"espeak-ng failed: {exc}", "espeak-ng ทำงานไม่สำเร็จ"
            ) from exc
        if done.returncode != 0 or not dest.exists() or dest.stat().st_size == 0:
            raise AudioProblem(
                "tts-failed",
                f"espeak-ng failed: {done.stderr.strip()[-200:]}",
                "espeak-ng ทำงานไม่สำเร็จ",
            )


class SpeechRegistry:
    """The speech engines known to this installation, by name."""

    def __init__(self, engines: list[SpeechEngine] | None = None) -> None:
        self._engines: dict[str, SpeechEngine] = {}
        for engine in engines or []:
            self.register(engine)

    def register(self, engine: SpeechEngine) -> None:
        """Add (or replace) an engine under its name."""
        self._engines[engine.info.name] = engine

    def all(self) -> list[SpeechEngine]:
        """Every registered engine, installed or not."""
        return list(self._engines.values())

    def installed(self) -> list[SpeechEngine]:
        """Engines whose programs and model files are present, best quality first."""
        found = [e for e in self._engines.values() if e.available()]
        return sorted(found, key=lambda e: (e.info.quality != "good", e.info.name))

    def get(self, name: str = "") -> SpeechEngine | None:
        """The named engine if installed; with no name, the best installed one."""
        if not name:
            best = self.installed()
            return best[0] if best else None
        engine = self._engines.get(name)
        return engine if engine is not None and engine.available() else None


def default_registry() -> SpeechRegistry:
    """The engines shipped with the platform (operators may register more)."""
    return SpeechRegistry([EspeakEngine()])
