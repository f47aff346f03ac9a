"""The finishing pages: mix a video with a speech, join clips, and the subtitles
and exports of a finished item."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from studio.finishing import exports, parts, subtitles
from studio.finishing.forms import CROSSFADE_MAX, SHORTEST_KEPT, JoinForm, MixForm
from studio.finishing.joining import MAX_PARTS
from studio.finishing.mixing import FinishingError
from studio.finishing.models import Export
from studio.generations import reach, submission
from studio.generations.models import Generation
from studio.generations.views import serve_file
from studio.lib import media_limits
from studio.multimodal import catalog
from studio.teams.models import Role
from studio.teams.scoping import current_membership


def submit(request: HttpRequest, kind: str, params: dict, source=None) -> HttpResponse:
    """Through the one submit path: a local kind costs nothing but is a set like any."""
    membership = current_membership(request, Role.MEMBER)
    order = submission.Order(kind=catalog.get(kind), params=params, source=source)
    outcome = submission.submit(membership, request.user, order)
    if not outcome.queued:
        raise PermissionDenied(outcome.verdict.refusal)
    return redirect("gallery")


@login_required
@require_http_methods(["GET", "POST"])
def mix(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    initial = {name: request.GET.get(name) for name in ("video", "speech", "offset", "fit",
                                                         "volume")}
    initial["video"] = initial["video"] or request.GET.get("source")
    form = MixForm(request.POST or None, team=membership.team,
                   initial={k: v for k, v in initial.items() if v})
    if request.method == "POST":
        if not membership.can_generate:
            raise PermissionDenied("Viewers can browse and download, not make mixes.")
        if form.is_valid():
            return submit(request, catalog.MIX, form.params(),
                          source=form.items[form.cleaned_data["video"]])
    return render(request, "finishing/mix.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """The join editor: the chosen clips on a timeline, trimmed and crossfaded. Its
    Earlier, Later, Remove and Add buttons also work as plain posts (`edit`), which
    come back with the change made and everything typed kept."""
    membership = current_membership(request)
    form = JoinForm(request.POST or None, team=membership.team, query=request.GET)
    checked = False  # whether the form was sent to be made (its errors are shown)
    if request.method == "POST":
        if not membership.can_generate:
            raise PermissionDenied("Viewers can browse and download, not join clips.")
        if edit := request.POST.get("edit"):
            form.edited(edit, request.POST.getlist("add"))
        elif form.is_valid():
            ids = form.cleaned_data["parts"]
            return submit(request, catalog.SEQUENCE, form.params(), source=form.items[ids[0]])
        else:
            checked = True
    return render(request, "finishing/join.html", {
        "form": form, "checked": checked, "max_parts": MAX_PARTS,
        "crossfade_max": CROSSFADE_MAX, "shortest_kept": SHORTEST_KEPT},
        status=400 if checked else 200)


@login_required
@require_GET
def captions(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """WebVTT for the players, SRT to download: the item's words, timed approximately."""
    if fmt not in ("vtt", "srt"):
        raise Http404("Subtitles come as .vtt or .srt.")
    generation = reach.within_reach_or_404(request, Generation.objects.all(), pk)
    timed = parts.cues_of(generation)
    if fmt == "vtt":
        return HttpResponse(subtitles.webvtt(timed), content_type="text/vtt; charset=utf-8")
    response = HttpResponse(subtitles.srt(timed), content_type="application/x-subrip; "
                                                              "charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{generation.file_stem}.srt"'
    return response


def exported(request: HttpRequest, pk: int, fmt: str) -> tuple[Generation, exports.Format]:
    generation = reach.within_reach_or_404(request, Generation.objects.all(), pk)
    chosen = exports.chosen(generation, fmt)
    if chosen is None or not generation.media:
        raise Http404("No such export of this item.")
    return generation, chosen


@login_required
@require_GET
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The item in another format: converted here when it fits a web request; else the
    worker's file once it is ready (its page until then). A file that cannot be
    converted is a 422 that says why, never a 500."""
    generation, chosen = exported(request, pk, fmt)
    try:
        facts = exports.judged(generation)
        if exports.heavy(generation, facts):
            return from_the_worker(request, generation, chosen)
        out = exports.converted(generation, chosen, facts)
    except (media_limits.Refused, FinishingError) as exc:
        return render(request, "finishing/export.html", {
            "generation": generation, "format": chosen, "refusal": str(exc)}, status=422)
    return FileResponse(out, as_attachment=True, content_type=chosen.content_type,
                        filename=f"{generation.file_stem}.{chosen.name}")


def from_the_worker(request: HttpRequest, generation: Generation,
                    chosen: exports.Format) -> HttpResponse:
    ready = Export.objects.filter(generation=generation, format=chosen.name,
                                  state=Export.State.READY).exclude(file="").first()
    if ready is None:
        return redirect("export_page", generation.pk, chosen.name)
    return serve_file(request, ready.file, chosen.content_type,
                      f"{generation.file_stem}.{chosen.name}", as_attachment=True)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def export_page(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A heavy export, made by the worker: started when first asked for, shown while
    it is made (htmx asks again every few seconds), then offered."""
    generation, chosen = exported(request, pk, fmt)
    context = {"generation": generation, "format": chosen,
               "job": exports.requested(generation, chosen)}
    template = "finishing/export.html#state" if request.htmx else "finishing/export.html"
    return render(request, template, context)
