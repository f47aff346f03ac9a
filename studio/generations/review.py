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

from studio.generations import actions, detail, moments
from studio.generations.models import Comment, Generation, Rating
from studio.teams.models import Membership
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
    """A note: its words, and where it points (moments.py) when the item has moments."""

    text = forms.CharField(
        label="Comment", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        error_messages={"required": "Write something first."})
    at = forms.FloatField(label="At (seconds)", required=False, min_value=0,
                          widget=forms.NumberInput(attrs={"step": "0.1", "min": 0}),
                          error_messages={"invalid": "A time in seconds, like 1.5."})
    until = forms.FloatField(label="Until (seconds, optional)", required=False, min_value=0,
                             widget=forms.NumberInput(attrs={"step": "0.1", "min": 0}),
                             error_messages={"invalid": "A time in seconds, like 4."})
    point_x = forms.FloatField(required=False, widget=forms.HiddenInput)
    point_y = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, generation: Generation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.generation = generation

    def clean(self):
        cleaned = super().clean()
        if self.generation is not None and not self.errors:
            for field, problem in moments.problems(self.generation, self.moment()).items():
                shown = field != "point" and moments.is_timed(self.generation)
                self.add_error(field if shown else None, problem)
        return cleaned

    def moment(self) -> moments.Moment:
        data = self.cleaned_data
        x, y = data.get("point_x"), data.get("point_y")
        return moments.Moment(at=data.get("at"), until=data.get("until"),
                              point=(x, y) if x is not None and y is not None else None)


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
    names: list[str]
    choices: range = range(1, 6)

    @property
    def timed(self) -> bool:
        return moments.is_timed(self.generation)

    @property
    def picture(self) -> bool:
        return moments.is_picture(self.generation)


def review_of(request: HttpRequest, generation: Generation, *,
              rating_form: RatingForm | None = None,
              comment_form: CommentForm | None = None) -> Review:
    """The team's verdict on `generation`, the current user's own rating, and the
    forms (bound ones when they come back with errors)."""
    ratings = Rating.objects.filter(generation=generation)
    summary = ratings.aggregate(average=Avg("stars"), count=Count("id"))
    mine = ratings.filter(user=request.user).values_list("stars", flat=True).first()
    comments = list(Comment.objects.filter(generation=generation).select_related("author")
                    .prefetch_related("mentions"))
    return Review(generation, summary["average"], summary["count"], mine, comments,
                  rating_form if rating_form is not None else RatingForm(),
                  comment_form if comment_form is not None
                  else CommentForm(generation=generation),
                  sorted(Membership.objects.for_team(generation.team)
                         .values_list("user__username", flat=True)))


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
    form = CommentForm(request.POST, generation=generation)
    if not form.is_valid():
        return respond(request, review_of(request, generation, comment_form=form), status=400)
    actions.comment(member, generation, form.cleaned_data["text"], form.moment())
    return done(request, generation, notes_changed=True)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    found = Comment.objects.for_team(current_membership(request).team).filter(
        pk=comment_id, generation__deleted_at=None).select_related("generation").first()
    if found is None:
        raise Http404("No such comment in this team.")
    actions.delete_comment(current_membership(request), found)
    return done(request, found.generation, notes_changed=True)


def done(request: HttpRequest, generation: Generation, *,
         notes_changed: bool = False) -> HttpResponse:
    """`notes_changed`: the markers over the media come along to replace theirs
    (only the detail page shows them beside this block)."""
    if request.htmx:
        return respond(request, review_of(request, generation), notes_changed=notes_changed)
    return redirect(reverse("generation_detail", args=[generation.pk]) + "#review")


def respond(request: HttpRequest, review: Review, status: int = 200, *,
            notes_changed: bool = False) -> HttpResponse:
    """The review block for htmx; without it, the whole detail page (so a refused
    comment comes back beside its field with the text kept)."""
    if request.htmx:
        return render(request, "generations/_review.html",
                      {"generation": review.generation, "review": review,
                       "notes_changed": notes_changed}, status=status)
    generation = Generation.objects.for_cards(request.user).get(pk=review.generation.pk)
    return detail.page(request, generation, review, status=status)
