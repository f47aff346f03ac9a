"""What a person or a token can do to a storyboard, each one function returning a
`Done` (studio.lib.outcome), as studio/generations/actions.py does for generations.

Any member who may generate may write the team's storyboards; viewers get
`PermissionDenied`. A refusal for bad input is `Done(False, message, "invalid",
result={field: message})`, the fields named as the pages' and the API's: `title`,
`script`, `look`, `voice`, `provider`, `crossfade`, `narration`, `picture_prompt`,
`motion_prompt`, `position`, `at_char`. Finding the storyboard or scene in the team
(404 otherwise) is the door's, through `Storyboard.objects.for_team`.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from studio.generations import submission
from studio.lib.outcome import Done
from studio.multimodal import catalog
from studio.storyboards import making, parts
from studio.storyboards.models import CROSSFADE_MAX, TITLE_MAX, Scene, Storyboard
from studio.storyboards.script import SCENES_MAX, SceneDraft, ScriptError, parse_script
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership

Action = AuditEvent.Action
TEXT_FIELDS = ("narration", "picture_prompt", "motion_prompt")
# Which scene field's words each part's parameter carries, to name the field at fault.
FIELD_OF = {"text": "narration", "prompt": "picture_prompt", "motion_prompt": "motion_prompt",
            "voice": "voice", "provider": "provider"}


def invalid(field: str, message: str) -> Done:
    return Done(False, message, "invalid", result={field: message})


def check_may_write(member: Membership) -> None:
    if not member.can_generate:
        raise PermissionDenied("Viewers can watch storyboards, not change them.")


def record(member: Membership, action: str, summary: str, **details) -> None:
    audit.record(member.team, member.user, action, summary, **details)


def storyboard_problems(title: str, look: str, voice: str, provider: str,
                        crossfade: float) -> dict[str, str]:
    problems = {}
    if not title.strip():
        problems["title"] = "Give the storyboard a title."
    elif len(title.strip()) > TITLE_MAX:
        problems["title"] = f"A title is at most {TITLE_MAX} characters (the film's title card)."
    if len(look) > Storyboard._meta.get_field("look").max_length:
        problems["look"] = "A look is at most 300 characters: a short style line."
    if voice not in catalog.VOICES:
        problems["voice"] = "Choose one of the voices: " + ", ".join(catalog.VOICES) + "."
    if provider not in {p.name for p in catalog.I2V_PROVIDERS}:
        problems["provider"] = "Choose a provider: " + ", ".join(
            p.name for p in catalog.I2V_PROVIDERS) + "."
    if not 0 <= crossfade <= CROSSFADE_MAX:
        problems["crossfade"] = f"A crossfade is 0 (a cut) to {CROSSFADE_MAX:g} seconds."
    return problems


def scene_problems(scene: Scene) -> dict[str, str]:
    """What the API would refuse in any part of the scene, by the scene's field."""
    problems = {}
    for part in parts.PARTS:
        kind = catalog.get(parts.KIND_OF[part])
        for name, message in kind.violations(parts.params_of(scene, part)).items():
            if name in FIELD_OF:
                problems.setdefault(FIELD_OF[name], f"{part.capitalize()}: {message}.")
    return problems


def first_invalid(problems: dict[str, str], where: str = "") -> Done | None:
    if not problems:
        return None
    message = next(iter(problems.values()))
    return Done(False, f"{where}{message}", "invalid", result=problems)


# --- a storyboard -------------------------------------------------------------------


def create(membership: Membership, title: str, script: str, look: str = "",
           voice: str = "", provider: str = "", crossfade: float = 0.0) -> Done:
    """A storyboard from a script (script.parse_script). `result`: the storyboard.
    A blank voice or provider means the catalog's default."""
    check_may_write(membership)
    storyboard = Storyboard(team=membership.team, author=membership.user,
                            title=title.strip(), look=look.strip(), crossfade=crossfade)
    storyboard.voice = voice or storyboard.voice
    storyboard.provider = provider or storyboard.provider
    refusal = first_invalid(storyboard_problems(
        title, storyboard.look, storyboard.voice, storyboard.provider, crossfade))
    if refusal:
        return refusal
    try:
        drafts = parse_script(script)
    except ScriptError as exc:
        return invalid("script", str(exc))
    scenes = [scene_from(storyboard, position, draft) for position, draft in enumerate(drafts)]
    for scene in scenes:
        refusal = first_invalid(scene_problems(scene), f"Scene {scene.number}: ")
        if refusal:
            return Done(False, refusal.message, "invalid", result={"script": refusal.message})
    with transaction.atomic():
        storyboard.save()
        for scene in scenes:
            scene.storyboard = storyboard
        Scene.objects.bulk_create(scenes)
    record(membership, Action.STORYBOARD_CREATED, f"Made the storyboard “{storyboard.title}” "
           f"of {len(scenes)} scenes", storyboard=storyboard.pk)
    return Done(True, f"“{storyboard.title}”: {len(scenes)} scenes.", result=storyboard)


def scene_from(storyboard: Storyboard, position: int, draft: SceneDraft) -> Scene:
    return Scene(storyboard=storyboard, position=position, narration=draft.narration,
                 picture_prompt=draft.picture_prompt, motion_prompt=draft.motion_prompt)


def edit(membership: Membership, storyboard: Storyboard, **changes) -> Done:
    """Change any of `title`, `look`, `voice`, `provider`, `crossfade`. `result`: the
    storyboard. A new look changes every picture (and so every clip) at the next make."""
    check_may_write(membership)
    unknown = set(changes) - {"title", "look", "voice", "provider", "crossfade"}
    if unknown:
        raise TypeError(f"not a storyboard field: {', '.join(sorted(unknown))}")
    wanted = {name: getattr(storyboard, name) for name in
              ("title", "look", "voice", "provider", "crossfade")} | changes
    wanted["title"], wanted["look"] = wanted["title"].strip(), wanted["look"].strip()
    refusal = first_invalid(storyboard_problems(**wanted))
    if refusal:
        return refusal
    for name, value in wanted.items():
        setattr(storyboard, name, value)
    storyboard.save()
    record(membership, Action.STORYBOARD_CHANGED, f"Changed the storyboard "
           f"“{storyboard.title}”", storyboard=storyboard.pk, fields=sorted(changes))
    return Done(True, "Storyboard saved.", result=storyboard)


# --- its scenes -----------------------------------------------------------------------


def edit_scene(membership: Membership, scene: Scene, **changes) -> Done:
    """Change any of `narration`, `picture_prompt`, `motion_prompt`, `voice`,
    `provider` (blank prompts: the narration; blank voice or provider: the
    storyboard's). Nothing is sent: the next make re-makes what this changed.
    `result`: the scene."""
    check_may_write(membership)
    unknown = set(changes) - {*TEXT_FIELDS, "voice", "provider"}
    if unknown:
        raise TypeError(f"not a scene field: {', '.join(sorted(unknown))}")
    changes = {name: (value or "").strip() for name, value in changes.items()}
    if "narration" in changes and not changes["narration"]:
        return invalid("narration", "A scene needs something to say.")
    before = {name: getattr(scene, name) for name in changes}
    for name, value in changes.items():
        setattr(scene, name, value)
    refusal = first_invalid(scene_problems(scene))
    if refusal:
        for name, value in before.items():
            setattr(scene, name, value)
        return refusal
    scene.save(update_fields=list(changes))
    touched(membership, scene.storyboard, f"Changed scene {scene.number}")
    return Done(True, f"Scene {scene.number} saved.", result=scene)


def touched(membership: Membership, storyboard: Storyboard, what: str) -> None:
    storyboard.save(update_fields=["updated_at"])
    record(membership, Action.STORYBOARD_CHANGED, f"{what} of the storyboard "
           f"“{storyboard.title}”", storyboard=storyboard.pk)


def add_scene(membership: Membership, storyboard: Storyboard, narration: str,
              picture_prompt: str = "", motion_prompt: str = "",
              position: int | None = None) -> Done:
    """A new scene at `position` (0 first; None: at the end); blank prompts are its
    narration as given. `result`: the scene."""
    check_may_write(membership)
    narration = narration.strip()
    if not narration:
        return invalid("narration", "A scene needs something to say.")
    with transaction.atomic():
        scenes = locked_scenes(storyboard)
        if len(scenes) >= SCENES_MAX:
            return invalid("narration", f"A storyboard holds at most {SCENES_MAX} scenes.")
        scene = scene_from(storyboard, 0, SceneDraft(
            narration, picture_prompt.strip() or narration, motion_prompt.strip() or narration))
        refusal = first_invalid(scene_problems(scene))
        if refusal:
            return refusal
        scene.save()
        place(scenes, scene, len(scenes) if position is None else position)
    touched(membership, storyboard, f"Added scene {scene.number}")
    return Done(True, f"Scene {scene.number} added.", result=scene)


def split_scene(membership: Membership, scene: Scene, at_char: int) -> Done:
    """The narration cut in two at `at_char`: this scene keeps the first half (its
    speech to be made again), a new scene after it takes the rest, with this scene's
    own prompts. `result`: the new scene."""
    check_may_write(membership)
    first, rest = scene.narration[:at_char].strip(), scene.narration[at_char:].strip()
    if not first or not rest:
        return invalid("at_char", "Split between words, with something to say on "
                                  "either side.")
    with transaction.atomic():
        scenes = locked_scenes(scene.storyboard)
        if len(scenes) >= SCENES_MAX:
            return invalid("at_char", f"A storyboard holds at most {SCENES_MAX} scenes.")
        Scene.objects.filter(pk=scene.pk).update(narration=first)
        scene.narration = first
        after = scene_from(scene.storyboard, 0, SceneDraft(
            rest, scene.picture_prompt, scene.motion_prompt))
        after.voice, after.provider = scene.voice, scene.provider
        after.save()
        place(scenes, after, scene_index(scenes, scene) + 1)
    touched(membership, scene.storyboard, f"Split scene {scene.number}")
    return Done(True, f"Scene {scene.number} split in two.", result=after)


def remove_scene(membership: Membership, scene: Scene) -> Done:
    """The scene gone (what it made stays in the gallery); not the last one."""
    check_may_write(membership)
    storyboard = scene.storyboard
    with transaction.atomic():
        scenes = locked_scenes(storyboard)
        if len(scenes) <= 1:
            return invalid("position", "A storyboard needs at least one scene.")
        gone = scene.pk
        scene.delete()
        renumber([s for s in scenes if s.pk != gone])
    touched(membership, storyboard, f"Removed scene {scene.number}")
    return Done(True, f"Scene {scene.number} removed.")


def move_scene(membership: Membership, scene: Scene, position: int) -> Done:
    """The scene to `position` (0 first; clamped to the storyboard). `result`: the
    scene, renumbered."""
    check_may_write(membership)
    with transaction.atomic():
        scenes = locked_scenes(scene.storyboard)
        moving = scenes.pop(scene_index(scenes, scene))
        place(scenes, moving, position)
    scene.position = moving.position
    touched(membership, scene.storyboard, f"Moved a scene to place {scene.number}")
    return Done(True, f"The scene is now scene {scene.number}.", result=scene)


def locked_scenes(storyboard: Storyboard) -> list[Scene]:
    """The scenes in order, the storyboard locked until the transaction ends (two
    people reordering at once renumber one after the other)."""
    Storyboard.objects.select_for_update().filter(pk=storyboard.pk).first()
    return list(storyboard.scenes.order_by("position", "id"))


def scene_index(scenes: list[Scene], scene: Scene) -> int:
    return next(i for i, s in enumerate(scenes) if s.pk == scene.pk)


def place(scenes: list[Scene], scene: Scene, position: int) -> None:
    scenes.insert(max(0, min(position, len(scenes))), scene)
    renumber(scenes)


def renumber(scenes: list[Scene]) -> None:
    for position, scene in enumerate(scenes):
        if scene.position != position:
            scene.position = position
            Scene.objects.filter(pk=scene.pk).update(position=position)


# --- making it ------------------------------------------------------------------------


def make(membership: Membership, storyboard: Storyboard) -> Done:
    """One set of what is missing, changed or failed, and the film (making.py),
    quoted, judged against the team's budget and approval limit and reserved as a
    whole. `result`: the submission's Outcome (its `verdict` when refused, code
    "budget", or the verdict's reason); code "nothing_to_make" when all is made."""
    check_may_write(membership)
    scenes = making.scenes_of(storyboard)
    parts_wanted, orders = making.orders(storyboard, scenes)
    if not orders:
        return Done(False, "Everything is made and unchanged: the film is up to date.",
                    "nothing_to_make")
    return submitted(membership, storyboard, scenes, parts_wanted, orders)


def retake(membership: Membership, scene: Scene, part: str) -> Done:
    """One part of one scene made again (a picture with its clip), as a set of its
    own like `make`, and the film again when every other part is made."""
    check_may_write(membership)
    if part not in parts.PARTS:
        return invalid("part", "Choose the speech, the picture or the clip.")
    scenes = making.scenes_of(scene.storyboard)
    same = next(each for each in scenes if each.pk == scene.pk)
    parts_wanted, orders = making.retake(scene.storyboard, scenes, same, part)
    return submitted(membership, scene.storyboard, scenes, parts_wanted, orders)


def submitted(membership: Membership, storyboard: Storyboard, scenes: list[Scene],
              parts_wanted: list, orders: list) -> Done:
    outcome = submission.submit_all(
        membership, membership.user, orders,
        link=making.linker(storyboard, scenes, parts_wanted),
        template={"storyboard": storyboard.pk, "title": storyboard.title})
    if not outcome.queued:
        return Done(False, f"Not made: {outcome.verdict.refusal}",
                    outcome.verdict.reason or "budget", result=outcome)
    made = outcome.generations[0].generation_set
    film = " and the film" if len(orders) > len(parts_wanted) else ""
    return Done(True, f"Making “{storyboard.title}”: {len(parts_wanted)} "
                      f"part{'s' if len(parts_wanted) != 1 else ''}{film}, as set "
                      f"#{made.pk} ({made.cost:,} credits)"
                      + (": waiting for approval." if outcome.held else "."),
                result=outcome)
