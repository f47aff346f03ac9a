"""Media to the storage backend, streamed so no file is held whole in memory."""

import tempfile

from django.core.files import File

from studio.generations.models import Generation
from studio.multimodal.client import GenerationResult

SPOOL_LIMIT = 1024 * 1024


def save_media(generation: Generation, result: GenerationResult) -> None:
    fmt = (result.format or default_format(generation)).lower().lstrip(".")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT) as spool:
        size = result.media.write_to(spool)
        spool.seek(0)
        generation.media.save(f"{generation.pk}.{fmt}", File(spool), save=False)
    generation.media_format = fmt
    generation.media_bytes = size
    generation.usage_id = result.usage_id or ""
    generation.credits_used = result.credits_used
    generation.credits_remaining = result.credits_remaining
    generation.duration_ms = result.duration_ms or seconds_to_ms(result.duration_seconds)
    generation.width = result.width or generation.params.get("width")
    generation.height = result.height or generation.params.get("height")


def default_format(generation: Generation) -> str:
    return {"audio": "mp3", "image": "png", "video": "mp4"}[generation.kind_spec.media]


def seconds_to_ms(seconds: float | None) -> int | None:
    return round(seconds * 1000) if seconds is not None else None
