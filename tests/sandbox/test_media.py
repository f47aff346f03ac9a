"""The sandbox's media: real speech from espeak-ng, drawn PNG images."""

from __future__ import annotations

import array
import io
import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import espeakng_loader
import pytest
from PIL import Image

from studio.multimodal.catalog import VOICES
from studio.sandbox import media
from studio.sandbox.media import render_image, synthesize_mp3

SENTENCE = "The quick brown fox jumps over the lazy dog."


def decode_mp3(mp3: bytes) -> tuple[array.array, int, int]:
    """(16-bit mono samples, sample rate, channels) of an MP3, decoded by FFmpeg."""
    with av.open(io.BytesIO(mp3), format="mp3") as container:
        stream = container.streams.audio[0]
        rate, channels = stream.rate, stream.codec_context.channels
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        samples = array.array("h")
        frames = itertools.chain(container.decode(stream), [None])
        for frame in frames:
            for chunk in resampler.resample(frame):
                samples.frombytes(bytes(chunk.planes[0])[: chunk.samples * 2])
    return samples, rate, channels


def fundamental_hz(samples: array.array, rate: int) -> float:
    """Median pitch of the loud frames, by autocorrelation (coarse but stable)."""
    # Summing groups of 4 samples low-passes and decimates at once: pure Python
    # stays fast and voices up to 400 Hz survive the lower rate.
    quarters = (samples[offset::4] for offset in range(4))
    decimated = [a + b + c + d for a, b, c, d in zip(*quarters)]
    rate //= 4
    frame, shortest_lag, longest_lag = 256, rate // 400, rate // 60
    loud = max(map(abs, decimated)) * 0.3
    estimates = []
    for start in range(0, len(decimated) - frame - longest_lag, frame):
        window = decimated[start : start + frame + longest_lag]
        if max(map(abs, window[:frame])) < loud:
            continue
        lags = range(shortest_lag, longest_lag)
        head = window[:frame]
        scores = [sum(x * y for x, y in zip(head, window[lag:])) for lag in lags]
        estimates.append(rate / lags[scores.index(max(scores))])
    return sorted(estimates)[len(estimates) // 2]


def relative_difference(a: float, b: float) -> float:
    return abs(a - b) / min(a, b)


# --- Speech -----------------------------------------------------------------------


def test_voice_settings_cover_exactly_the_catalog_voices() -> None:
    assert set(media.VOICE_SETTINGS) == set(VOICES)


def test_every_voice_names_a_variant_espeak_ships() -> None:
    # espeak accepts an unknown variant silently and speaks the plain voice instead.
    variants = Path(espeakng_loader.get_data_path()) / "voices" / "!v"
    for setting in media.VOICE_SETTINGS.values():
        variant = setting.name.split("+")[1]
        assert (variants / variant).is_file(), setting.name


def test_mp3_starts_with_an_mp3_frame_sync() -> None:
    mp3, _ = synthesize_mp3(SENTENCE, "Wise_Woman")
    assert mp3[0] == 0xFF and mp3[1] & 0xE0 == 0xE0


def test_mp3_decodes_to_22050_hz_mono_speech_of_the_reported_duration() -> None:
    mp3, duration_ms = synthesize_mp3(SENTENCE, "Wise_Woman")
    samples, rate, channels = decode_mp3(mp3)
    assert (rate, channels) == (22050, 1)
    # The encoder adds a few frames of delay and padding.
    assert duration_ms <= len(samples) * 1000 / rate < duration_ms + 150
    assert 1500 < duration_ms < 6000  # nine words, said at a human pace
    assert max(map(abs, samples)) > 3000  # not silence


def test_longer_text_gives_longer_audio() -> None:
    _, short_ms = synthesize_mp3("Hello.", "Calm_Woman")
    _, long_ms = synthesize_mp3("Hello. " + SENTENCE + " " + SENTENCE, "Calm_Woman")
    assert long_ms > short_ms + 2000


def test_text_of_5000_characters_is_spoken_in_full() -> None:
    text = (SENTENCE + " ") * (5000 // (len(SENTENCE) + 1))
    text = text.ljust(5000, "a")
    _, one_sentence_ms = synthesize_mp3(SENTENCE, "Casual_Guy")
    mp3, duration_ms = synthesize_mp3(text, "Casual_Guy")
    assert duration_ms > 100 * one_sentence_ms
    assert mp3[0] == 0xFF


def test_two_voices_give_different_audio() -> None:
    mp3_a, _ = synthesize_mp3(SENTENCE, "Deep_Voice_Man")
    mp3_b, _ = synthesize_mp3(SENTENCE, "Sweet_Girl_2")
    assert mp3_a != mp3_b
    assert decode_mp3(mp3_a)[0] != decode_mp3(mp3_b)[0]


def test_each_voice_sounds_different() -> None:
    """Every pair differs clearly in pace or in pitch, not only in timbre."""
    traits = {}
    for voice in VOICES:
        mp3, duration_ms = synthesize_mp3(SENTENCE, voice)
        samples, rate, _ = decode_mp3(mp3)
        traits[voice] = (duration_ms, fundamental_hz(samples, rate))
    for a, b in itertools.combinations(VOICES, 2):
        (pace_a, pitch_a), (pace_b, pitch_b) = traits[a], traits[b]
        assert (
            relative_difference(pace_a, pace_b) >= 0.05
            or relative_difference(pitch_a, pitch_b) >= 0.08
        ), f"{a} {traits[a]} sounds like {b} {traits[b]}"


def test_deep_voice_is_lower_than_a_girls_voice() -> None:
    def pitch(voice: str) -> float:
        samples, rate, _ = decode_mp3(synthesize_mp3(SENTENCE, voice)[0])
        return fundamental_hz(samples, rate)

    assert pitch("Deep_Voice_Man") * 2 < pitch("Sweet_Girl_2")


def test_unknown_voice_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown voice"):
        synthesize_mp3(SENTENCE, "Robot_Overlord")


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        synthesize_mp3(text, "Wise_Woman")


def test_text_over_5000_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="5000"):
        synthesize_mp3("a" * 5001, "Wise_Woman")


def test_text_after_a_nul_character_is_still_spoken() -> None:
    _, cut_ms = synthesize_mp3("Hello.", "Abbess")
    _, whole_ms = synthesize_mp3("Hello.\x00" + SENTENCE, "Abbess")
    assert whole_ms > cut_ms + 1500


def test_speech_from_many_threads_at_once_keeps_each_request_apart() -> None:
    requests = [
        (f"Request number {n}. " + SENTENCE * (n % 3 + 1), voice)
        for n, voice in enumerate(VOICES)
    ]
    one_at_a_time = [synthesize_mp3(text, voice)[1] for text, voice in requests]
    with ThreadPoolExecutor(max_workers=8) as pool:
        at_once = list(pool.map(lambda request: synthesize_mp3(*request)[1], requests))
    # espeak's output length jitters by a few tens of ms from call to call; a mix-up
    # between requests would be off by whole sentences.
    for alone, together in zip(one_at_a_time, at_once):
        assert abs(alone - together) < 100


# --- Images -----------------------------------------------------------------------

PROMPT = "A futuristic cityscape at sunset with neon lights"


@pytest.mark.parametrize("size", [(512, 512), (1024, 768), (512, 2048), (2048, 512)])
def test_image_is_a_png_of_exactly_the_requested_size(size: tuple[int, int]) -> None:
    data, image_format = render_image(PROMPT, *size)
    assert image_format == "png"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == size


def test_same_request_gives_identical_bytes() -> None:
    first = render_image(PROMPT, 640, 512, "anime")
    assert render_image(PROMPT, 640, 512, "anime") == first


def test_different_prompt_gives_different_bytes() -> None:
    assert render_image(PROMPT, 512, 512)[0] != render_image(PROMPT + "!", 512, 512)[0]


def test_style_changes_the_image() -> None:
    plain = render_image(PROMPT, 512, 512)[0]
    assert render_image(PROMPT, 512, 512, "anime")[0] != plain


def test_image_is_not_a_single_colour() -> None:
    with Image.open(io.BytesIO(render_image(PROMPT, 512, 512)[0])) as image:
        colours = image.getcolors(maxcolors=512 * 512)
    assert colours is not None and len(colours) > 100


def test_image_carries_the_sandbox_band_across_the_top() -> None:
    with Image.open(io.BytesIO(render_image(PROMPT, 1024, 1024)[0])) as image:
        band = image.convert("RGB").crop((0, 0, 1024, 90))
        counts = band.getcolors(maxcolors=1024 * 90)
    colours = {colour: count for count, colour in counts}
    assert max(colours, key=colours.__getitem__) == media.MARK_BAND_COLOUR
    assert colours[media.MARK_TEXT_COLOUR] > 500  # the words SANDBOX RENDER


@pytest.mark.parametrize(
    "prompt",
    ["x" * 2000, "word " * 400, "   ", "Ünïcödé prompt — 日本語 ✨"],
    ids=["one-long-word", "many-words", "blank", "unicode"],
)
def test_any_prompt_renders(prompt: str) -> None:
    data, _ = render_image(prompt, 512, 512, "s" * 100)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (512, 512)


@pytest.mark.parametrize("size", [(511, 1024), (1024, 2049), (0, 0)])
def test_size_outside_512_to_2048_is_refused(size: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        render_image(PROMPT, *size)
