"""Making a storyboard: the orders of one set (per scene the speech, picture and clip
that are missing, changed or failed, then the film of every scene), and how their
rows are tied together before the set commits: a clip animates its picture and waits
for it; the film names every scene's clip and speech and waits for them all.

A scene that is made and unchanged sends nothing; the film is made again whenever
anything of it is, or the title, crossfade, narrations or order changed.
"""

from functools import partial

from studio.generations import submission
from studio.generations.models import Generation
from studio.multimodal import catalog
from studio.storyboards import parts
from studio.storyboards.models import Scene, Storyboard

Wanted = list[tuple[Scene, str]]  # (scene, part) to make, in the order of the orders


def scenes_of(storyboard: Storyboard) -> list[Scene]:
    return list(storyboard.scenes.select_related("speech", "picture", "clip", "storyboard")
                .order_by("position", "id"))


def film_params(storyboard: Storyboard, scenes: list[Scene]) -> dict:
    """What the film is made of (studio/finishing's film maker reads it)."""
    return {"title": storyboard.title, "crossfade": storyboard.crossfade,
            "scenes": [{"clip": scene.clip_id, "speech": scene.speech_id,
                        "text": scene.narration} for scene in scenes]}


def film_state(storyboard: Storyboard, scenes: list[Scene]) -> parts.PartState:
    """The film's state, as a scene part's (parts.PartState)."""
    film = storyboard.film
    if film is None or film.deleted_at is not None:
        return parts.PartState.MISSING
    if storyboard.film_made_from != film_params(storyboard, scenes):
        return parts.PartState.CHANGED
    return parts.BY_STATUS[film.status]


def wanted(scenes: list[Scene]) -> Wanted:
    return [(scene, part) for scene in scenes for part in parts.to_make(scene)]


def orders(storyboard: Storyboard, scenes: list[Scene]) -> tuple[Wanted, list]:
    """The parts to make and the set's orders: one per part, and the film last
    (its parameters are filled in by `connect`, once its parts have ids)."""
    parts_wanted = wanted(scenes)
    if not parts_wanted and film_state(storyboard, scenes) not in parts.TO_MAKE:
        return [], []
    made = [order_of(catalog.get(parts.KIND_OF[part]), parts.params_of(scene, part))
            for scene, part in parts_wanted]
    return parts_wanted, [*made, order_of(catalog.get(catalog.FILM), {})]


def retake(storyboard: Storyboard, scenes: list[Scene], scene: Scene,
           part: str) -> tuple[Wanted, list]:
    """A new take of one part of one scene (a new picture brings a new clip; a clip
    whose picture is missing, changed or failed brings its picture), made or not, and
    the film again when nothing else is left to make; nothing more."""
    chosen = [(scene, part)] + ([(scene, parts.CLIP)] if part == parts.PICTURE else [])
    if part == parts.CLIP and parts.part_state(scene, parts.PICTURE) in parts.TO_MAKE:
        chosen.insert(0, (scene, parts.PICTURE))
    taken = {(each.pk, name) for each, name in chosen}
    others = [(each, name) for each, name in wanted(scenes) if (each.pk, name) not in taken]
    made = [order_of(catalog.get(parts.KIND_OF[name]), parts.params_of(each, name))
            for each, name in chosen]
    film = [] if others else [order_of(catalog.get(catalog.FILM), {})]
    return chosen, [*made, *film]


def order_of(kind: catalog.Kind, params: dict) -> submission.Order:
    return submission.Order(kind=kind, params=params, expanded=[params])


def linker(storyboard: Storyboard, scenes: list[Scene], parts_wanted: Wanted):
    return partial(connect, storyboard, scenes, parts_wanted)


def connect(storyboard: Storyboard, scenes: list[Scene], parts_wanted: Wanted,
            rows: list[list[Generation]]) -> None:
    """Inside the set's transaction: each new row put in its scene, each clip on its
    picture, the film on every part."""
    made = {(scene.pk, part): each[0] for (scene, part), each in zip(parts_wanted, rows)}
    for scene in scenes:
        changed = [part for part in parts.PARTS if (scene.pk, part) in made]
        for part in changed:
            put(scene, part, made[(scene.pk, part)])
        if changed:
            scene.save(update_fields=[field for part in changed
                                      for field in (part, f"{part}_made_from")])
    if len(rows) == len(parts_wanted):  # a retake while other parts are still to make
        return
    film = rows[-1][0]
    film.params = film_params(storyboard, scenes)
    film.save(update_fields=["params"])
    film.waits_for.set([pk for scene in scenes for pk in (scene.clip_id, scene.speech_id)])
    storyboard.film, storyboard.film_made_from = film, film.params
    storyboard.save(update_fields=["film", "film_made_from", "updated_at"])


def put(scene: Scene, part: str, generation: Generation) -> None:
    if part == parts.CLIP:
        generation.source = scene.picture
        generation.save(update_fields=["source"])
        generation.waits_for.add(scene.picture)
    setattr(scene, part, generation)
    setattr(scene, f"{part}_made_from", parts.made_from(scene, part))
