"""A finished item in another format: speech as MP3 or WAV, images as PNG, JPEG or
WebP, videos as MP4 or a small GIF preview. Converted on request into a temporary
file and streamed; the original stays as it is."""

import tempfile
from dataclasses import dataclass

import av
from django.http import FileResponse, Http404
from PIL import Image

from studio.generations.models import Generation

GIF_WIDTH = 320
GIF_FPS = 8
GIF_SECONDS = 6


@dataclass(frozen=True)
class Format:
    name: str  # the file extension
    label: str
    content_type: str


FORMATS = {
    "audio": (Format("mp3", "MP3", "audio/mpeg"), Format("wav", "WAV", "audio/wav")),
    "image": (Format("png", "PNG", "image/png"), Format("jpeg", "JPEG", "image/jpeg"),
              Format("webp", "WebP", "image/webp")),
    "video": (Format("mp4", "MP4", "video/mp4"), Format("gif", "GIF preview", "image/gif")),
}


def formats_of(generation: Generation) -> tuple[Format, ...]:
    return FORMATS.get(generation.kind_spec.media, ())


def response(generation: Generation, fmt: str) -> FileResponse:
    chosen = next((f for f in formats_of(generation) if f.name == fmt), None)
    if chosen is None or not generation.media:
        raise Http404("No such export of this item.")
    out = tempfile.TemporaryFile()
    with generation.media.open("rb") as original:
        if fmt == generation.media_format or (fmt == "jpeg" and
                                              generation.media_format == "jpg"):
            copy(original, out)
        else:
            CONVERTERS[fmt](original, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, content_type=chosen.content_type,
                        filename=f"{generation.file_stem}.{fmt}")


def copy(source, out) -> None:
    while chunk := source.read(1024 * 1024):
        out.write(chunk)


def picture(fmt: str):
    def convert(source, out) -> None:
        with Image.open(source) as image:
            image = image.convert("RGB") if fmt == "JPEG" else image
            image.save(out, fmt, quality=90)
    return convert


def wav(source, out) -> None:
    """The speech decoded to 16-bit PCM, frame by frame."""
    with av.open(source) as clip, av.open(out, "w", format="wav") as wave:
        audio = clip.streams.audio[0]
        pcm = wave.add_stream("pcm_s16le", rate=audio.rate, layout=audio.layout.name)
        for frame in clip.decode(audio):
            frame.pts = None
            for packet in pcm.encode(frame):
                wave.mux(packet)
        for packet in pcm.encode(None):
            wave.mux(packet)


def gif(source, out) -> None:
    """A small looping preview: the first seconds at a few frames a second."""
    frames = []
    with av.open(source) as clip:
        video = clip.streams.video[0]
        step = 1 / GIF_FPS
        next_at = 0.0
        for frame in clip.decode(video):
            at = float(frame.pts * video.time_base) if frame.pts is not None else next_at
            if at > GIF_SECONDS:
                break
            if at + 1e-6 >= next_at:
                image = frame.to_image()
                height = round(image.height * GIF_WIDTH / image.width)
                frames.append(image.resize((GIF_WIDTH, height)).convert(
                    "P", palette=Image.Palette.ADAPTIVE))
                next_at += step
    if not frames:
        raise Http404("This video has no frames to preview.")
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], loop=0,
                   duration=round(1000 / GIF_FPS))


CONVERTERS = {"png": picture("PNG"), "jpeg": picture("JPEG"), "webp": picture("WEBP"),
              "wav": wav, "gif": gif}
