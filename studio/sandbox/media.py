"""Real media for the sandbox API: speech from espeak-ng and drawn PNG images.

Everything runs in-process from wheels (espeakng-loader, lameenc, Pillow): a PaaS
has no system packages and the sandbox has no network.
"""

from __future__ import annotations

import colorsys
import ctypes
import functools
import hashlib
import io
import json
import random
import threading
from dataclasses import dataclass

import espeakng_loader
import lameenc
from PIL import Image, ImageDraw, ImageFont, ImageOps

from studio.multimodal.catalog import IMAGE, TTS, VOICES, get

_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


# --- Speech -----------------------------------------------------------------------


@dataclass(frozen=True)
class EspeakVoice:
    """How one API voice id sounds: an espeak voice+variant and its prosody."""

    name: str  # espeak "language+variant", e.g. "en-us+f3"
    pitch: int  # 0-100, 50 is the variant's own base pitch
    pitch_range: int  # 0-100, 0 is monotone
    rate: int  # words per minute, 80-450


# fmt: off
VOICE_SETTINGS: dict[str, EspeakVoice] = {
    # API voice id:        espeak voice+variant, pitch, pitch range, rate
    "Wise_Woman":           EspeakVoice("en-gb-x-rp+f4",     40,  45, 150),
    "Friendly_Person":      EspeakVoice("en-us+f2",          55,  70, 175),
    "Inspirational_girl":   EspeakVoice("en-us+Andrea",      60,  85, 165),
    "Deep_Voice_Man":       EspeakVoice("en+m8",             15,  35, 150),
    "Calm_Woman":           EspeakVoice("en+f1",             55,  25, 135),
    "Casual_Guy":           EspeakVoice("en-us+m1",          55,  60, 200),
    "Lively_Girl":          EspeakVoice("en-us+f5",          60,  95, 215),
    "Patient_Man":          EspeakVoice("en+m2",             40,  40, 135),
    "Young_Knight":         EspeakVoice("en-gb-x-rp+m6",     65,  60, 175),
    "Determined_Man":       EspeakVoice("en-us+m7",          35,  75, 170),
    "Lovely_Girl":          EspeakVoice("en+f3",             70,  75, 170),
    "Decent_Boy":           EspeakVoice("en-us+Andy",        85,  55, 180),
    "Imposing_Manner":      EspeakVoice("en-gb-x-rp+Storm",  10,  70, 128),
    "Elegant_Man":          EspeakVoice("en-gb-x-rp+m4",     40,  50, 160),
    "Abbess":               EspeakVoice("en+aunty",          35,  30, 130),
    "Sweet_Girl_2":         EspeakVoice("en-us+Annie",       80,  70, 170),
    "Exuberant_Girl":       EspeakVoice("en-us+belinda",     75, 100, 215),
}
# fmt: on

if set(VOICE_SETTINGS) != set(VOICES):
    raise ImportError(
        "VOICE_SETTINGS must cover exactly the catalog's VOICES; differs by "
        f"{sorted(set(VOICE_SETTINGS) ^ set(VOICES))}"
    )

MP3_BIT_RATE_KBPS = 64
MP3_QUALITY = 2  # lame's 0 (best, slowest) .. 9 (worst, fastest)
TEXT_MAX_LENGTH = get(TTS).param("text").max_length

# speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # without it a missing data file calls exit()
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_PARAM_RATE, _PARAM_PITCH, _PARAM_RANGE = 1, 3, 4
_EE_OK = 0

# int callback(short *wav, int numsamples, espeak_EVENT *events)
_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Espeak:
    """The process's one espeak-ng engine. Callers must hold _ESPEAK_LOCK."""

    def __init__(self) -> None:
        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self._declare_signatures()
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate: int = self._lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, _INITIALIZE_DONT_EXIT
        )
        if self.sample_rate <= 0:
            raise RuntimeError(f"espeak-ng failed to initialise from {data_path!r}")
        self._chunks: list[bytes] = []
        # ctypes frees a callback thunk that Python no longer references, and
        # espeak would then jump into freed memory: keep it on the engine.
        self._callback = _SynthCallback(self._collect)
        self._lib.espeak_SetSynthCallback(self._callback)

    def _declare_signatures(self) -> None:
        lib, c = self._lib, ctypes
        lib.espeak_Initialize.argtypes = [c.c_int, c.c_int, c.c_char_p, c.c_int]
        lib.espeak_Initialize.restype = c.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [c.c_char_p]
        lib.espeak_SetParameter.argtypes = [c.c_int, c.c_int, c.c_int]
        lib.espeak_Synth.argtypes = [
            c.c_char_p, c.c_size_t, c.c_uint, c.c_int, c.c_uint, c.c_uint,
            c.c_void_p, c.c_void_p,
        ]
        lib.espeak_Synchronize.argtypes = []

    def _collect(
        self, wav: ctypes._Pointer[ctypes.c_short], num_samples: int, events: int | None
    ) -> int:
        if wav and num_samples > 0:
            self._chunks.append(ctypes.string_at(wav, num_samples * 2))
        return 0  # non-zero would abort the synthesis

    def speak(self, text: str, voice: EspeakVoice) -> bytes:
        """16-bit mono PCM at self.sample_rate."""
        self._use_voice(voice)
        encoded = text.encode()
        self._chunks.clear()
        try:
            self._check(
                self._lib.espeak_Synth(
                    encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8,
                    None, None,
                ),
                "espeak_Synth",
            )
            self._check(self._lib.espeak_Synchronize(), "espeak_Synchronize")
            return b"".join(self._chunks)
        finally:
            self._chunks.clear()

    def _use_voice(self, voice: EspeakVoice) -> None:
        self._check(self._lib.espeak_SetVoiceByName(voice.name.encode()), voice.name)
        # Parameters outlive a voice change, so every call sets all of them.
        for parameter, value in (
            (_PARAM_RATE, voice.rate),
            (_PARAM_PITCH, voice.pitch),
            (_PARAM_RANGE, voice.pitch_range),
        ):
            self._check(self._lib.espeak_SetParameter(parameter, value, 0), voice.name)

    @staticmethod
    def _check(status: int, what: str) -> None:
        if status != _EE_OK:
            raise RuntimeError(f"espeak-ng error {status} from {what}")


# espeak-ng keeps one global synthesiser per process and is not thread-safe.
_ESPEAK_LOCK = threading.Lock()
_engine: _Espeak | None = None


def _speak_pcm(text: str, voice: EspeakVoice) -> tuple[bytes, int]:
    """(PCM, sample rate) for `text`, initialising espeak on first use."""
    global _engine
    with _ESPEAK_LOCK:
        if _engine is None:
            _engine = _Espeak()
        return _engine.speak(text, voice), _engine.sample_rate


def _encode_mp3(pcm: bytes, sample_rate: int) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_BIT_RATE_KBPS)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(MP3_QUALITY)
    return bytes(encoder.encode(pcm) + encoder.flush())


def _speakable(text: str) -> str:
    if not text.strip():
        raise ValueError("text must not be empty")
    if len(text) > TEXT_MAX_LENGTH:
        raise ValueError(f"text must be at most {TEXT_MAX_LENGTH} characters")
    # espeak reads a C string: a NUL would silently cut the text short.
    return text.replace("\x00", " ")


def synthesize_mp3(text: str, voice: str) -> tuple[bytes, int]:
    """MP3 bytes of `text` actually spoken, and its duration in milliseconds."""
    if voice not in VOICE_SETTINGS:
        raise ValueError(f"unknown voice {voice!r}; known: {', '.join(VOICES)}")
    pcm, sample_rate = _speak_pcm(_speakable(text), VOICE_SETTINGS[voice])
    if not pcm:
        raise ValueError("text has nothing to speak")
    duration_ms = round(len(pcm) // 2 * 1000 / sample_rate)
    return _encode_mp3(pcm, sample_rate), duration_ms


# --- Images -----------------------------------------------------------------------

_WIDTH = get(IMAGE).param("width")
_HEIGHT = get(IMAGE).param("height")
SANDBOX_MARK = "SANDBOX RENDER"
PNG_COMPRESS_LEVEL = 1  # fast; a sandbox image never leaves the machine
MARK_BAND_COLOUR = (20, 20, 20)
MARK_TEXT_COLOUR = (250, 200, 0)


def render_image(
    prompt: str, width: int, height: int, style: str | None = None
) -> tuple[bytes, str]:
    """Image bytes of exactly width x height, and its format ("png")."""
    _check_size(width, height)
    rng = random.Random(_seed(prompt, width, height, style))
    image = _gradient(width, height, rng)
    image = _with_shapes(image, rng, count=_shape_count(prompt))
    image = _with_caption(image, prompt)
    _draw_sandbox_band(image, style)
    return _png_bytes(image), "png"


def _check_size(width: int, height: int) -> None:
    for param, value in ((_WIDTH, width), (_HEIGHT, height)):
        if problem := param.violation(value):
            raise ValueError(f"{param.name}: {problem}")


def _seed(prompt: str, width: int, height: int, style: str | None) -> int:
    # JSON keeps the fields apart: ("ab", None) and ("a", "b") must not collide.
    key = json.dumps([prompt, width, height, style]).encode()
    return int.from_bytes(hashlib.sha256(key).digest(), "big")


def _random_colour(rng: random.Random, lightness: float) -> tuple[int, int, int]:
    hue, saturation = rng.random(), rng.uniform(0.35, 0.85)
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return round(red * 255), round(green * 255), round(blue * 255)


def _gradient(width: int, height: int, rng: random.Random) -> Image.Image:
    mask = rng.choice([Image.linear_gradient, Image.radial_gradient])("L")
    mask = mask.rotate(rng.choice([0, 90, 180, 270]))
    mask = mask.resize((width, height), Image.Resampling.BILINEAR)
    dark, light = _random_colour(rng, 0.25), _random_colour(rng, 0.7)
    return ImageOps.colorize(mask, black=dark, white=light)


def _shape_count(prompt: str) -> int:
    return min(max(len(prompt.split()), 3), 12)


def _with_shapes(image: Image.Image, rng: random.Random, count: int) -> Image.Image:
    overlay = Image.new("RGBA", image.size)
    draw = ImageDraw.Draw(overlay)
    width, height = image.size
    for _ in range(count):
        x, y = rng.randrange(width), rng.randrange(height)
        size = rng.randint(min(width, height) // 10, min(width, height) // 3)
        box = (x - size, y - size, x + size, y + size)
        fill = (*_random_colour(rng, rng.uniform(0.3, 0.8)), rng.randint(70, 170))
        draw_random_shape(draw, rng, box, (x, y, size), size // 4, fill)
    return Image.alpha_composite(image.convert("RGBA"), overlay)


def draw_random_shape(draw: ImageDraw.ImageDraw, rng: random.Random, box: tuple,
                      circle: tuple, corner: int, fill: tuple) -> None:
    """An ellipse, a rounded rectangle or a triangle, chosen by `rng`, in `box` (the
    triangle in `circle`: centre x, centre y, radius)."""
    shape = rng.choice(["ellipse", "rectangle", "triangle"])
    if shape == "ellipse":
        draw.ellipse(box, fill=fill)
    elif shape == "rectangle":
        draw.rounded_rectangle(box, radius=corner, fill=fill)
    else:
        draw.regular_polygon(circle, 3, rotation=rng.randrange(120), fill=fill)


@functools.lru_cache(maxsize=32)
def _font(size: int) -> _Font:
    return ImageFont.load_default(size=size)


def _fitting_prefix_length(text: str, font: _Font, max_width: float) -> int:
    """Length of the longest prefix of `text` that fits (at least 1 character)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle]) <= max_width:
            low = middle
        else:
            high = middle - 1
    return low


def _ellipsized(text: str, font: _Font, max_width: float) -> str:
    if font.getlength(text) <= max_width:
        return text
    room = max_width - font.getlength(" …")
    return text[: _fitting_prefix_length(text, font, room)].rstrip() + " …"


def _wrap(text: str, font: _Font, max_width: int, max_lines: int) -> list[str]:
    """Greedy word wrap by measured width; words too long for a line are split."""
    lines: list[str] = []
    line = ""
    words = text.split()[::-1]
    while words and len(lines) <= max_lines:
        word = words.pop()
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= max_width:
            line = candidate
        elif line:
            lines.append(line)
            line = ""
            words.append(word)
        else:
            cut = _fitting_prefix_length(word, font, max_width)
            lines.append(word[:cut])
            words.append(word[cut:])
    if line:
        lines.append(line)
    if len(lines) > max_lines or words:
        last = max_lines - 1
        lines[last] = _ellipsized(lines[last] + " …", font, max_width)
    return lines[:max_lines]


def _with_caption(image: Image.Image, prompt: str) -> Image.Image:
    """The prompt, wrapped on a translucent panel in the lower part of the image."""
    width, height = image.size
    size = max(16, min(width, height) // 28)
    font, margin, line_height = _font(size), size, round(size * 1.3)
    max_lines = max(1, int(height * 0.4) // line_height)
    lines = _wrap(prompt, font, width - 4 * margin, max_lines)
    panel_top = height - 2 * margin - len(lines) * line_height - margin
    panel = Image.new("RGBA", image.size)
    draw = ImageDraw.Draw(panel)
    draw.rounded_rectangle(
        (margin, panel_top, width - margin, height - margin),
        radius=margin // 2,
        fill=(0, 0, 0, 150),
    )
    for index, line in enumerate(lines):
        position = (2 * margin, panel_top + margin + index * line_height)
        draw.text(position, line, font=font, fill="white")
    return Image.alpha_composite(image, panel).convert("RGB")


def _draw_sandbox_band(image: Image.Image, style: str | None) -> None:
    """A solid band across the top, so nobody mistakes this for a real render."""
    width, height = image.size
    band_height = max(48, min(width, height) // 10)
    padding, middle = band_height // 3, band_height // 2
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, band_height), fill=MARK_BAND_COLOUR)
    underline = (0, band_height, width, band_height + band_height // 12)
    draw.rectangle(underline, fill=MARK_TEXT_COLOUR)
    mark_font = _font(band_height // 2)
    # A stroke in the fill colour makes the default (regular) font read as bold.
    draw.text(
        (padding, middle), SANDBOX_MARK, font=mark_font, anchor="lm",
        fill=MARK_TEXT_COLOUR, stroke_width=1, stroke_fill=MARK_TEXT_COLOUR,
    )
    if style:
        style_font = _font(band_height // 3)
        room = width - 3 * padding - mark_font.getlength(SANDBOX_MARK)
        label = _ellipsized(f"style: {style}", style_font, room)
        draw.text(
            (width - padding, middle), label, font=style_font, anchor="rm", fill="white"
        )


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False, compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()
