"""Reviewing the team's work: stars, ratings and comments.

Who may do what: any member (viewers too) stars, since a star is a personal
bookmark; members and above rate and comment, as the team's judgement, and so do
viewers where an admin lets them (Membership.can_review: a client giving feedback);
otherwise viewers browse and download. Trashed generations are out of reach of all
of it.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from studio.generations import actions, detail
from studio.generations.models import Comment, Generation, Rating
from studio.teams.scoping import current_membership, get_for_team_or_404


def reviewable(request: HttpRequest, pk: int) -> Generation:
    """The current team's generation, not in the trash, or 404."""
    return get_for_team_or_404(request, Generation.objects.in_gallery()
                               .select_related("author"), pk=pk)


# Stars ---------------------------------------------------------------------------

@login_required
@require_POST
@vary_on_headers("HX-Request")
def star(request: HttpRequest, pk: int) -> HttpResponse:
    generation = reviewable(request, pk)
    generation.starred = actions.star(current_membership(request), generation).result
    if request.htmx:
        return render(request, "generations/_star.html", {"generation": generation})
    return redirect("generation_detail", pk=pk)


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
    member, generation = current_membership(request), reviewable(request, pk)
    actions.check_may_review(member)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return respond(request, review_of(request, generation, rating_form=form), status=400)
    actions.rate(member, generation, form.cleaned_data["stars"])
    return done(request, generation)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    member, generation = current_membership(request), reviewable(request, pk)
    actions.check_may_review(member)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return respond(request, review_of(request, generation, comment_form=form), status=400)
    actions.comment(member, generation, form.cleaned_data["text"])
    return done(request, generation)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    found = Comment.objects.for_team(current_membership(request).team).filter(
        pk=comment_id, generation__deleted_at=None).select_related("generation").first()
    if found is None:
        raise Http404("No such comment in this team.")
    actions.delete_comment(current_membership(request), found)
    return done(request, found.generation)


def done(request: HttpRequest, generation: Generation) -> HttpResponse:
    if request.htmx:
        return respond(request, review_of(request, generation))
    return redirect(reverse("generation_detail", args=[generation.pk]) + "#review")


def respond(request: HttpRequest, review: Review, status: int = 200) -> HttpResponse:
    """The review block for htmx; without it, the whole detail page (so a refused
    comment comes back beside its field with the text kept)."""
    if request.htmx:
        return render(request, "generations/_review.html",
                      {"generation": review.generation, "review": review}, status=status)
    generation = Generation.objects.for_cards(request.user).get(pk=review.generation.pk)
    return detail.page(request, generation, review, status=status)
