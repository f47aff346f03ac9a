"""The worker's side of a local kind: make the mix or the sequence from the team's
gallery items and store it. The dispatcher hands each queued one over under a lease
(dispatch.start_local); if this process dies, the lease lapses and it is made again.
"""

import logging
import tempfile
from datetime import datetime
from pathlib import Path

from django.core.files import File

from studio.finishing import joining, mixing, parts
from studio.finishing.mixing import FinishingError
from studio.generations import lifecycle, storage
from studio.generations.models import Generation
from studio.generations.states import State
from studio.multimodal import catalog

log = logging.getLogger(__name__)


def make(generation_id: int, lease: str) -> None:
    generation = Generation.objects.filter(
        pk=generation_id, state=State.DISPATCHED,
        lease_until=datetime.fromisoformat(lease)).select_related("team").first()
    if generation is None:
        return  # moved on meanwhile (its lease lapsed and another worker has it)
    try:
        with tempfile.TemporaryDirectory(prefix="studio-finish-") as folder:
            out = Path(folder) / f"{generation.file_stem}.mp4"
            MAKERS[generation.kind](generation, out)
            store(generation, out)
    except FinishingError as exc:
        storage.discard_media(generation)
        lifecycle.fail(generation, "finishing", str(exc), charged=False)
        return
    lifecycle.made(generation, (*storage.MEDIA_FIELDS, "params"))


def make_mix(generation: Generation, out: Path) -> None:
    video, speech = parts.mix_parts(generation)
    with video.media.open("rb") as picture, speech.media.open("rb") as voice:
        mixing.mix(picture, voice, out, parts.mix_options(generation, speech))


def make_sequence(generation: Generation, out: Path) -> None:
    clips = parts.sequence_parts(generation)
    files = [clip.media.open("rb") for clip in clips]
    try:
        _, cues, starts = joining.join(
            [joining.Part(file, parts.cues_of(clip)) for file, clip in zip(files, clips)],
            out)
    finally:
        for file in files:
            file.close()
    generation.params = {**generation.params, "starts": [round(s, 3) for s in starts],
                         "cues": [[c.start, c.end, c.text] for c in cues]}


def store(generation: Generation, out: Path) -> None:
    with out.open("rb") as made:
        generation.media.save(out.name, File(made), save=False)
    generation.media_format = "mp4"
    generation.media_bytes = out.stat().st_size
    try:
        storage.describe_video(generation)
    except Exception as exc:  # what was made cannot be read back: say so, keep nothing
        raise FinishingError(f"The finished file cannot be played ({exc}).") from None


MAKERS = {catalog.MIX: make_mix, catalog.SEQUENCE: make_sequence}
