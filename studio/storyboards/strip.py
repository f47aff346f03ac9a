"""What the storyboard pages show, read from the models and parts.py: each scene's
row (its three parts, their states, its cost, how long its narration lasts) and a
storyboard's state in a word. Read only; the pages act through actions.py."""

from dataclasses import dataclass, field

from studio.generations.models import Generation
from studio.storyboards import making, parts
from studio.storyboards.models import Scene, Storyboard
from studio.storyboards.parts import PartState

# A narrator's pace, for a narration not spoken yet: about 150 words a minute.
WORDS_PER_SECOND = 2.5
PENDING = (PartState.QUEUED, PartState.RUNNING)
LABELS = {parts.SPEECH: "Speech", parts.PICTURE: "Picture", parts.CLIP: "Clip"}
# A part's state on its badge, short; the full words (PartState's label) on hover.
BADGES = {PartState.MISSING: "Not made", PartState.CHANGED: "Changed",
          PartState.QUEUED: "Waiting", PartState.RUNNING: "Being made",
          PartState.READY: "Ready", PartState.FAILED: "Failed"}
FIELD_LABELS = {"narration": "Narration", "picture_prompt": "Picture prompt",
                "motion_prompt": "Motion prompt"}


@dataclass(frozen=True)
class FieldView:
    """One field of a scene as the strip shows it: saved, or as typed with its error."""

    scene: Scene
    name: str
    value: str
    error: str = ""
    saved: bool = False

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.name]

    @property
    def id(self) -> str:
        return f"scene-{self.scene.pk}-{self.name}"


@dataclass(frozen=True)
class PartView:
    name: str  # speech, picture, clip
    state: PartState
    generation: Generation | None  # what it last made, even when changed since
    take_cost: int = 0  # credits a new take would cost (a picture's with its clip)

    @property
    def label(self) -> str:
        return LABELS[self.name]

    @property
    def may_take(self) -> bool:
        """Not while it is being made: a second take would race the first."""
        return self.state not in PENDING

    @property
    def badge(self) -> str:
        return "Waiting for approval" if self.held else BADGES[self.state]

    @property
    def held(self) -> bool:
        """Waiting for an admin's approval (the team's approval limit)."""
        return self.generation is not None and self.generation.state == "held" \
            and self.state in PENDING

    @property
    def shows_media(self) -> bool:
        made = self.generation
        return made is not None and made.status == "succeeded" and bool(made.media)


@dataclass
class Row:
    scene: Scene
    parts: list[PartView]
    cost: int  # credits a make would spend on this scene now
    cost_by_part: dict[str, int]
    typed: dict = field(default_factory=dict)  # a field sent back with its error
    problems: dict = field(default_factory=dict)

    @property
    def pending(self) -> bool:
        return any(part.state in PENDING for part in self.parts)

    @property
    def fields(self) -> list[FieldView]:
        return [FieldView(self.scene, name, self.typed.get(name, getattr(self.scene, name)),
                          self.problems.get(name, "")) for name in FIELD_LABELS]

    @property
    def speech(self) -> PartView:
        return self.parts[0]

    @property
    def seconds(self) -> float:
        """The speech's length when it is made and current, else an estimate."""
        made = self.speech.generation
        if self.speech.state == PartState.READY and made and made.duration_ms:
            return made.duration_ms / 1000
        return estimated_seconds(self.scene.narration)

    @property
    def estimated(self) -> bool:
        made = self.speech.generation
        return not (self.speech.state == PartState.READY and made and made.duration_ms)


def estimated_seconds(narration: str) -> float:
    return round(max(1, len(narration.split())) / WORDS_PER_SECOND, 1)


def rows(storyboard: Storyboard) -> list[Row]:
    """One row per scene, in order, with what a make would cost now."""
    costs = parts.scene_costs(storyboard)
    return [row_of(cost.scene, cost.parts) for cost in costs.scenes]


def row_of(scene: Scene, cost_by_part: dict[str, int]) -> Row:
    states = parts.scene_state(scene)
    views = [PartView(name, states[name], parts.generation_of(scene, name),
                      take_cost(scene, name)) for name in parts.PARTS]
    return Row(scene, views, sum(cost_by_part.values()), cost_by_part)


def take_cost(scene: Scene, part: str) -> int:
    with_clip = [parts.CLIP] if part == parts.PICTURE else []
    return sum(parts.cost_of(scene, each) for each in [part, *with_clip])


def row(scene: Scene) -> Row:
    """One scene's row alone (its cost as in scene_costs)."""
    return row_of(scene, parts.cost_of_scene(scene).parts)


def film_of(storyboard: Storyboard) -> Generation | None:
    film = storyboard.film
    return film if film is not None and film.deleted_at is None else None


def film_state(storyboard: Storyboard) -> PartState:
    """The latest film's state, as a part's: missing, changed (the scenes moved on
    since), queued (waiting for its parts), running, ready or failed."""
    return making.film_state(storyboard, making.scenes_of(storyboard))


def state_of(storyboard: Storyboard, shown: list[Row] | None = None) -> tuple[str, str]:
    """(code, words) for the list and the page's head: making, failed, ready (the
    film is current), changed (a film, but scenes changed since) or draft."""
    shown = rows(storyboard) if shown is None else shown
    states = [part.state for row in shown for part in row.parts]
    film = film_state(storyboard)
    if any(state in PENDING for state in [*states, film]):
        return "making", "Making"
    if PartState.FAILED in [*states, film]:
        return "failed", "Something failed"
    if film == PartState.READY and all(state == PartState.READY for state in states):
        return "ready", "Film ready"
    if film != PartState.MISSING:
        return "changed", "Changed since the film"
    return "draft", "Not made yet"


@dataclass(frozen=True)
class Progress:
    ready: int
    parts: int
    making: int
    held: int

    @property
    def percent(self) -> int:
        return round(100 * self.ready / self.parts) if self.parts else 0


def progress(shown: list[Row]) -> Progress:
    """How many parts of all scenes are ready, being made, held for approval."""
    views = [part for row in shown for part in row.parts]
    return Progress(sum(part.state == PartState.READY for part in views), len(views),
                    sum(part.state in PENDING for part in views),
                    sum(part.held for part in views))
