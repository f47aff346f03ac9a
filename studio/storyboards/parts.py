"""What each part of a scene would be sent with now, how far each part is, and what
making the storyboard again would cost. Read only: actions.py and making.py act.

A part is `changed` when what it was made from (`Scene.<part>_made_from`) is not
what it would be sent with now; a clip is also changed when its picture is to be
made again. Making sends the parts that are missing, changed or failed.
"""

from dataclasses import dataclass

from django.db import models

from studio.generations.models import Generation
from studio.generations.states import Status
from studio.multimodal import catalog
from studio.storyboards.models import Scene, Storyboard

SPEECH, PICTURE, CLIP = "speech", "picture", "clip"
PARTS = (SPEECH, PICTURE, CLIP)
KIND_OF = {SPEECH: catalog.TTS, PICTURE: catalog.IMAGE, CLIP: catalog.VIDEO_I2V}
PICTURE_SIZE = {"width": 1280, "height": 720}  # the clips' own frame


class PartState(models.TextChoices):
    MISSING = "missing", "Not made yet"
    CHANGED = "changed", "Changed since it was made"
    QUEUED = "queued", "Waiting"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


TO_MAKE = (PartState.MISSING, PartState.CHANGED, PartState.FAILED)
BY_STATUS = {Status.QUEUED: PartState.QUEUED, Status.RUNNING: PartState.RUNNING,
             Status.SUCCEEDED: PartState.READY, Status.FAILED: PartState.FAILED,
             Status.CANCELED: PartState.FAILED}


def picture_prompt(scene: Scene) -> str:
    """The scene's prompt with the storyboard's look, so the film looks like one piece."""
    look = scene.storyboard.look.strip()
    prompt = scene.the_picture_prompt.strip()
    return f"{prompt.rstrip('.,;')}, {look}" if look else prompt


def params_of(scene: Scene, part: str) -> dict:
    """What the part would be sent with now (a clip's image link is signed at sending,
    from its picture)."""
    kind = catalog.get(KIND_OF[part])
    if part == SPEECH:
        return kind.with_defaults({"text": scene.narration, "voice": scene.the_voice})
    if part == PICTURE:
        return kind.with_defaults({"prompt": picture_prompt(scene), **PICTURE_SIZE})
    return kind.with_defaults({"motion_prompt": scene.the_motion_prompt,
                               "provider": scene.the_provider})


def made_from(scene: Scene, part: str) -> dict:
    """The fingerprint a part keeps: its parameters, and for a clip its picture."""
    fingerprint = params_of(scene, part)
    if part == CLIP:
        fingerprint["picture"] = scene.picture_id
    return fingerprint


def generation_of(scene: Scene, part: str) -> Generation | None:
    made = getattr(scene, part)
    return made if made is not None and made.deleted_at is None else None


def part_state(scene: Scene, part: str) -> PartState:
    made = generation_of(scene, part)
    if made is None:
        return PartState.MISSING
    if getattr(scene, f"{part}_made_from") != made_from(scene, part):
        return PartState.CHANGED
    if part == CLIP and part_state(scene, PICTURE) in TO_MAKE:
        return PartState.CHANGED
    return BY_STATUS[Status(made.status)]


def scene_state(scene: Scene) -> dict[str, PartState]:
    """Each part's state: missing, changed, queued, running, ready or failed."""
    return {part: part_state(scene, part) for part in PARTS}


def to_make(scene: Scene) -> list[str]:
    """The parts a make sends now, in the order they are made."""
    states = scene_state(scene)
    return [part for part in PARTS if states[part] in TO_MAKE]


@dataclass(frozen=True)
class SceneCost:
    scene: Scene
    parts: dict[str, int]  # credits per part; 0 for what is made and unchanged

    @property
    def total(self) -> int:
        return sum(self.parts.values())


@dataclass(frozen=True)
class Costs:
    scenes: list[SceneCost]

    @property
    def total(self) -> int:
        return sum(cost.total for cost in self.scenes)


def cost_of(scene: Scene, part: str) -> int:
    return catalog.get(KIND_OF[part]).cost_for(params_of(scene, part))


def scene_costs(storyboard: Storyboard) -> Costs:
    """What a make would cost now, per scene and part (the catalog's prices) and in
    all; the film itself is made by the studio and costs nothing."""
    scenes = storyboard.scenes.select_related("speech", "picture", "clip", "storyboard")
    return Costs([cost_of_scene(scene) for scene in scenes.order_by("position", "id")])


def cost_of_scene(scene: Scene) -> SceneCost:
    making = to_make(scene)
    return SceneCost(scene, {part: cost_of(scene, part) if part in making else 0
                             for part in PARTS})
