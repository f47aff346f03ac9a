"""Media to the storage backend, streamed so no file is ever held whole in memory.

An answer's media is judged by its own bytes before it is kept (media_limits): an
image must be a PNG, JPEG or WebP that decodes, speech an MP3 or WAV with sound, a
video an MP4 with a video stream and a first frame, all within the media limits. The
stored name's extension and the facts on the row come from the file, never from the
answer's `format` word or its stated sizes.
"""

import io
import tempfile
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile

from studio.generations.models import Generation
from studio.lib import images, media_limits, video, waveform
from studio.multimodal import errors
from studio.multimodal.answers import MediaAnswer
from studio.multimodal.streaming import Base64Payload
from studio.teams.client import client_for

SPOOL_LIMIT = 1024 * 1024
JUDGES = {"audio": media_limits.sound, "image": media_limits.decoded_image,
          "video": media_limits.video}
WORDS = {"audio": "speech", "image": "image", "video": "video"}
# What save_media fills in on the row; written with the move to succeeded.
MEDIA_FIELDS = ("media", "poster", "thumbnail", "media_format", "media_bytes",
                "duration_ms", "width", "height", "fps", "frame_count")
STORED_FILES = ("media", "poster", "thumbnail")


def save_media(generation: Generation, answer: MediaAnswer) -> None:
    """Store the answer's media (inline base64 or a URL to download) on the row, once
    its bytes are judged; MalformedAnswer with the reason when they are refused."""
    media = generation.kind_spec.media
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT) as spool:
        size = write_media(generation, answer, spool)
        facts = judged(media, spool)
        spool.seek(0)
        generation.media.save(f"{generation.file_stem}.{facts.extension}", File(spool),
                              save=False)
    generation.media_format = facts.extension
    generation.media_bytes = size
    describe(generation, answer, facts)
    if media == "video":
        describe_video(generation)
    if media == "image":
        with generation.media.open("rb") as picture:
            save_thumbnail(generation, picture)
    if media == "audio":
        save_waveform(generation)


def judged(media: str, spool: BinaryIO):
    """What the answer's bytes are, within the limits (media_limits' facts)."""
    try:
        return JUDGES[media](spool, f"The API's {WORDS[media]}")
    except media_limits.Refused as exc:
        raise errors.MalformedAnswer(str(exc).rstrip(".")) from None


def save_thumbnail(generation: Generation, picture: BinaryIO) -> None:
    """A small WebP for the card, made once so a page of 48 cards weighs little."""
    try:
        small = images.thumbnail(picture, generation.THUMB_WIDTH)
    except ValueError:
        return  # the card falls back to the original
    generation.thumbnail.save(f"{generation.file_stem}-thumb.webp", ContentFile(small),
                              save=False)


def save_waveform(generation: Generation) -> None:
    """The card's picture of a speech clip, as its thumbnail; decoded from the stored
    file frame by frame."""
    try:
        with generation.media.open("rb") as clip:
            drawn = waveform.picture(clip)
    except ValueError:
        return  # the card shows its placeholder
    generation.thumbnail.save(f"{generation.file_stem}-wave.webp", ContentFile(drawn),
                              save=False)


def describe_video(generation: Generation, what: str = "The API's video") -> None:
    """Poster, length, rate and frames, read back from the stored MP4 itself."""
    try:
        with generation.media.open("rb") as clip:
            found = video.facts(clip)
            clip.seek(0)
            poster = video.poster_frame(clip, what=what)
    except media_limits.Refused as exc:
        raise errors.MalformedAnswer(str(exc).rstrip(".")) from None
    except ValueError as exc:
        raise errors.MalformedAnswer(f"{what} cannot be played ({exc})") from None
    generation.poster.save(f"{generation.file_stem}-poster.jpg", ContentFile(poster),
                           save=False)
    save_thumbnail(generation, io.BytesIO(poster))
    generation.width, generation.height = found.width, found.height
    generation.fps, generation.frame_count = found.fps, found.frame_count
    generation.duration_ms = round(found.duration_seconds * 1000)


def write_media(generation: Generation, answer: MediaAnswer, out: BinaryIO) -> int:
    limit = settings.STUDIO_MAX_MEDIA_BYTES
    if isinstance(answer.media, Base64Payload):
        if (answer.media.end - answer.media.start) * 3 // 4 > limit:
            raise errors.MalformedAnswer(f"The API's media is larger than the studio takes "
                                         f"({limit / 2**20:,.0f} MiB)")
        return answer.media.write_to(out)
    with client_for(generation.team) as client:
        return client.download(answer.media.url, out, max_bytes=limit)


def describe(generation: Generation, answer: MediaAnswer, facts) -> None:
    """Sizes and length from the file itself; the answer's words only where the file
    states none (an image has no length)."""
    seconds = getattr(facts, "duration_seconds", None)
    if seconds is None:
        duration_ms = getattr(answer, "duration_ms", None)
        if duration_ms is None and answer.duration_seconds is not None:
            duration_ms = round(answer.duration_seconds * 1000)
        generation.duration_ms = duration_ms
    else:
        generation.duration_ms = round(seconds * 1000)
    generation.width = getattr(facts, "width", None) or generation.params.get("width")
    generation.height = getattr(facts, "height", None) or generation.params.get("height")


def discard_media(generation: Generation) -> None:
    """A job that did not succeed keeps no media: remove what a store left behind."""
    for name in STORED_FILES:
        field = getattr(generation, name)
        if field:
            field.delete(save=False)
