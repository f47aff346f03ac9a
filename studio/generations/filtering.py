"""What a gallery shows: its filter form and the rows a filter or a poll picks.

Apart from the gallery's views so that the live events (live.py), which the action
layer reaches, can filter cards without importing the views.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from studio.generations.models import Generation, Star, Status
from studio.lib.filters import TeamFilterForm
from studio.multimodal import catalog


@dataclass(frozen=True)
class ExtraFilter:
    """A filter an app above this one adds to the gallery (review's boards, tags and
    statuses), registered from its AppConfig.ready: the gallery knows none of them.
    `field(team)` builds the form field; `apply(rows, value)` narrows the rows."""

    name: str
    field: Callable[[Any], forms.Field]
    apply: Callable[[QuerySet, Any], QuerySet]


EXTRA_FILTERS: dict[str, ExtraFilter] = {}


def add_filter(extra: ExtraFilter) -> None:
    EXTRA_FILTERS[extra.name] = extra


def filter_names() -> set[str]:
    """Every name the gallery's filters take from a query string."""
    return set(GalleryFilter.base_fields) | set(EXTRA_FILTERS)


class GalleryFilter(TeamFilterForm):
    q = forms.CharField(required=False, max_length=200, label="Search",
                        widget=forms.SearchInput(attrs={"placeholder": "Search prompts "
                                                        "and texts",
                                                        "data-shortcut-search": ""}))
    kind = forms.ChoiceField(required=False, choices=[("", "Every kind"), *catalog.kind_choices()])
    status = forms.ChoiceField(required=False,
                               choices=[("", "Any status"), *Status.choices])
    starred = forms.BooleanField(required=False, label="Starred by me")
    set = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                             widget=forms.HiddenInput)
    field_order = ["q", "kind", "status", "member", "starred", "date_from", "date_to", "set"]

    def __init__(self, data, *, team):
        super().__init__(data, team=team)
        self.fields["member"].empty_label = "Anyone"
        self.fields["member"].to_field_name = "username"
        for name, extra in EXTRA_FILTERS.items():
            self.fields[name] = extra.field(team)
        self.order_fields([*self.field_order[:-1], *EXTRA_FILTERS, "set"])

    def apply(self, generations: QuerySet, user) -> QuerySet:
        if not self.is_valid():
            return generations.none()
        data = self.cleaned_data
        if data["q"]:
            for word in data["q"].lower().split()[:8]:
                generations = generations.filter(search_text__contains=word)
        if data["kind"]:
            generations = generations.filter(kind=data["kind"])
        if data["status"]:
            generations = generations.filter(status=data["status"])
        if data["member"]:
            generations = generations.filter(author=data["member"])
        if data["set"]:
            generations = generations.filter(generation_set_id=data["set"])
        if data["starred"]:
            generations = generations.filter(
                Exists(Star.objects.filter(generation=OuterRef("pk"), user=user)))
        for name, extra in EXTRA_FILTERS.items():
            if data.get(name) and name in self.fields:
                generations = extra.apply(generations, data[name])
        return self.apply_dates(generations)

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    @property
    def folded_errors(self) -> bool:
        """An error in a filter behind the "Filters" button: it must open to show it."""
        return self.is_bound and any(name != "q" for name in self.errors)


def as_filtered(form: GalleryFilter, generations: QuerySet, user) -> QuerySet:
    if form.is_bound:
        generations = form.apply(generations, user)
    return generations if form.active else generations.stacked()


def either(ids: list[int], sets) -> Q:
    """Rows of these ids, or of these sets (the polls' hot path). One `pk IN` of a
    union, not an OR of the two: SQLite answers an OR by reading every row of the
    team, the union by looking each id up."""
    if not sets:
        return Q(pk__in=ids)
    in_sets = Generation.objects.filter(generation_set_id__in=sets).values("pk")
    return Q(pk__in=Generation.objects.filter(pk__in=ids).values("pk").union(in_sets))
