"""What a mix, a sequence or a film is made of: the team's gallery items it names, checked
again when the worker makes it (an item may have gone to the trash meanwhile), and
the subtitles each one carries."""

from studio.finishing import subtitles
from studio.finishing.mixing import FinishingError, MixOptions
from studio.finishing.subtitles import Cue
from studio.generations.models import Generation, Status
from studio.multimodal import catalog

VIDEO_KINDS = [k.endpoint_type for k in catalog.ALL_KINDS.values() if k.media == "video"]


def usable(team, pk, kinds: list[str]) -> Generation | None:
    """A finished item of `team` in the gallery (not the trash) of one of `kinds`."""
    return Generation.objects.for_team(team).in_gallery().filter(
        pk=pk, kind__in=kinds, status=Status.SUCCEEDED).exclude(media="").first()


def mix_parts(generation: Generation) -> tuple[Generation, Generation]:
    params = generation.params
    video = usable(generation.team, params.get("video"), VIDEO_KINDS)
    speech = usable(generation.team, params.get("speech"), [catalog.TTS])
    if video is None:
        raise FinishingError(f"Video #{params.get('video')} is no longer a finished video "
                             "of the gallery (deleted, or in the trash).")
    if speech is None:
        raise FinishingError(f"Speech #{params.get('speech')} is no longer a finished "
                             "speech of the gallery (deleted, or in the trash).")
    return video, speech


def mix_options(generation: Generation, speech: Generation) -> MixOptions:
    params = generation.params
    offset = float(params.get("offset", 0))
    timed = subtitles.cues(speech.params.get("text", ""), (speech.duration_ms or 0) / 1000,
                           offset=offset) if params.get("subtitles", True) else []
    return MixOptions(offset=offset, fit=params.get("fit", "shortest"),
                      volume=float(params.get("volume", 1)), subtitles=timed)


def sequence_parts(generation: Generation) -> list[Generation]:
    ids = generation.params.get("parts", [])
    found = {g.pk: g for g in Generation.objects.for_team(generation.team_id).in_gallery()
             .filter(pk__in=ids, kind__in=VIDEO_KINDS, status=Status.SUCCEEDED)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise FinishingError("No longer finished videos of the gallery: "
                             + ", ".join(f"#{pk}" for pk in missing) + ".")
    return [found[pk] for pk in ids]


def film_scenes(generation: Generation) -> list[tuple[Generation, Generation, str]]:
    """Each scene's (clip, narration, words), from the team's finished gallery items."""
    scenes = generation.params.get("scenes") or []
    clips = found_items(generation, [scene.get("clip") for scene in scenes], VIDEO_KINDS)
    voices = found_items(generation, [scene.get("speech") for scene in scenes], [catalog.TTS])
    missing = [f"video #{scene.get('clip')}" for scene in scenes if scene.get("clip")
               not in clips] + [f"speech #{scene.get('speech')}" for scene in scenes
                                if scene.get("speech") not in voices]
    if missing:
        raise FinishingError("No longer finished items of the gallery (deleted, or in "
                             "the trash): " + ", ".join(missing) + ".")
    return [(clips[scene["clip"]], voices[scene["speech"]],
             scene.get("text") or voices[scene["speech"]].params.get("text", ""))
            for scene in scenes]


def found_items(generation: Generation, ids: list, kinds: list[str]) -> dict:
    return {g.pk: g for g in Generation.objects.for_team(generation.team_id).in_gallery()
            .filter(pk__in=[pk for pk in ids if isinstance(pk, int)], kind__in=kinds,
                    status=Status.SUCCEEDED).exclude(media="")}


def sequence_cuts(generation: Generation) -> list[tuple[float, float | None, float]]:
    """Each part's (trim in, trim out or None, crossfade) as the params ask; a part
    they leave out plays whole, after a cut."""
    params = generation.params
    count = len(params.get("parts", []))
    trims = list(params.get("trims") or [])[:count]
    fades = list(params.get("crossfades") or [])[:count]
    trims += [[0, None]] * (count - len(trims))
    fades += [0] * (count - len(fades))
    return [(float(trim_in or 0), None if trim_out is None else float(trim_out),
             float(fade or 0)) for (trim_in, trim_out), fade in zip(trims, fades)]


def cues_of(generation: Generation) -> list[Cue]:
    """The subtitles an item carries, on its own clock (approximate timing)."""
    params = generation.params
    seconds = (generation.duration_ms or 0) / 1000
    if generation.kind == catalog.TTS:
        return subtitles.cues(params.get("text", ""), seconds)
    if generation.kind == catalog.MIX and params.get("text"):
        speech_seconds = params.get("speech_ms", 0) / 1000
        return subtitles.cues(params["text"], speech_seconds,
                              offset=float(params.get("offset", 0)), until=seconds or None)
    if generation.kind in (catalog.SEQUENCE, catalog.FILM):
        return [Cue(*cue) for cue in params.get("cues", [])]
    return []
