"""A selection of finished cards: side-by-side compare, and one zip of them all,
streamed while it is built."""

import json
import zipfile
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from studio.generations import detail
from studio.generations.models import Generation, Status
from studio.lib import clock, csvstream
from studio.lib.converters import parse_id
from studio.teams.scoping import current_membership, team_queryset

MAX_COMPARED = 12
MAX_ZIPPED = 200
CHUNK = 64 * 1024

class SelectionProblem(Exception):
    """A selection that cannot be compared or zipped, with the reason to show."""


def selected(request: HttpRequest, ids: list[str], most: int) -> list[Generation]:
    """The team's finished generations with these ids, in the order given.

    Ids of no generation of this team (another team's, trashed, made up) are a 404,
    like any other URL guessing; a selection that is merely wrong is a problem.
    """
    if not ids:
        raise SelectionProblem("Nothing is selected: tick the box on finished cards "
                               "in the gallery first.")
    if len(ids) > most:
        raise SelectionProblem(f"Select at most {most} at a time; {len(ids)} were.")
    parsed = [parse_id(part) for part in ids]
    if None in parsed:
        raise Http404("No such item in this team.")
    wanted = list(dict.fromkeys(parsed))
    found = {g.pk: g for g in team_queryset(
        request, Generation.objects.in_gallery().for_cards(request.user)
        .filter(pk__in=wanted))}
    if len(found) != len(wanted):
        raise Http404("No such item in this team.")
    unfinished = [pk for pk in wanted if not has_media(found[pk])]
    if unfinished:
        raise SelectionProblem(
            "Only finished generations can be selected; "
            + ", ".join(f"#{pk}" for pk in unfinished) + " has no file yet.")
    return [found[pk] for pk in wanted]


def has_media(generation: Generation) -> bool:
    return generation.status == Status.SUCCEEDED and bool(generation.media)


def refuse(request: HttpRequest, problem: SelectionProblem, title: str) -> HttpResponse:
    return render(request, "generations/compare.html",
                  {"problem": str(problem), "title": title}, status=400)


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    current_membership(request)
    ids = request.GET.getlist("ids")
    if "csrfmiddlewaretoken" in request.GET:
        # The toolbar's form also carries the zip button's token: keep it out of
        # the address bar and history.
        return redirect(reverse("compare") + "?" + "&".join(f"ids={i}" for i in ids
                                                          if i.isdigit()))
    try:
        generations, left_out = comparable(request, ids)
    except SelectionProblem as problem:
        return refuse(request, problem, "Compare")
    for generation in generations:
        generation.facts = detail.facts(generation)
    return render(request, "generations/compare.html", {
        "generations": generations, "kind": generations[0].kind_spec,
        "left_out": left_out, "title": "Compare"})


def comparable(request: HttpRequest, ids: list[str]) -> tuple[list[Generation], list[str]]:
    """What of the selection can be compared, in the order given, and why each of the
    rest is left out. Another team's ids read as unknown ones (nothing leaks); a
    selection of nothing but unknown ids is a 404, like any other URL guessing."""
    if not ids:
        raise SelectionProblem("Nothing is selected: tick the box on finished cards "
                               "in the gallery first.")
    if len(ids) > MAX_COMPARED:
        raise SelectionProblem(f"Select at most {MAX_COMPARED} at a time; {len(ids)} were.")
    wanted = list(dict.fromkeys(ids))
    if len(wanted) < 2:
        raise SelectionProblem("Select two or more generations to compare them.")
    parsed = {part: parse_id(part) for part in wanted}
    found = {g.pk: g for g in team_queryset(request, Generation.objects.for_cards(
        request.user).filter(pk__in=[pk for pk in parsed.values() if pk]))}
    if not found:
        raise Http404("No such item in this team.")
    shown, left_out = [], []
    for part, pk in parsed.items():
        reason = why_left_out(found.get(pk), shown)
        if reason:
            left_out.append(f"#{pk or part}: {reason}")
        else:
            shown.append(found[pk])
    if not shown:
        raise SelectionProblem("Nothing of this selection can be compared: "
                               + "; ".join(left_out) + ".")
    return shown, left_out


def why_left_out(generation: Generation | None, shown: list[Generation]) -> str:
    if generation is None:
        return "no such item in this team"
    if generation.deleted_at is not None:
        return "it is in the trash (restore it to compare it)"
    if not has_media(generation):
        return "it has no file yet"
    if shown and generation.kind != shown[0].kind:
        return (f"it is {generation.get_kind_display()}, and this compares "
                f"{shown[0].get_kind_display()}")
    return ""


@login_required
@require_POST
def download_zip(request: HttpRequest) -> HttpResponse:
    current_membership(request)
    try:
        generations = selected(request, request.POST.getlist("ids"), MAX_ZIPPED)
    except SelectionProblem as problem:
        return refuse(request, problem, "Download")
    response = StreamingHttpResponse(zip_stream(generations, manifest(generations)),
                                     content_type="application/zip")
    name = f"studio-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


MANIFEST_HEADER = ["id", "kind", "author", "created_at", "prompt", "parameters", "made_from",
                   "review_status", "file"]


def manifest(generations: Iterable[Generation]) -> bytes:
    """What each file is, for whoever opens the zip later: one row per file, as safe
    to open in a spreadsheet as the other CSV exports."""
    rows = ([g.pk, g.kind, g.author.username if g.author else "", g.created_at.isoformat(),
             g.summary, json.dumps(g.params, sort_keys=True),
             " ".join(f"#{pk}" for pk in g.made_from),
             # A card annotation of the review app's (models.CARD_ANNOTATIONS), when on.
             getattr(g, "review_status", None) or "none", g.download_name]
            for g in generations)
    return "".join(csvstream.rows_as_csv(MANIFEST_HEADER, rows)).encode()


class Pipe:
    """A write-only, unseekable file for zipfile: it hands the bytes on as they come,
    so zipfile writes data descriptors instead of seeking back."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def zip_stream(generations: list[Generation], manifest_csv: bytes) -> Iterator[bytes]:
    """The zip, a chunk at a time: each file is copied from storage in CHUNK pieces
    (stored, not deflated: media is compressed already), never read whole."""
    pipe = Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(member_info("manifest.csv", clock.now(), len(manifest_csv)),
                         manifest_csv)
        for generation in generations:
            yield from copy_member(archive, pipe, generation)
    yield pipe.take()


def copy_member(archive: zipfile.ZipFile, pipe: Pipe,
                generation: Generation) -> Iterator[bytes]:
    info = member_info(generation.download_name, generation.created_at,
                       generation.media.size)
    with generation.media.open("rb") as source, archive.open(info, "w") as member:
        while chunk := source.read(CHUNK):
            member.write(chunk)
            if data := pipe.take():
                yield data
    if data := pipe.take():
        yield data


def member_info(name: str, when, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime(when).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = size  # lets zipfile choose zip64 up front for a huge file
    info.external_attr = 0o644 << 16
    return info
