"""Reviewing the team's work: stars, ratings, comments, side-by-side compare, and a
zip of a selection, streamed while it is built.

Who may do what: any member (viewers too) stars, since a star is a personal
bookmark; members and above rate and comment, as the team's judgement; viewers
browse and download. Trashed generations are out of reach of all of it.
"""

import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from studio.generations.models import Comment, Generation, Rating, Star, Status
from studio.lib import csvstream
from studio.lib.converters import parse_id
from studio.teams.models import Role
from studio.teams.scoping import current_membership, get_for_team_or_404, team_queryset

MAX_COMPARED = 12
MAX_ZIPPED = 200
CHUNK = 64 * 1024


def annotate_for(generations: QuerySet, user) -> QuerySet:
    """Add what a card shows about reviews, computed in the cards' own query.

    The gallery, its poll, the card and the detail view call this on their queryset
    so that 48 cards cost one query, not one per card. Each row gets `starred`
    (bool: `user` starred it), `rating_avg` (float, None when unrated) and
    `comment_count` (int). Correlated subqueries rather than joins, so ratings and
    comments never multiply each other's rows.
    """
    ratings = Rating.objects.filter(generation=OuterRef("pk")).values("generation")
    comments = Comment.objects.filter(generation=OuterRef("pk")).values("generation")
    return generations.annotate(
        starred=Exists(Star.objects.filter(generation=OuterRef("pk"), user=user)),
        rating_avg=Subquery(ratings.annotate(avg=Avg("stars")).values("avg")[:1]),
        comment_count=Coalesce(
            Subquery(comments.annotate(n=Count("id")).values("n")[:1]), 0,
            output_field=IntegerField()),
    )


def reviewable(request: HttpRequest, pk: int) -> Generation:
    """The current team's generation, not in the trash, or 404."""
    return get_for_team_or_404(
        request, Generation.objects.filter(deleted_at=None).select_related("author"), pk=pk)


# Stars ---------------------------------------------------------------------------

@login_required
@require_POST
@vary_on_headers("HX-Request")
def star(request: HttpRequest, pk: int) -> HttpResponse:
    generation = reviewable(request, pk)
    generation.starred = toggle_star(generation, request.user)
    if request.htmx:
        return render(request, "generations/_star.html", {"generation": generation})
    return redirect("generation_detail", pk=pk)


def toggle_star(generation: Generation, user) -> bool:
    """Star or unstar; whether it is starred now."""
    removed, _ = Star.objects.filter(generation=generation, user=user).delete()
    if removed:
        return False
    Star.objects.get_or_create(generation=generation, user=user)
    return True


# Ratings and comments ------------------------------------------------------------

class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        choices=[(n, n) for n in range(1, 6)], coerce=int,
        error_messages={"required": "Choose from 1 to 5 stars.",
                        "invalid_choice": "A rating is from 1 to 5 stars."})


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        error_messages={"required": "Write something first."})


@dataclass
class Review:
    """What the review block on the detail page shows."""

    generation: Generation
    average: float | None
    count: int
    mine: int | None
    comments: list[Comment]
    rating_form: RatingForm
    comment_form: CommentForm
    choices: range = range(1, 6)


def review_of(request: HttpRequest, generation: Generation, *,
              rating_form: RatingForm | None = None,
              comment_form: CommentForm | None = None) -> Review:
    """The team's verdict on `generation`, the current user's own rating, and the
    forms (bound ones when they come back with errors)."""
    ratings = Rating.objects.filter(generation=generation)
    summary = ratings.aggregate(average=Avg("stars"), count=Count("id"))
    mine = ratings.filter(user=request.user).values_list("stars", flat=True).first()
    comments = list(Comment.objects.filter(generation=generation).select_related("author"))
    return Review(generation, summary["average"], summary["count"], mine, comments,
                  rating_form if rating_form is not None else RatingForm(),
                  comment_form if comment_form is not None else CommentForm())


def review_context(request: HttpRequest, generation: Generation) -> dict:
    """For the detail view: `{"review": ...}`, which `_review.html` renders."""
    return {"review": review_of(request, generation)}


@login_required
@require_GET
@vary_on_headers("HX-Request")
def review_block(request: HttpRequest, pk: int) -> HttpResponse:
    generation = reviewable(request, pk)
    return respond(request, review_of(request, generation))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    current_membership(request, Role.MEMBER)
    generation = reviewable(request, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return respond(request, review_of(request, generation, rating_form=form), status=400)
    Rating.objects.update_or_create(generation=generation, user=request.user,
                                    defaults={"stars": form.cleaned_data["stars"]})
    return done(request, generation)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    current_membership(request, Role.MEMBER)
    generation = reviewable(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return respond(request, review_of(request, generation, comment_form=form), status=400)
    Comment.objects.create(generation=generation, author=request.user,
                           text=form.cleaned_data["text"])
    return done(request, generation)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    membership = current_membership(request)
    team_work = team_queryset(request, Generation.objects.filter(deleted_at=None))
    found = Comment.objects.filter(pk=comment_id, generation__in=team_work) \
        .select_related("generation").first()
    if found is None:
        raise Http404("No such comment in this team.")
    if found.author_id != request.user.pk and not membership.can_manage:
        raise PermissionDenied("Only its author or an admin can delete this comment.")
    found.delete()
    return done(request, found.generation)


def done(request: HttpRequest, generation: Generation) -> HttpResponse:
    if request.htmx:
        return respond(request, review_of(request, generation))
    return redirect(reverse("generation_detail", args=[generation.pk]) + "#review")


def respond(request: HttpRequest, review: Review, status: int = 200) -> HttpResponse:
    """The review block for htmx; without it, the whole detail page (so a refused
    comment comes back beside its field with the text kept)."""
    context = {"generation": review.generation, "review": review}
    if request.htmx:
        return render(request, "generations/_review.html", context, status=status)
    from studio.generations.views import ancestors  # deferred: views imports review

    generation = annotate_for(Generation.objects.filter(pk=review.generation.pk),
                              request.user).select_related("author").get()
    return render(request, "generations/detail.html", {
        **context, "generation": generation, "params": labelled_params(generation),
        "chain": ancestors(generation)}, status=status)


def labelled_params(generation: Generation) -> list[tuple[str, object]]:
    """(label, value) of each parameter it was made with, in the order given."""
    known = {param.name: param.label for param in generation.kind_spec.params}
    return [(known.get(name, name), value) for name, value in generation.params.items()]


# Selections: compare and zip -----------------------------------------------------

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
    found = {g.pk: g for g in annotate_for(team_queryset(
        request, Generation.objects.filter(pk__in=wanted, deleted_at=None)
        .select_related("author")), request.user)}
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
        generations = comparable(selected(request, ids, MAX_COMPARED))
    except SelectionProblem as problem:
        return refuse(request, problem, "Compare")
    for generation in generations:
        generation.param_rows = labelled_params(generation)
    return render(request, "generations/compare.html", {
        "generations": generations, "kind": generations[0].kind_spec,
        "title": "Compare"})


def comparable(generations: list[Generation]) -> list[Generation]:
    if len(generations) < 2:
        raise SelectionProblem("Select two or more generations to compare them.")
    kinds = {g.get_kind_display() for g in generations}
    if len(kinds) > 1:
        raise SelectionProblem("Only one kind at a time can be compared; this selection "
                               "mixes " + " and ".join(sorted(kinds)) + ".")
    return generations


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


MANIFEST_HEADER = ["id", "kind", "author", "created_at", "prompt", "parameters", "file"]


def manifest(generations: Iterable[Generation]) -> bytes:
    """What each file is, for whoever opens the zip later: one row per file, as safe
    to open in a spreadsheet as the other CSV exports."""
    rows = ([g.pk, g.kind, g.author.username if g.author else "", g.created_at.isoformat(),
             g.summary, json.dumps(g.params, sort_keys=True), g.download_name]
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
        archive.writestr(member_info("manifest.csv", timezone.now(), len(manifest_csv)),
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
