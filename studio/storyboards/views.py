"""The storyboard pages: the list (with its create form), and a storyboard's scene
strip, where its scenes are written, ordered and made into a film. Each change is one
action of studio.storyboards.actions; these views only adapt it to the page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from studio.lib.outcome import on_page, on_page_or_text, refused
from studio.multimodal import catalog
from studio.storyboards import actions, forms, strip
from studio.storyboards.models import TITLE_MAX, VOICE_CHOICES, Scene, Storyboard
from studio.teams.scoping import current_membership, get_for_team_or_404, team_queryset


def storyboard_or_404(request: HttpRequest, pk: int) -> Storyboard:
    return get_for_team_or_404(request, Storyboard.objects.select_related("film"), pk=pk)


def scene_or_404(request: HttpRequest, pk: int) -> Scene:
    return get_for_team_or_404(request, Scene.objects.select_related(
        "storyboard", "speech", "picture", "clip"), pk=pk)


def choices() -> dict:
    """The voices and providers the forms offer, from the catalog, and the longest
    title a film's title card takes."""
    return {"voices": VOICE_CHOICES, "providers": catalog.I2V_PROVIDERS,
            "script_example": forms.SCRIPT_EXAMPLE, "title_max": TITLE_MAX}


def listed(request: HttpRequest) -> QuerySet:
    return team_queryset(request, Storyboard.objects.select_related("film", "author")) \
        .annotate(size=Count("scenes"))


@login_required
@require_http_methods(["GET", "POST"])
def storyboard_list(request: HttpRequest) -> HttpResponse:
    member = current_membership(request)
    typed, problems = forms.blank_storyboard(), {}
    if request.method == "POST":
        typed |= forms.typed(request.POST, forms.STORYBOARD_FIELDS)
        done, problems = create(member, typed)
        if done is not None and done.ok:
            return redirect("storyboard", pk=done.result.pk)
    boards = [(board, strip.state_of(board)) for board in listed(request)]
    return render(request, "storyboards/list.html", {
        "storyboards": boards, "typed": typed, "problems": problems, **choices()},
        status=400 if problems else 200)


def create(member, typed: dict) -> tuple:
    """(the action's Done or None, the problems by field)."""
    seconds, problem = forms.crossfade(typed["crossfade"])
    if problem:
        return None, {"crossfade": problem}
    done = actions.create(member, typed["title"], typed["script"], look=typed["look"],
                          voice=typed["voice"], provider=typed["provider"],
                          crossfade=seconds)
    return done, ({} if done.ok else done.result or {"script": done.message})


@login_required
def storyboard(request: HttpRequest, pk: int) -> HttpResponse:
    return strip_page(request, storyboard_or_404(request, pk))


def strip_page(request: HttpRequest, found: Storyboard, status: int = 200,
               **extra) -> HttpResponse:
    """The strip; `extra`: a form sent back with its errors and what was typed."""
    context = {**panel_context(found), **choices(), "settings_typed": forms.settings_of(found),
               "settings_problems": {}, "add_typed": {}, "add_problems": {},
               "scene_typed": {}, "scene_problems": {}, **extra}
    for row in context["rows"]:
        row.typed = context["scene_typed"].get(row.scene.pk, {})
        row.problems = context["scene_problems"].get(row.scene.pk, {})
    return render(request, "storyboards/storyboard.html", context, status=status)


def strip_url(found: Storyboard, scene: Scene | None = None) -> str:
    url = reverse("storyboard", args=[found.pk])
    return f"{url}#scene-{scene.pk}" if scene is not None else url


@login_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The title, look, voice, provider and crossfade; refused: the page again with
    the settings open, everything typed kept, the error beside its field."""
    found = storyboard_or_404(request, pk)
    typed = forms.typed(request.POST, forms.SETTINGS_FIELDS)
    seconds, problem = forms.crossfade(typed.get("crossfade", str(found.crossfade)))
    if problem:
        return settings_refused(request, found, typed, {"crossfade": problem})
    changes = {**typed, "crossfade": seconds} if "crossfade" in typed else typed
    done = actions.edit(current_membership(request), found, **changes)
    if done.ok:
        return on_page(request, done, strip_url(found))
    found.refresh_from_db()
    return settings_refused(request, found, typed, done.result or {"title": done.message})


def settings_refused(request: HttpRequest, found: Storyboard, typed: dict,
                     problems: dict) -> HttpResponse:
    return strip_page(request, found, status=400, settings_open=True,
                      settings_typed=forms.settings_of(found) | typed,
                      settings_problems=problems)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def scene_parts(request: HttpRequest, pk: int) -> HttpResponse:
    """A row's parts and cost, asked again while something in it is being made."""
    scene = scene_or_404(request, pk)
    return render(request, "storyboards/_scene_parts.html", {"row": strip.row(scene)})


@login_required
@require_GET
def film_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The make panel (quote, progress, the film), asked again while making."""
    found = storyboard_or_404(request, pk)
    return render(request, "storyboards/_make_panel.html", panel_context(found))


def panel_context(found: Storyboard, rows: list | None = None) -> dict:
    rows = strip.rows(found) if rows is None else rows
    return {"storyboard": found, "rows": rows, "state": strip.state_of(found, rows),
            "progress": strip.progress(rows), "total": sum(row.cost for row in rows),
            "film": strip.film_of(found), "film_state": strip.film_state(found)}


@login_required
@require_POST
def scene_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One field of a scene, saved as it is left (htmx: the field again, with the
    row's parts and the quote out of band); refused: the error beside it."""
    scene = scene_or_404(request, pk)
    changes = forms.typed(request.POST, forms.SCENE_FIELDS)
    done = actions.edit_scene(current_membership(request), scene, **changes)
    if not request.htmx:
        if done.ok:
            return on_page(request, done, strip_url(scene.storyboard, scene))
        return strip_page(request, scene.storyboard, status=400,
                          scene_typed={scene.pk: changes}, scene_problems={scene.pk: done.result})
    name = next(iter(changes), "narration")
    if not done.ok:
        error = (done.result or {}).get(name, done.message)
        return render(request, "storyboards/_scene_field_saved.html", {
            "field": strip.FieldView(scene, name, changes.get(name, ""), error)}, status=400)
    scene.refresh_from_db()
    return render(request, "storyboards/_scene_field_saved.html", {
        "field": strip.FieldView(scene, name, getattr(scene, name), saved=True),
        "row": strip.row(scene), **panel_context(scene.storyboard)})


@login_required
@require_POST
def scene_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Earlier or later by one (`step`), or to a place (`position`, 1 first: a drag)."""
    scene = scene_or_404(request, pk)
    step = request.POST.get("step")
    place = forms.position(request.POST.get("position", "")) if not step else \
        scene.position + (-1 if step == "earlier" else 1)
    if place is None:
        raise Http404("No such place in this storyboard.")
    done = actions.move_scene(current_membership(request), scene, place)
    return on_page_or_text(request, done, strip_url(scene.storyboard, scene))



@login_required
@require_POST
def scene_split(request: HttpRequest, pk: int) -> HttpResponse:
    """At the cursor (`at_char`) of the narration as typed (`narration`, saved first
    when it changed)."""
    scene = scene_or_404(request, pk)
    member = current_membership(request)
    narration = request.POST.get("narration")
    if narration is not None and narration.strip() != scene.narration:
        done = actions.edit_scene(member, scene, narration=narration)
        if not done.ok:
            return on_page(request, done, strip_url(scene.storyboard, scene))
    at_char = forms.at_char(request.POST.get("at_char", ""), scene.narration, narration)
    if at_char is None:
        return on_page(request, refused("Put the cursor where the scene should be split, "
                                        "then choose Split.", "invalid"),
                       strip_url(scene.storyboard, scene))
    done = actions.split_scene(member, scene, at_char)
    return on_page(request, done, strip_url(scene.storyboard,
                                            done.result if done.ok else scene))


@login_required
@require_POST
def scene_remove(request: HttpRequest, pk: int) -> HttpResponse:
    scene = scene_or_404(request, pk)
    done = actions.remove_scene(current_membership(request), scene)
    return on_page(request, done, strip_url(scene.storyboard))


@login_required
@require_POST
def scene_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = storyboard_or_404(request, pk)
    typed = forms.typed(request.POST, forms.SCENE_FIELDS)
    done = actions.add_scene(current_membership(request), found, **{
        name: typed.get(name, "") for name in forms.SCENE_FIELDS})
    if done.ok:
        return on_page(request, done, strip_url(found, done.result))
    return strip_page(request, found, status=400, add_typed=typed,
                      add_problems=done.result or {"narration": done.message})


@login_required
@require_POST
def make(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything missing or changed, and the film, as one set: made (or held for an
    admin's approval), said at the top; refused (the budget), said in the panel."""
    found = storyboard_or_404(request, pk)
    done = actions.make(current_membership(request), found)
    return made_or_refused(request, done, found)


@login_required
@require_POST
def retake(request: HttpRequest, pk: int) -> HttpResponse:
    """One part of one scene made again (`part`: speech, picture or clip)."""
    scene = scene_or_404(request, pk)
    done = actions.retake(current_membership(request), scene, request.POST.get("part", ""))
    return made_or_refused(request, done, scene.storyboard, scene)


def made_or_refused(request: HttpRequest, done, found: Storyboard,
                    scene: Scene | None = None) -> HttpResponse:
    if done.ok or done.code == "nothing_to_make":
        return on_page(request, done, strip_url(found, scene))
    return strip_page(request, found, status=400, refusal=done.message)
