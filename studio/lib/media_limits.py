"""Media the studio did not make, judged by its own bytes before anything decodes it.

Every file that comes in (an API answer, an I2V upload, the image a typed URL
serves) or is used again (a gallery item mixed, joined, exported, thumbnailed or
drawn as a waveform) is judged here, in one place: what it is, by its first bytes
(never its name or the words around it), and whether the sizes, length, rate and
channels its header states are inside the limits. Nothing is decoded before that.
Past the header, decoders are held to the same limits as they run: a video decoder
refuses frames over the frame limit (`open_av`), and loops that decode stop where
the header said the media ends (`played_past`).

The limits, and why (the README's "Media limits" table says the same):

- images: sides 64 to 8192 px, at most STUDIO_MAX_IMAGE_PIXELS (12.6 Mpx, 4096x3072).
  The API makes 512 to 2048 px a side (4.2 Mpx at most); three times that leaves
  room for a 12 Mpx camera photo uploaded for image-to-video (4032x3024), decodes in
  48 MiB, and its heaviest conversion (to WebP, in the worker) stays near 130 MB.
- video frames: sides 16 to 4096 px, at most STUDIO_MAX_FRAME_PIXELS (2.1 Mpx,
  1920x1088). The API renders at most 1280x720; a 1080p frame is 3 MiB, so the
  decoders and the join's encoder, with a few dozen frames in flight, stay far
  under a worker's 300 MB.
- length: STUDIO_MAX_MEDIA_SECONDS (600 s) for any sound or video, and for what a
  mix or a join would make. The longest speech the API makes (5000 characters) is
  about six minutes; its clips are at most ten seconds.
- frame rate 1 to 60 fps; sample rate 8 to 96 kHz; 1 to 8 channels.
- bytes: STUDIO_MAX_MEDIA_BYTES for an answer, STUDIO_MAX_UPLOAD_BYTES for an
  upload or an image URL (checked where the bytes are read).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import BinaryIO

import av
from django.conf import settings
from PIL import Image

HEAD_BYTES = 512  # enough to tell markup (an SVG after its XML prolog) from media
JPEG_HEADER_LIMIT = 1024 * 1024  # a JPEG states its size within this, or it is refused
IMAGE_SIDES = (64, 8192)
FRAME_SIDES = (16, 4096)
FPS = (1, 60)
SAMPLE_RATES = (8_000, 96_000)
CHANNELS = (1, 8)

IMAGE_KINDS = ("png", "jpeg", "webp")
SOUND_KINDS = ("mp3", "wav")
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp", "mp4": "mp4", "mp3": "mp3",
              "wav": "wav"}
WORDS = {"png": "a PNG image", "jpeg": "a JPEG image", "webp": "a WebP image",
         "gif": "a GIF image", "bmp": "a BMP image", "tiff": "a TIFF image",
         "svg": "an SVG drawing", "html": "an HTML page", "xml": "an XML document",
         "pdf": "a PDF document", "zip": "a ZIP archive", "mp4": "an MP4 video",
         "webm": "a WebM or Matroska video", "ogg": "an Ogg file", "flac": "a FLAC file",
         "mp3": "an MP3 sound", "wav": "a WAV sound", "json": "a JSON document",
         "empty": "empty (0 bytes)", "unknown": "of a kind the studio does not know"}
PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


class Refused(ValueError):
    """A file that is not what it should be, or is outside the limits. The message is
    for a person: which file (the `what` it was judged as), and what is wrong."""


@dataclass(frozen=True)
class Limits:
    image_pixels: int
    frame_pixels: int
    seconds: float
    answer_bytes: int
    upload_bytes: int


def limits() -> Limits:
    return Limits(settings.STUDIO_MAX_IMAGE_PIXELS, settings.STUDIO_MAX_FRAME_PIXELS,
                  settings.STUDIO_MAX_MEDIA_SECONDS, settings.STUDIO_MAX_MEDIA_BYTES,
                  settings.STUDIO_MAX_UPLOAD_BYTES)


@dataclass(frozen=True)
class ImageFacts:
    kind: str  # png, jpeg, webp
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    fps: float
    frame_count: int
    duration_seconds: float
    has_sound: bool
    extension: str = "mp4"


@dataclass(frozen=True)
class SoundFacts:
    kind: str  # mp3, wav
    sample_rate: int
    channels: int
    duration_seconds: float

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]


# --- what the bytes are ------------------------------------------------------------------


def sniff(file: BinaryIO) -> str:
    """What the file is by its first bytes: a key of WORDS."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return kind_of(head)


def kind_of(head: bytes) -> str:
    if not head:
        return "empty"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return "webp" if head[8:12] == b"WEBP" else "wav"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF
                                   and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "mp3"
    for prefix, kind in ((b"GIF8", "gif"), (b"BM", "bmp"), (b"II*\x00", "tiff"),
                         (b"MM\x00*", "tiff"), (b"%PDF", "pdf"), (b"PK\x03\x04", "zip"),
                         (b"\x1aE\xdf\xa3", "webm"), (b"OggS", "ogg"), (b"fLaC", "flac")):
        if head.startswith(prefix):
            return kind
    return markup_kind(head)


def markup_kind(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not text.startswith((b"<", b"{", b"[")):
        return "unknown"
    if b"<svg" in text:
        return "svg"
    if any(tag in text for tag in (b"<!doctype html", b"<html", b"<body", b"<script")):
        return "html"
    if text.startswith(b"<?xml"):
        return "xml"
    return "json" if text.startswith((b"{", b"[")) else "unknown"


def words(kind: str) -> str:
    return WORDS.get(kind, WORDS["unknown"])


# --- images ------------------------------------------------------------------------------


def image(file: BinaryIO, what: str = "The file") -> ImageFacts:
    """A PNG, JPEG or WebP within the limits, from its header alone (nothing decoded)."""
    kind = sniff(file)
    if kind not in IMAGE_KINDS:
        if kind in ("gif", "bmp", "tiff"):
            raise Refused(f"{what} is {words(kind)}; use a JPEG, PNG or WebP.")
        raise Refused(f"{what} is not an image (use a JPEG, PNG or WebP): it is "
                      f"{words(kind)}.")
    try:
        width, height = HEADER_SIZES[kind](file)
    except (struct.error, IndexError, ValueError):
        raise Refused(f"{what} is {words(kind)} whose header cannot be read.") from None
    finally:
        file.seek(0)
    check_picture(what, width, height)
    return ImageFacts(kind, width, height)


def check_picture(what: str, width: int, height: int) -> None:
    low, high = IMAGE_SIDES
    if min(width, height) < low or max(width, height) > high:
        raise Refused(f"{what} is {width}×{height} pixels; each side must be {low} to "
                      f"{high}.")
    most = limits().image_pixels
    if width * height > most:
        raise Refused(f"{what} is {width}×{height} pixels ({mpx(width * height)}); the "
                      f"studio takes images up to {mpx(most)}.")


def decoded_image(file: BinaryIO, what: str = "The file") -> ImageFacts:
    """`image`, then the picture decoded to its last byte (a JPEG at 1/8 of its size:
    the whole file is still read): a truncated or corrupt file is refused here."""
    facts = image(file, what)
    try:
        with open_image(file, facts) as picture:
            picture.draft("RGB", (facts.width // 8, facts.height // 8))
            picture.load()
    except Refused:
        raise
    except Exception as exc:  # whatever the decoder says of a broken file
        raise Refused(f"{what} is {words(facts.kind)} that cannot be decoded "
                      f"({describe_error(exc)}).") from None
    finally:
        file.seek(0)
    return facts


def open_image(file: BinaryIO, facts: ImageFacts) -> Image.Image:
    """Pillow's lazy open of a file `image` judged, as the format it was judged."""
    file.seek(0)
    picture = Image.open(file, formats=[PILLOW_FORMATS[facts.kind]])
    if picture.size != (facts.width, facts.height):
        picture.close()
        raise Refused(f"The picture's header says {facts.width}×{facts.height} pixels "
                      f"but its data says {picture.width}×{picture.height}.")
    return picture


def png_size(file: BinaryIO) -> tuple[int, int]:
    head = file.read(24)
    if head[12:16] != b"IHDR":
        raise ValueError("no IHDR")
    return struct.unpack(">II", head[16:24])


def webp_size(file: BinaryIO) -> tuple[int, int]:
    head = file.read(30)
    chunk, body = head[12:16], head[20:30]
    if chunk == b"VP8X":
        return (int.from_bytes(body[4:7], "little") + 1,
                int.from_bytes(body[7:10], "little") + 1)
    if chunk == b"VP8 " and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise ValueError("no VP8, VP8L or VP8X chunk")


# Start-of-frame markers: the ones that carry the picture's size.
JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_size(file: BinaryIO) -> tuple[int, int]:
    """The size in the frame header, found by walking the segments before it."""
    file.seek(2)
    while file.tell() < JPEG_HEADER_LIMIT:
        if file.read(1) != b"\xff":
            raise ValueError("not at a marker")
        marker = file.read(1)
        while marker == b"\xff":
            marker = file.read(1)
        if not marker or marker[0] in (0xD9, 0xDA):
            raise ValueError("no frame header before the picture data")
        if marker[0] == 0x01 or 0xD0 <= marker[0] <= 0xD8:
            continue  # markers that stand alone
        length = struct.unpack(">H", file.read(2))[0]
        if length < 2:
            raise ValueError("a segment shorter than its length field")
        if marker[0] in JPEG_FRAMES:
            height, width = struct.unpack(">xHH", file.read(5))
            return width, height
        file.seek(length - 2, io.SEEK_CUR)
    raise ValueError("no frame header in the first megabyte")


HEADER_SIZES = {"png": png_size, "webp": webp_size, "jpeg": jpeg_size}


# --- sound and video ---------------------------------------------------------------------


def video(file: BinaryIO, what: str = "The video") -> VideoFacts:
    """An MP4 with a video stream within the limits, from its header (nothing decoded)."""
    kind = sniff(file)
    if kind != "mp4":
        raise Refused(f"{what} is not a video (an MP4): it is {words(kind)}.")
    with probe(file, what) as container:
        if not container.streams.video:
            raise Refused(f"{what} has no video stream.")
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        fps = rate_of(stream)
        duration = length_of(stream, container)
        frames = stream.frames or round(duration * fps)
        has_sound = bool(container.streams.audio)
        if has_sound:
            check_sound(what, container.streams.audio[0])
    file.seek(0)
    check_frame(what, width, height)
    check_length(what, duration)
    if not FPS[0] <= fps <= FPS[1]:
        shown = f"{fps:g}" if fps >= 1 else "less than one"
        raise Refused(f"{what} runs at {shown} frames a second; the studio takes "
                      f"{FPS[0]} to {FPS[1]}.")
    return VideoFacts(width, height, fps, frames, duration, has_sound)


def sound(file: BinaryIO, what: str = "The speech") -> SoundFacts:
    """An MP3 or a WAV with an audio stream within the limits, from its header."""
    kind = sniff(file)
    if kind not in SOUND_KINDS:
        raise Refused(f"{what} is not a sound (an MP3 or WAV): it is {words(kind)}.")
    with probe(file, what) as container:
        if not container.streams.audio:
            raise Refused(f"{what} has no audio stream.")
        stream = container.streams.audio[0]
        check_sound(what, stream)
        facts = SoundFacts(kind, stream.rate, stream.channels,
                           length_of(stream, container))
    file.seek(0)
    check_length(what, facts.duration_seconds)
    return facts


def rate_of(stream) -> float:
    """Frames a second: the average over the clip, or where that is out of range (two
    frames hours apart) the rate its timestamps are counted in."""
    average = float(stream.average_rate or 0)
    return average if FPS[0] <= average <= FPS[1] else float(stream.guessed_rate or 0)


def check_frame(what: str, width: int, height: int) -> None:
    low, high = FRAME_SIDES
    if min(width, height) < low or max(width, height) > high:
        raise Refused(f"{what} is {width}×{height} pixels; each side of a video frame "
                      f"must be {low} to {high}.")
    most = limits().frame_pixels
    if width * height > most:
        raise Refused(f"{what} is {width}×{height} pixels ({mpx(width * height)}); the "
                      f"studio takes video frames up to {mpx(most)}.")


def check_sound(what: str, stream) -> None:
    rate, channels = stream.rate or 0, stream.channels or 0
    if not SAMPLE_RATES[0] <= rate <= SAMPLE_RATES[1]:
        raise Refused(f"{what} has sound at {rate:,} samples a second; the studio takes "
                      f"{SAMPLE_RATES[0]:,} to {SAMPLE_RATES[1]:,}.")
    if not CHANNELS[0] <= channels <= CHANNELS[1]:
        raise Refused(f"{what} has {channels} sound channels; the studio takes "
                      f"{CHANNELS[0]} to {CHANNELS[1]}.")


def check_length(what: str, seconds: float) -> None:
    most = limits().seconds
    if seconds > most:
        raise Refused(f"{what} is {clock(seconds)} long; the studio takes media up to "
                      f"{clock(most)}.")
    if seconds <= 0:
        raise Refused(f"{what} states no length: it has nothing to play.")


def played_past(what: str, seconds: float, stated: float) -> Refused:
    """The error for a decoder that went on past what the header stated."""
    return Refused(f"{what} plays on past the {clock(stated)} its header states (at "
                   f"{clock(seconds)}); the file is inconsistent.")


def past_the_limit(what: str, stated: float) -> Refused:
    """The error for a decoder stopped at the length limit (its header said less)."""
    most = limits().seconds
    return Refused(f"{what} plays on past {clock(most)}, the longest the studio takes, "
                   f"though its header says {clock(stated)}; the file is inconsistent.")


def length_of(stream, container) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return (container.duration or 0) / av.time_base


def probe(file: BinaryIO, what: str):
    """The container opened to read its header: no decoder may run (FFmpeg's probe
    would otherwise decode a frame of whatever size the stream claims)."""
    return open_av(file, what, decoders=False)


def open_av(source, what: str, *, decoders: bool = True):
    """av.open, mapping FFmpeg's refusals to Refused. With `decoders`, each video
    decoder refuses frames over the frame limit, even where a stream's own sequence
    header claims more than its container said."""
    if hasattr(source, "seek"):
        source.seek(0)
    guard = {"max_pixels": str(limits().frame_pixels)}
    options = guard if decoders else {"codec_whitelist": "none"}
    try:
        container = av.open(source if hasattr(source, "read") else str(source), "r",
                            options=options)
    except Exception as exc:  # FFmpeg's words for a file it cannot open
        raise Refused(f"{what} cannot be read ({describe_error(exc)}).") from None
    if decoders:
        for stream in container.streams.video:
            stream.codec_context.options = guard
    return container


# --- words -------------------------------------------------------------------------------


def describe_error(exc: Exception) -> str:
    """A decoder's complaint, short: FFmpeg's and Pillow's words without the call."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.split(": '")[0].strip()[:200]


def mpx(pixels: int) -> str:
    return f"{pixels / 1e6:.1f} Mpx"


def clock(seconds: float) -> str:
    """2.5 s, 4:05, 10:00:00."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
