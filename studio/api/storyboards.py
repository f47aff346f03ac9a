"""Storyboards for a token: made from a script and made into a film, through the
storyboards app's actions (the same permission, audit line and set as the pages).
Lists answer `{"items": [...], "next": <URL or null>}`."""

from typing import Literal

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema

from studio.api import idempotency, problems
from studio.api.lists import PageQuery, page_of, paged
from studio.api.models import Scope
from studio.api.problems import Problem
from studio.api.schemas import AnyKind, ProblemOut, Strict, Timestamp
from studio.api.service import ERRORS, ItemId, api, membership, need
from studio.api.work import REFUSED, answer, as_json
from studio.multimodal import catalog
from studio.storyboards import actions, making, parts
from studio.storyboards.models import CROSSFADE_MAX, TITLE_MAX, Scene, Storyboard
from studio.storyboards.script import SCRIPT_MAX

VoiceName = Literal[catalog.VOICES]
ProviderName = Literal[tuple(p.name for p in catalog.I2V_PROVIDERS)]
PartStateName = Literal[tuple(parts.PartState.values)]


class StoryboardIn(Strict):
    title: str = Field(max_length=TITLE_MAX, pattern=r"\S", description="Not blank; the "
                       "film's title card.")
    script: str = Field(
        max_length=SCRIPT_MAX, description="Scenes separated by blank lines; in a scene, a "
        "line starting `Picture:` is the picture's prompt, one starting `Motion:` the "
        "motion prompt (each defaults to the narration), every other line the narration.")
    look: str = Field("", max_length=300, description="A style line appended to every "
                                                      "picture prompt.")
    voice: VoiceName = Field(None, description="The narrators' voice (default: the "
                                               "catalog's).")
    provider: ProviderName = Field(None, description="Who renders the clips (default: "
                                                     "the catalog's).")
    crossfade: float = Field(0.0, ge=0, le=CROSSFADE_MAX, description="Seconds each scene "
                             "dissolves into the next; 0 is a cut.")


class PartOut(Schema):
    state: PartStateName
    generation: int | None = Field(description="The latest generation of this part.")
    cost: int = Field(description="Credits a make would spend on it now (0 when made and "
                                  "unchanged).")


class SceneOut(Schema):
    id: int
    position: int = Field(description="0 first.")
    narration: str
    picture_prompt: str
    motion_prompt: str
    voice: VoiceName
    provider: ProviderName
    speech: PartOut
    picture: PartOut
    clip: PartOut
    cost: int = Field(description="What a make would spend on this scene now.")


class FilmOut(Schema):
    state: PartStateName
    generation: int | None


class StoryboardOut(Schema):
    id: int
    title: str
    look: str
    voice: VoiceName
    provider: ProviderName
    crossfade: float
    made_by: str | None
    created_at: Timestamp
    updated_at: Timestamp
    scenes: list[SceneOut]
    film: FilmOut
    cost: int = Field(description="What a make would spend now, in all: the quote.")


class StoryboardSummaryOut(Schema):
    id: int
    title: str
    scene_count: int
    film: int | None = Field(description="The latest film's generation.")
    made_by: str | None
    created_at: Timestamp
    updated_at: Timestamp


class MadePartOut(Schema):
    generation: int
    kind: AnyKind
    scene: int | None = Field(description="The scene's id; none for the film.")
    part: Literal[(*parts.PARTS, "film")]


class MadeSetOut(Schema):
    """The set made (GET /api/v1/sets/{id} follows its progress)."""

    id: int
    size: int
    quote: int = Field(description="Credits reserved for the set: what it will be charged.")
    held: bool = Field(description="Above the team's approval limit: waiting for an admin.")
    expected_finish: Timestamp | None
    generations: list[MadePartOut] = Field(description="What the set makes, in order: "
                                                       "each scene's parts, the film last.")


def storyboard_out(storyboard: Storyboard) -> dict:
    scenes = making.scenes_of(storyboard)
    costs = {cost.scene.pk: cost for cost in parts.scene_costs(storyboard).scenes}
    return {"id": storyboard.pk, "title": storyboard.title, "look": storyboard.look,
            "voice": storyboard.voice, "provider": storyboard.provider,
            "crossfade": storyboard.crossfade, "made_by": author_of(storyboard),
            "created_at": storyboard.created_at, "updated_at": storyboard.updated_at,
            "scenes": [scene_out(scene, costs[scene.pk]) for scene in scenes],
            "film": {"state": making.film_state(storyboard, scenes),
                     "generation": storyboard.film_id},
            "cost": sum(cost.total for cost in costs.values())}


def scene_out(scene: Scene, cost: parts.SceneCost) -> dict:
    states = parts.scene_state(scene)
    return {"id": scene.pk, "position": scene.position, "narration": scene.narration,
            "picture_prompt": scene.the_picture_prompt,
            "motion_prompt": scene.the_motion_prompt, "voice": scene.the_voice,
            "provider": scene.the_provider, "cost": cost.total,
            **{part: {"state": states[part], "generation": getattr(scene, f"{part}_id"),
                      "cost": cost.parts[part]} for part in parts.PARTS}}


def summary_out(storyboard: Storyboard) -> dict:
    return {"id": storyboard.pk, "title": storyboard.title,
            "scene_count": storyboard.scene_count, "film": storyboard.film_id,
            "made_by": author_of(storyboard), "created_at": storyboard.created_at,
            "updated_at": storyboard.updated_at}


def author_of(storyboard: Storyboard) -> str | None:
    return storyboard.author.username if storyboard.author else None


def team_storyboard(request: HttpRequest, pk: int) -> Storyboard:
    found = Storyboard.objects.for_team(membership(request).team).filter(pk=pk) \
        .select_related("author", "film").first()
    if found is None:
        raise Problem("not-found", f"No storyboard #{pk} in this team.")
    return found


def refused_or(done, body) -> HttpResponse:
    """A refusal with problems by field answers 422 naming them; a credit limit its
    own 402; any other refusal its action's problem."""
    if done.ok:
        return body()
    if isinstance(done.result, dict):
        return problems.response("validation", done.message,
                                 errors={k: [v] for k, v in done.result.items()})
    if done.code in problems.LIMITS:
        return problems.response(problems.LIMITS[done.code], done.message)
    return answer(done, body)


@api.get("/storyboards", response={200: page_of(StoryboardSummaryOut), **ERRORS},
         tags=["storyboards"])
def list_storyboards(request, paging: Query[PageQuery]):
    """The team's storyboards, newest first; the next page is at `next`."""
    need(request, Scope.READ)
    rows = Storyboard.objects.for_team(membership(request).team).select_related("author") \
        .annotate(scene_count=Count("scenes"))
    return paged(request, rows, paging, summary_out)


@api.post("/storyboards", response={201: StoryboardOut, **REFUSED}, tags=["storyboards"])
def create_storyboard(request, body: StoryboardIn):
    """A storyboard from a script: its scenes, each part's state and what making it
    would cost (nothing is sent until `make`)."""
    token = need(request, Scope.GENERATE)

    def run() -> HttpResponse:
        done = actions.create(membership(request), body.title, body.script, look=body.look,
                              voice=body.voice or "", provider=body.provider or "",
                              crossfade=body.crossfade)
        return refused_or(done, lambda: as_json(StoryboardOut, storyboard_out(done.result),
                                                201))
    return idempotency.once(request, token, run)


@api.get("/storyboards/{int:pk}", response={200: StoryboardOut, **ERRORS},
         tags=["storyboards"])
def get_storyboard(request, pk: ItemId):
    need(request, Scope.READ)
    return storyboard_out(team_storyboard(request, pk))


@api.post("/storyboards/{int:pk}/make",
          response={202: MadeSetOut, 402: ProblemOut, **REFUSED}, tags=["storyboards"])
def make_storyboard(request, pk: ItemId):
    """One set of what is missing, changed or failed (per scene speech, picture, clip
    from the picture) and the film once they are ready: quoted, reserved and judged
    against the team's budget and approval limit as a whole. 409 `nothing-to-make`
    when all is made and unchanged."""
    token = need(request, Scope.GENERATE)
    storyboard = team_storyboard(request, pk)

    def run() -> HttpResponse:
        done = actions.make(membership(request), storyboard)
        return refused_or(done, lambda: as_json(MadeSetOut, made_out(storyboard,
                                                                      done.result), 202))
    return idempotency.once(request, token, run)


def made_out(storyboard: Storyboard, outcome) -> dict:
    generation_set = outcome.generations[0].generation_set
    scene_of = {getattr(scene, f"{part}_id"): (scene.pk, part)
                for scene in storyboard.scenes.all() for part in parts.PARTS}
    return {"id": generation_set.pk, "size": generation_set.size,
            "quote": generation_set.cost, "held": outcome.held,
            "expected_finish": outcome.expected_finish,
            "generations": [made_part(g, *scene_of.get(g.pk, (None, "film")))
                            for g in outcome.generations]}


def made_part(generation, scene: int | None, part: str) -> dict:
    return {"generation": generation.pk, "kind": generation.kind, "scene": scene,
            "part": part}
