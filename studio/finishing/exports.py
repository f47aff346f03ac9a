"""A finished item in another format: speech as MP3 or WAV, images as PNG, JPEG or
WebP, videos as MP4 or a small GIF preview. The original stays as it is.

Every export starts from the item's file judged again (media_limits: what it is by
its bytes, and its header within the limits), so a file that was stored before the
checks, or that no check foresaw, is refused with the reason (the view answers 422)
rather than a 500 or a process swollen by a decompression bomb.

Within a web request's budget: what is converted there decodes at most one picture
of INLINE_PIXELS (the API's largest image, 2048x2048; a video frame is smaller
still: the frame limit) or INLINE_SECONDS of sound, frame by frame into a temporary
file, so a request grows its process by tens of megabytes, never more than the
README's 200 MB. Anything heavier is exported by the worker (an Export row; the
export page shows it being made, then offers the file).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import BinaryIO

import av
from django.conf import settings
from django.core.files import File
from django.db.models import F
from django_q.tasks import async_task
from PIL import Image

from studio.finishing.mixing import Deadline, FinishingError, decoded
from studio.finishing.models import Export
from studio.generations.models import Generation
from studio.lib import clock, media_limits

GIF_WIDTH = 320
GIF_FPS = 8
GIF_SECONDS = 6
INLINE_PIXELS = 2048 * 2048
INLINE_SECONDS = 60
EXPORT_TASK = "studio.finishing.tasks.export"


@dataclass(frozen=True)
class Format:
    name: str  # the file extension
    label: str
    content_type: str
    kind: str  # what media_limits.sniff calls a file already in this format


FORMATS = {
    "audio": (Format("mp3", "MP3", "audio/mpeg", "mp3"),
              Format("wav", "WAV", "audio/wav", "wav")),
    "image": (Format("png", "PNG", "image/png", "png"),
              Format("jpeg", "JPEG", "image/jpeg", "jpeg"),
              Format("webp", "WebP", "image/webp", "webp")),
    "video": (Format("mp4", "MP4", "video/mp4", "mp4"),
              Format("gif", "GIF preview", "image/gif", "gif")),
}
# What a kind's file is stored as when it is what it claims (storage.py names it).
STORED_AS = {"audio": ("mp3", "wav"), "image": ("png", "jpg", "jpeg", "webp"),
             "video": ("mp4",)}
JUDGES = {"audio": media_limits.sound, "image": media_limits.image,
          "video": media_limits.video}
WORDS = {"audio": "speech", "image": "image", "video": "video"}


def formats_of(generation: Generation) -> tuple[Format, ...]:
    """The formats offered for an item: none when what the row says of its file (its
    name, sizes, length) is not something an export can be made from."""
    media = generation.kind_spec.media
    if generation.media_format not in STORED_AS.get(media, ()) or not fits(generation):
        return ()
    return FORMATS[media]


def fits(generation: Generation) -> bool:
    """The row's recorded facts within the media limits (the file is judged again
    when an export is asked for)."""
    found = media_limits.limits()
    most = found.frame_pixels if generation.kind_spec.media == "video" else \
        found.image_pixels
    pixels = (generation.width or 0) * (generation.height or 0)
    return pixels <= most and (generation.duration_ms or 0) <= found.seconds * 1000


def chosen(generation: Generation, fmt: str) -> Format | None:
    return next((f for f in formats_of(generation) if f.name == fmt), None)


def judged(generation: Generation):
    """The item's file judged from its header: media_limits' facts, or Refused."""
    media = generation.kind_spec.media
    with generation.media.open("rb") as original:
        return JUDGES[media](original, f"This item's {WORDS[media]}")


def heavy(generation: Generation, facts=None) -> bool:
    """Too much for a web request: exported by the worker. From the judged file's
    facts, or (for the page's links, without reading the file) the row's."""
    facts = facts or generation
    if generation.kind_spec.media == "image":
        return (facts.width or 0) * (facts.height or 0) > INLINE_PIXELS
    if generation.kind_spec.media == "audio":
        seconds = getattr(facts, "duration_seconds", None)
        seconds = (facts.duration_ms or 0) / 1000 if seconds is None else seconds
        return seconds > INLINE_SECONDS
    return False  # a GIF reads GIF_SECONDS of frames within the frame limit; MP4 is a copy


def convert(generation: Generation, fmt: Format, facts, out: BinaryIO,
            deadline: Deadline) -> None:
    """The item's file as `fmt` into `out`: copied when it already is one (by its
    bytes), else converted. Refused or FinishingError for a file that breaks."""
    with generation.media.open("rb") as original:
        if media_limits.sniff(original) == fmt.kind:
            copy(original, out)
        else:
            CONVERTERS[fmt.name](original, out, facts, deadline)


def copy(source: BinaryIO, out: BinaryIO) -> None:
    while chunk := source.read(1024 * 1024):
        out.write(chunk)


def picture(fmt: str):
    def convert(source: BinaryIO, out: BinaryIO, facts, deadline: Deadline) -> None:
        try:
            with media_limits.open_image(source, facts) as image:
                image.load()
                if fmt == "JPEG" and image.mode != "RGB":
                    image = image.convert("RGB")
                image.save(out, fmt, quality=90)
        except media_limits.Refused:
            raise
        except Exception as exc:  # the decoder's or encoder's words for a broken file
            raise media_limits.Refused(
                f"This item's image cannot be converted "
                f"({media_limits.describe_error(exc)}).") from None
    return convert


def sound(codec: str, container: str, most_rate: int):
    """The speech decoded frame by frame and encoded again (PyAV resamples)."""
    def convert(source: BinaryIO, out: BinaryIO, facts, deadline: Deadline) -> None:
        what = "This item's speech"
        with media_limits.open_av(source, what) as clip, \
                av.open(out, "w", format=container) as made:
            audio = clip.streams.audio[0]
            stream = made.add_stream(codec, rate=min(facts.sample_rate, most_rate),
                                     layout="mono" if facts.channels == 1 else "stereo")
            samples = 0
            for frame in decoded(clip, audio, what):
                deadline.check()
                samples += frame.samples
                if samples > media_limits.limits().seconds * frame.sample_rate:
                    raise media_limits.past_the_limit(what, facts.duration_seconds)
                frame.pts = None
                for packet in stream.encode(frame):
                    made.mux(packet)
            for packet in stream.encode(None):
                made.mux(packet)
    return convert


def gif(source: BinaryIO, out: BinaryIO, facts, deadline: Deadline) -> None:
    """A small looping preview: the first seconds at a few frames a second, each frame
    scaled as it is converted (never a full-size RGB copy)."""
    frames = []
    what = "This item's video"
    height = max(2, round(facts.height * GIF_WIDTH / facts.width))
    with media_limits.open_av(source, what) as clip:
        video = clip.streams.video[0]
        next_at = 0.0
        for frame in decoded(clip, video, what):
            deadline.check()
            at = frame.time if frame.time is not None else next_at
            if at > GIF_SECONDS:
                break
            if at + 1e-6 >= next_at:
                small = frame.to_image(width=GIF_WIDTH, height=height, interpolation="AREA")
                frames.append(small.convert("P", palette=Image.Palette.ADAPTIVE))
                next_at += 1 / GIF_FPS
    if not frames:
        raise media_limits.Refused(f"{what} has no frames to preview.")
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], loop=0,
                   duration=round(1000 / GIF_FPS))


CONVERTERS = {"png": picture("PNG"), "jpeg": picture("JPEG"), "webp": picture("WEBP"),
              "wav": sound("pcm_s16le", "wav", 96_000),
              "mp3": sound("libmp3lame", "mp3", 48_000), "gif": gif}


def converted(generation: Generation, fmt: Format, facts) -> BinaryIO:
    """Converted in this process (what fits a web request) into a temporary file."""
    out = tempfile.TemporaryFile()
    try:
        convert(generation, fmt, facts, out, Deadline(settings.STUDIO_MAKE_SECONDS))
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


# --- exports the worker makes ----------------------------------------------------------


def requested(generation: Generation, fmt: Format) -> Export:
    """The worker's export of the item as `fmt`, asked for once: started when first
    asked, started again when its worker died (up to STUDIO_MAKE_ATTEMPTS starts),
    then failed saying so."""
    export, created = Export.objects.get_or_create(generation=generation, format=fmt.name)
    if created:
        hand_to_worker(export)
    elif export.state == Export.State.WORKING and stale(export):
        if export.tries >= settings.STUDIO_MAKE_ATTEMPTS:
            finish(export, Export.State.FAILED, error_message=(
                f"The worker making this stopped before it finished, {export.tries} times "
                "(it ran out of time or memory, or was restarted); it will not be made "
                "again."))
        else:
            hand_to_worker(export)
    export.refresh_from_db()  # a worker may have made it meanwhile (or inline, in tests)
    return export


def stale(export: Export) -> bool:
    """Begun longer ago than a task may live: its worker is gone."""
    if export.started_at is None:
        return (clock.now() - export.created_at).total_seconds() > lease_seconds()
    return (clock.now() - export.started_at).total_seconds() > lease_seconds()


def lease_seconds() -> float:
    return settings.Q_CLUSTER["timeout"] + 60


def hand_to_worker(export: Export) -> None:
    Export.objects.filter(pk=export.pk).update(started_at=clock.now())
    async_task(EXPORT_TASK, export.pk, task_name=f"export-{export.pk}")


def start(export: Export) -> bool:
    """A worker begins the export: one more try, timed from now."""
    return bool(Export.objects.filter(pk=export.pk, state=Export.State.WORKING).update(
        tries=F("tries") + 1, started_at=clock.now()))


def finish(export: Export, state: str, **fields) -> None:
    Export.objects.filter(pk=export.pk, state=Export.State.WORKING).update(
        state=state, finished_at=clock.now(), **fields)


def made_by_worker(export: Export) -> None:
    """The worker's side: convert, keep the file, and say how it ended."""
    generation = export.generation
    fmt = chosen(generation, export.format)
    try:
        if fmt is None:
            raise FinishingError("This item is no longer offered in that format.")
        facts = judged(generation)
        with tempfile.TemporaryFile() as out:
            convert(generation, fmt, facts, out, Deadline(settings.STUDIO_MAKE_SECONDS))
            out.seek(0)
            export.file.save(f"{generation.file_stem}.{fmt.name}", File(out), save=False)
    except (media_limits.Refused, FinishingError) as exc:
        finish(export, Export.State.FAILED, error_message=str(exc))
        return
    finish(export, Export.State.READY, file=export.file.name)
