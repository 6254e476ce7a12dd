"""The audio adapter on real files made by sox and ffmpeg: probe, checks, loudness, chime, TTS."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from smartcity.integrations import audio
from smartcity.integrations.audio import AudioLimits, AudioProblem
from tests.integrations.audio_support import (
    ffmpeg_tone,
    integrated_lufs,
    need_tools,
    random_bytes,
    sox_tone,
    stream_info,
    truncated,
)


@pytest.fixture(autouse=True)
def _tools() -> None:
    need_tools("ffmpeg", "ffprobe", "sox")


def test_probe_reads_codec_channels_rate_and_duration(tmp_path: Path) -> None:
    info = audio.probe(sox_tone(tmp_path / "tone.wav", 2.5, rate=22050))
    assert info.codec.startswith("pcm_") and info.channels == 2 and info.sample_rate == 22050
    assert info.duration_s == pytest.approx(2.5, abs=0.01)
    mp3 = audio.probe(ffmpeg_tone(tmp_path / "tone.mp3", 3.0))
    assert mp3.codec == "mp3" and mp3.duration_s == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize("volume", [0.02, 0.1, 0.9])
def test_render_normalises_loudness_to_the_target(tmp_path: Path, volume: float) -> None:
    src = sox_tone(tmp_path / "in.wav", 4.0, volume=volume)
    out = audio.render(src, tmp_path / "out.mp3")
    assert integrated_lufs(out.path) == pytest.approx(-16.0, abs=1.0)
    assert out.input_lufs < -16 if volume < 0.1 else True
    assert stream_info(out.path) == {"codec_name": "mp3", "sample_rate": "48000", "channels": "1"}
    assert out.duration_s == pytest.approx(4.0, abs=0.1)
    assert out.sha256 == hashlib.sha256(out.path.read_bytes()).hexdigest()
    assert out.size_bytes == out.path.stat().st_size


def test_other_targets_are_honoured(tmp_path: Path) -> None:
    src = ffmpeg_tone(tmp_path / "in.ogg", 4.0, codec="libopus")
    out = audio.render(src, tmp_path / "out.mp3", limits=AudioLimits(target_lufs=-23.0))
    assert integrated_lufs(out.path) == pytest.approx(-23.0, abs=1.0)


def test_chime_before_and_after_lengthens_the_audio(tmp_path: Path) -> None:
    src = sox_tone(tmp_path / "in.wav", 2.0)
    plain = audio.render(src, tmp_path / "plain.mp3")
    before = audio.render(src, tmp_path / "before.mp3", chime_before=True)
    both = audio.render(src, tmp_path / "both.mp3", chime_before=True, chime_after=True)
    chime = before.duration_s - plain.duration_s
    assert chime == pytest.approx(1.5, abs=0.1)
    assert both.duration_s == pytest.approx(plain.duration_s + 2 * chime, abs=0.1)
    assert len({plain.sha256, before.sha256, both.sha256}) == 3


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda d: random_bytes(d / "noise.mp3"), "unreadable"),
        (lambda d: truncated(ffmpeg_tone(d / "full.mp3", 6.0), d / "cut.mp3"), "truncated"),
        (lambda d: sox_tone(d / "short.wav", 0.1), "too-short"),
        (lambda d: sox_tone(d / "quiet.wav", 2.0, volume=0.0), "silent"),
    ],
)
def test_bad_audio_is_refused_with_a_reason(tmp_path: Path, make, code: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(AudioProblem) as caught:
        audio.render(path, tmp_path / "out.mp3")
    assert caught.value.code == code
    assert caught.value.message and caught.value.message_th != caught.value.message
    assert not (tmp_path / "out.mp3").exists()


def test_limits_on_size_and_length(tmp_path: Path) -> None:
    src = sox_tone(tmp_path / "in.wav", 3.0)
    with pytest.raises(AudioProblem) as big:
        audio.probe(src, AudioLimits(max_bytes=1000))
    assert big.value.code == "too-large"
    with pytest.raises(AudioProblem) as long:
        audio.probe(src, AudioLimits(max_seconds=2.0))
    assert long.value.code == "too-long"


def test_a_file_without_audio_is_refused(tmp_path: Path) -> None:
    import subprocess

    video = tmp_path / "video.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=d=1:s=64x64", str(video)],
        check=True,
        timeout=60,
    )
    with pytest.raises(AudioProblem) as caught:
        audio.probe(video)
    assert caught.value.code == "no-audio"


def test_a_tool_timeout_is_reported(tmp_path: Path) -> None:
    src = sox_tone(tmp_path / "in.wav", 30.0)
    with pytest.raises(AudioProblem) as caught:
        audio.render(src, tmp_path / "out.mp3", limits=AudioLimits(timeout_s=0.001))
    assert caught.value.code == "timeout"


def test_espeak_speaks_thai_and_is_labelled_low_quality(tmp_path: Path) -> None:
    need_tools("espeak-ng")
    registry = audio.default_registry()
    engine = registry.get("espeak-ng")
    assert engine is not None and engine.info.quality == "low"
    assert "low quality" in engine.info.label and "คุณภาพ" in engine.info.label_th
    wav = tmp_path / "speech.wav"
    engine.synthesize("ประกาศจากเทศบาลเมืองพิจิตร", "th", wav)
    out = audio.render(wav, tmp_path / "speech.mp3")
    assert out.duration_s > 1.0
    assert integrated_lufs(out.path) == pytest.approx(-16.0, abs=1.5)
    with pytest.raises(AudioProblem):
        engine.synthesize("bonjour", "fr", tmp_path / "fr.wav")


def test_registry_lists_only_installed_engines(tmp_path: Path) -> None:
    class Missing(audio.SpeechEngine):
        info = audio.EngineInfo("neural-th", "Neural Thai", "ไทยนิวรัล", "good", ("th",))

        def available(self) -> bool:
            return False

        def synthesize(self, text: str, language: str, dest: Path, timeout_s: float = 60) -> None:
            raise AssertionError("never called")

    registry = audio.SpeechRegistry([audio.EspeakEngine(), Missing()])
    assert [e.info.name for e in registry.all()] == ["espeak-ng", "neural-th"]
    installed = [e.info.name for e in registry.installed()]
    assert "neural-th" not in installed
    assert registry.get("neural-th") is None
    if shutil.which("espeak-ng"):
        assert installed == ["espeak-ng"] and registry.get() is not None
