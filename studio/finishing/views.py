"""The finishing pages: mix a video with a speech, join clips, and the subtitles
and exports of a finished item."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from studio.finishing import exports, parts, subtitles
from studio.finishing.forms import JoinForm, MixForm
from studio.finishing.joining import MAX_PARTS
from studio.generations import submission, trash
from studio.generations.models import Generation
from studio.lib.converters import parse_id
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
    membership = current_membership(request)
    data = request.POST or None
    form = JoinForm(data, team=membership.team)
    if request.method == "POST":
        if not membership.can_generate:
            raise PermissionDenied("Viewers can browse and download, not join clips.")
        if form.is_valid():
            ids = form.cleaned_data["parts"]
            return submit(request, catalog.SEQUENCE, {"parts": ids},
                          source=form.items[ids[0]])
        chosen = [parse_id(v) for v in request.POST.getlist("parts")]
    else:
        chosen = [parse_id(v) for v in request.GET.getlist("ids")]
    return render(request, "finishing/join.html", {
        "form": form, "chosen": form.ordered([pk for pk in chosen if pk]),
        "max_parts": MAX_PARTS}, status=400 if form.errors else 200)


@login_required
@require_GET
def captions(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """WebVTT for the players, SRT to download: the item's words, timed approximately."""
    if fmt not in ("vtt", "srt"):
        raise Http404("Subtitles come as .vtt or .srt.")
    generation = trash.within_reach_or_404(request, Generation.objects.all(), pk)
    timed = parts.cues_of(generation)
    if fmt == "vtt":
        return HttpResponse(subtitles.webvtt(timed), content_type="text/vtt; charset=utf-8")
    response = HttpResponse(subtitles.srt(timed), content_type="application/x-subrip; "
                                                              "charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{generation.file_stem}.srt"'
    return response


@login_required
@require_GET
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    generation = trash.within_reach_or_404(request, Generation.objects.all(), pk)
    return exports.response(generation, fmt)
