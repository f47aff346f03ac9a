"""The worker's side of a local kind: make the mix, the sequence or the film from the
team's gallery items and store it. Each kind's task is plugged into its catalog entry
(`@catalog.makes`) when the finishing app loads (apps.py); the dispatcher hands each
queued one to it under a lease (dispatch.start_local).

Every making ends: whatever goes wrong fails the job with a reason that names the
file and what is wrong with it, and keeps no file; work that would outlast the task
timeout stops itself (STUDIO_MAKE_SECONDS) and says so. If this process dies anyway,
the lease lapses and the job is made again, at most STUDIO_MAKE_ATTEMPTS times in
all (lifecycle.reclaim).
"""

import contextlib
import logging
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File

from studio.finishing import exports, film, joining, mixing, parts
from studio.finishing.mixing import Deadline, FinishingError
from studio.finishing.models import Export
from studio.generations import lifecycle, storage
from studio.generations.models import Generation
from studio.generations.states import State
from studio.lib import clock, media_limits
from studio.multimodal import catalog, errors

log = logging.getLogger(__name__)


Making = Callable[[Generation, Path, Deadline], None]  # writes `out`, or FinishingError


def make(generation_id: int, lease: str, making: Making) -> None:
    """The task of every local kind: `making` writes the file, this runs it under the
    lease and ends the job whatever happens."""
    generation = Generation.objects.filter(
        pk=generation_id, state=State.DISPATCHED,
        lease_until=datetime.fromisoformat(lease)).select_related("team").first()
    if generation is None or not lifecycle.start_making(generation, clock.now()):
        return  # moved on meanwhile (its lease lapsed and another worker has it)
    try:
        with tempfile.TemporaryDirectory(prefix="studio-finish-") as folder:
            out = Path(folder) / f"{generation.file_stem}.mp4"
            making(generation, out, Deadline(settings.STUDIO_MAKE_SECONDS))
            store(generation, out)
    except FinishingError as exc:
        failed(generation, str(exc))
        return
    except Exception as exc:  # whatever the files did to the code: the job still ends
        log.exception("making_failed", extra={"generation": generation.pk})
        failed(generation, f"Making this failed ({type(exc).__name__}: "
                           f"{media_limits.describe_error(exc)}). Nothing was kept; tell "
                           "an admin if it happens again.")
        return
    if not lifecycle.made(generation, (*storage.MEDIA_FIELDS, "params")):
        storage.discard_media(generation)  # the job moved on without this worker


def failed(generation: Generation, reason: str) -> None:
    storage.discard_media(generation)
    lifecycle.fail(generation, "finishing", reason, charged=False)


@catalog.makes(catalog.MIX)
def make_mix(generation_id: int, lease: str) -> None:
    make(generation_id, lease, mix_into)


def mix_into(generation: Generation, out: Path, deadline: Deadline) -> None:
    video, speech = parts.mix_parts(generation)
    with video.media.open("rb") as picture, speech.media.open("rb") as voice:
        mixing.mix(picture, voice, out, parts.mix_options(generation, speech),
                   names=(f"The video #{video.pk}", f"The speech #{speech.pk}"),
                   deadline=deadline)


@catalog.makes(catalog.SEQUENCE)
def make_sequence(generation_id: int, lease: str) -> None:
    make(generation_id, lease, join_into)


def join_into(generation: Generation, out: Path, deadline: Deadline) -> None:
    clips = parts.sequence_parts(generation)
    files = [clip.media.open("rb") for clip in clips]
    try:
        _, cues, starts = joining.join(
            [joining.Part(file, parts.cues_of(clip), f"Clip {n} (video #{clip.pk})",
                          *cut)
             for n, (file, clip, cut) in enumerate(
                 zip(files, clips, parts.sequence_cuts(generation)), start=1)],
            out, deadline=deadline)
    finally:
        for file in files:
            file.close()
    generation.params = {**generation.params, "starts": [round(s, 3) for s in starts],
                         "cues": [[c.start, c.end, c.text] for c in cues]}


@catalog.makes(catalog.FILM)
def make_film(generation_id: int, lease: str) -> None:
    make(generation_id, lease, film_into)


def film_into(generation: Generation, out: Path, deadline: Deadline) -> None:
    scenes = parts.film_scenes(generation)
    with contextlib.ExitStack() as files:
        made = film.make_film(
            [film.Scene(files.enter_context(clip.media.open("rb")),
                        files.enter_context(speech.media.open("rb")), text,
                        f"Scene {n} (video #{clip.pk}, speech #{speech.pk})")
             for n, (clip, speech, text) in enumerate(scenes, start=1)],
            str(generation.params.get("title", "")), out,
            crossfade=float(generation.params.get("crossfade", 0.5)), deadline=deadline)
    generation.params = {**generation.params,
                         "starts": [round(s, 3) for s in made.starts],
                         "cues": [[c.start, c.end, c.text] for c in made.cues]}


def store(generation: Generation, out: Path) -> None:
    with out.open("rb") as made:
        generation.media.save(out.name, File(made), save=False)
    generation.media_format = "mp4"
    generation.media_bytes = out.stat().st_size
    try:
        storage.describe_video(generation, "The finished file")
    except (errors.MultimodalError, ValueError) as exc:  # it cannot be read back: keep nothing
        raise FinishingError(f"{exc}.") from None


def export(export_id: int) -> None:
    """An export too heavy for a web request (exports.py), made here; every way it
    ends is written on its row."""
    job = Export.objects.select_related("generation__team").filter(
        pk=export_id, state=Export.State.WORKING).first()
    if job is None or not exports.start(job):
        return
    try:
        exports.made_by_worker(job)
    except Exception as exc:  # whatever the file did to the code: the export still ends
        log.exception("export_failed", extra={"export": job.pk})
        exports.finish(job, Export.State.FAILED, error_message=(
            f"Making this failed ({type(exc).__name__}: "
            f"{media_limits.describe_error(exc)}); tell an admin if it happens again."))
