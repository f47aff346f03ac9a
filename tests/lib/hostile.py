"""Hostile media, kept small: crafted headers and tiny real encodes, never big files.

Each maker returns the bytes of one file as an attacker would send it (an upload, an
API answer, a gallery item): a picture whose header claims 13000x13000 pixels, an
H.264 clip whose sequence header claims 16000x16000, a clip whose last frame is at
ten hours, a clip whose header lies about its length, an MP3 corrupt in the middle,
an SVG with a script, and so on. The biggest is a few tens of kilobytes.
"""

from __future__ import annotations

import io
import struct
import zlib
from fractions import Fraction

import av
from PIL import Image

# --- pictures ---------------------------------------------------------------------------


def png(width: int = 320, height: int = 240, colour=(200, 80, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((width, height), 60).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def webp(width: int = 320, height: int = 240) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 80, 200)).save(out, "WEBP")
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """A real JPEG cut off at 60%: its header is whole, its picture is not."""
    whole = jpeg()
    return whole[: len(whole) * 6 // 10]


def png_bomb(width: int = 13000, height: int = 13000) -> bytes:
    """A real, valid black PNG of width x height (one bit a pixel, so its rows of
    zeros deflate to a few kilobytes); decoded as RGB it is width*height*3 bytes."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the bits
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + \
        _chunk(b"IEND", b"")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + \
        struct.pack(">I", zlib.crc32(kind + body))


def webp_canvas(width: int = 16383, height: int = 16383) -> bytes:
    """A WebP whose extended header (VP8X) declares a width x height canvas, followed
    by a tiny real picture: a decoder that trusts the header allocates the canvas."""
    small = webp(16, 16)
    body = small[12:]  # the VP8 chunk of a real 16x16 picture
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + \
        (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    payload = b"WEBP" + vp8x + body
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
                   b'width="512" height="512"><script>fetch("/api/v1/tokens")</script>'
                   b'<rect width="512" height="512" fill="red"/></svg>\n')
HTML_PAGE = (b"<!DOCTYPE html><html><body><script>document.cookie</script>"
             b"<p>Not a picture</p></body></html>\n")
HTML_AS_PNG = b"\x89PNG\r\n\x1a\n" + HTML_PAGE  # the signature, then a page


# --- video ------------------------------------------------------------------------------

RATE = 24


def mp4(width: int = 64, height: int = 64, *, frames: int = 2, pix_fmt: str = "yuv420p",
        last_at: float | None = None, sound: bool = False) -> bytes:
    """A real H.264 MP4 of `frames` frames at 24 fps; with `last_at`, its last frame
    is shown at that second (nothing in between: a few kilobytes however far)."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=RATE,
                                      options={"profile": "baseline"}
                                      if pix_fmt == "yuv420p" else {})
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.time_base = Fraction(1, RATE)
        audio = container.add_stream("aac", rate=48000, layout="mono") if sound else None
        for n in range(frames):
            frame = av.VideoFrame(width, height, "rgb24").reformat(format=pix_fmt)
            last = n == frames - 1 and last_at is not None
            frame.pts = round(last_at * RATE) if last else n
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if audio is not None:
            silence = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            silence.sample_rate, silence.pts = 48000, 0
            for plane in silence.planes:
                plane.update(bytes(plane.buffer_size))
            for packet in [*audio.encode(silence), *audio.encode(None)]:
                container.mux(packet)
    return out.getvalue()


def mp4_sound_only(seconds: float = 1.0) -> bytes:
    """An MP4 holding a sound track and no picture."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        audio = container.add_stream("aac", rate=48000, layout="mono")
        for n in range(round(seconds * 48000 / 1024)):
            silence = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            silence.sample_rate, silence.pts = 48000, n * 1024
            for plane in silence.planes:
                plane.update(bytes(plane.buffer_size))
            for packet in audio.encode(silence):
                container.mux(packet)
        for packet in audio.encode(None):
            container.mux(packet)
    return out.getvalue()


def mp4_claiming(width: int = 16000, height: int = 16000, *,
                 container_too: bool = True) -> bytes:
    """A 64x64 H.264 clip whose sequence header (SPS) claims width x height, and
    (with `container_too`) so do its track and sample entry: a decoder that believes
    it allocates (and conceals into) frames of that size. Without `container_too`
    the container still says 64x64: only the decoder can tell."""
    clip = mp4(64, 64, frames=3)
    clip = _rewrite_box(clip, b"avcC", lambda body: _avcc_sized(body, width, height))
    return _patch_sample_entry_size(clip, width, height) if container_too else clip


def mp4_lying_length(claimed_seconds: float = 2.0, last_at: float = 36000.0) -> bytes:
    """Two seconds of frames at 24 fps, then one at `last_at` seconds, while every
    duration in its header (mvhd, tkhd, mdhd, elst) says `claimed_seconds`."""
    clip = bytearray(mp4(64, 64, frames=2 * RATE + 1, last_at=last_at))
    for box in (b"mvhd", b"mdhd"):
        at = clip.find(box) + 4  # version and flags, two stamps, then scale, length
        scale = int.from_bytes(clip[at + 12:at + 16], "big")
        clip[at + 16:at + 20] = round(claimed_seconds * scale).to_bytes(4, "big")
    movie_scale = int.from_bytes(clip[clip.find(b"mvhd") + 16:clip.find(b"mvhd") + 20],
                                 "big")
    claimed = round(claimed_seconds * movie_scale).to_bytes(4, "big")
    tkhd = clip.find(b"tkhd") + 4  # version+flags, two stamps, track id, reserved
    clip[tkhd + 20:tkhd + 24] = claimed
    elst = clip.find(b"elst")
    if elst != -1:  # version+flags, count, then the first entry's length
        clip[elst + 12:elst + 16] = claimed
    return bytes(clip)


CONTAINERS = (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"avc1")
# Bytes before the children of a box that has some: stsd has a version and a count;
# a visual sample entry 78 bytes of fields.
CHILDREN_AT = {b"stsd": 8, b"avc1": 78}


def _rewrite_box(data: bytes, kind: bytes, change) -> bytes:
    """`data` with the body of every `kind` box replaced by change(body), the sizes of
    the boxes around it fixed. The media data stays where it was: PyAV writes moov
    after mdat, so no chunk offset moves."""
    return _rewrite_range(data, 0, len(data), kind, change)


def _rewrite_range(data: bytes, start: int, end: int, kind: bytes, change) -> bytes:
    out = b""
    while start < end:
        size = int.from_bytes(data[start:start + 4], "big")
        box, body = data[start + 4:start + 8], data[start + 8:start + size]
        if box == kind:
            body = change(body)
        elif box in CONTAINERS:
            skip = CHILDREN_AT.get(box, 0)
            body = body[:skip] + _rewrite_range(body, skip, len(body), kind, change)
        out += struct.pack(">I", 8 + len(body)) + box + body
        start += size
    return out


def _patch_sample_entry_size(data: bytes, width: int, height: int) -> bytes:
    clip = bytearray(data)
    # The sample entry: reserved, data reference, pre-defined and reserved, then sizes.
    entry = clip.find(b"avc1", clip.find(b"stsd")) + 4 + 24
    clip[entry:entry + 4] = struct.pack(">HH", width, height)
    tkhd = clip.find(b"tkhd") + 4 + 76  # version 0: width and height are 16.16 at 76
    clip[tkhd:tkhd + 8] = struct.pack(">II", width << 16, height << 16)
    return bytes(clip)


def _avcc_sized(body: bytes, width: int, height: int) -> bytes:
    """The avcC record with its one SPS rewritten for width x height."""
    sps_length = int.from_bytes(body[6:8], "big")
    sps = body[8:8 + sps_length]
    resized = _sps_sized(sps, width, height)
    return body[:6] + struct.pack(">H", len(resized)) + resized + body[8 + sps_length:]


def _sps_sized(nal: bytes, width: int, height: int) -> bytes:
    """A baseline-profile SPS with its size in macroblocks replaced (no cropping)."""
    bits = _Bits(_unescape(nal[1:]))
    out = _BitWriter()
    for _ in range(24):  # profile, constraints, level
        out.bit(bits.bit())
    out.ue(bits.ue())  # seq_parameter_set_id
    if nal[1] in (100, 110, 122, 244, 44, 83, 86, 118, 128):
        raise ValueError("only a baseline-profile SPS is rewritten here")
    out.ue(bits.ue())  # log2_max_frame_num_minus4
    order_type = bits.ue()
    out.ue(order_type)
    if order_type == 0:
        out.ue(bits.ue())
    elif order_type == 1:
        raise ValueError("pic_order_cnt_type 1 is not rewritten here")
    out.ue(bits.ue())  # max_num_ref_frames
    out.bit(bits.bit())  # gaps_in_frame_num_value_allowed_flag
    bits.ue(), bits.ue()
    out.ue((width + 15) // 16 - 1)
    out.ue((height + 15) // 16 - 1)
    frame_mbs_only = bits.bit()
    out.bit(frame_mbs_only)
    if not frame_mbs_only:
        out.bit(bits.bit())
    out.bit(bits.bit())  # direct_8x8_inference_flag
    if bits.bit():  # frame cropping: dropped (the new size is whole macroblocks)
        for _ in range(4):
            bits.ue()
    out.bit(0)
    while bits.left():  # VUI and the trailing bits as they were
        out.bit(bits.bit())
    return nal[:1] + _escape(out.bytes())


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def left(self) -> int:
        return len(self.data) * 8 - self.at

    def bit(self) -> int:
        value = (self.data[self.at // 8] >> (7 - self.at % 8)) & 1
        self.at += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
        value = 0
        for _ in range(zeros):
            value = value << 1 | self.bit()
        return (1 << zeros) - 1 + value


class _BitWriter:
    def __init__(self) -> None:
        self.bits: list[int] = []

    def bit(self, value: int) -> None:
        self.bits.append(value)

    def ue(self, value: int) -> None:
        code = bin(value + 1)[2:]
        self.bits.extend([0] * (len(code) - 1) + [int(c) for c in code])

    def bytes(self) -> bytes:
        bits = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))


def _unescape(rbsp: bytes) -> bytes:
    return rbsp.replace(b"\x00\x00\x03", b"\x00\x00")


def _escape(rbsp: bytes) -> bytes:
    out, zeros = bytearray(), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


# --- sound ------------------------------------------------------------------------------


def mp3(text: str = "The harbour wakes before the town does.") -> bytes:
    from studio.sandbox import media

    return media.synthesize_mp3(text, "Wise_Woman")[0]


def mp3_corrupt_in_the_middle() -> bytes:
    """A real MP3 whose middle third is overwritten with noise that looks like the
    start of MP3 frames (sync words with impossible headers)."""
    whole = bytearray(mp3("One two three four five six seven eight nine ten. " * 3))
    third = len(whole) // 3
    garbage = (b"\xff\xfb\xff\xff" + bytes(range(256)) * 4) * (third // 1028 + 1)
    whole[third:2 * third] = garbage[:third]
    return bytes(whole)


def wav(seconds: float = 1.0, rate: int = 22050, channels: int = 1) -> bytes:
    import math
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(channels)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        samples = (round(8000 * math.sin(2 * math.pi * 440 * n / rate))
                   for n in range(round(seconds * rate)))
        sound.writeframes(b"".join(struct.pack("<h", s) * channels for s in samples))
    return out.getvalue()


def wav_claiming(rate: int = 2_000_000_000, channels: int = 1) -> bytes:
    """A WAV whose format chunk claims an absurd sample rate."""
    clip = bytearray(wav(0.1))
    fmt = clip.find(b"fmt ") + 8
    clip[fmt + 2:fmt + 4] = struct.pack("<H", channels)
    clip[fmt + 4:fmt + 8] = struct.pack("<I", rate)
    return bytes(clip)
