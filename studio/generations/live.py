"""The gallery's live side: every change a card shows is published as a `card` event
(from the lifecycle's moves, the submit path and the actions), and each viewer's
stream gets the card as their own page would draw it.

A card event names the generation and its set. For a viewer it becomes the card
their page shows for it (with their filters: stacked or not), drawn with their rights
and star, or `card: null` when that page no longer shows it (trash, a filter).
"""

from django.db.models import Q
from django.http import QueryDict

from studio.events.publishing import publish
from studio.events.shapers import Viewer, shaper
from studio.generations.filtering import GalleryFilter, as_filtered, filter_names
from studio.generations.models import Generation, GenerationSet, Star
from studio.generations.templatetags.cards import CSRF_PLACEHOLDER, Rights, card


def card_changed(generation: Generation) -> None:
    publish(generation.team_id, "card",
            {"id": generation.pk, "set": generation.generation_set_id})


def set_made(generation_set: GenerationSet, generations: list[Generation]) -> None:
    """One event for a whole new set: its stacked card is one card."""
    newest = max(generations, key=lambda g: g.pk)
    publish(generation_set.team_id, "card", {"id": newest.pk, "set": generation_set.pk})


def on_move(sender, generation_id: int, **moved) -> None:
    """The lifecycle's `moved` signal (after the move commits)."""
    row = Generation.objects.filter(pk=generation_id) \
        .values("team_id", "generation_set_id").first()
    if row is not None:
        publish(row["team_id"], "card", {"id": generation_id, "set": row["generation_set_id"]})


@shaper("card")
def card_for(event, viewer: Viewer, memo: dict) -> dict:
    """One drawing for each kind of page and viewer (filters, rights, star), shared by
    all viewers of that kind; its forms' CSRF token is a placeholder that the page
    fills with its own (static/js/live.js)."""
    found = shown_card(event.payload, viewer, memo)
    if found is None:
        return memo.setdefault("gone", {"id": event.payload["id"],
                                        "set": event.payload.get("set"), "card": None})
    found.starred = viewer.user_id in starred_by(found, memo)
    key = ("drawn", viewer.query, Rights.of(viewer.membership, found).key)
    if key not in memo:
        memo[key] = {"id": event.payload["id"], "set": event.payload.get("set"),
                     "card": found.pk, "csrf": CSRF_PLACEHOLDER,
                     "html": card({"membership": viewer.membership,
                                   "csrf_token": CSRF_PLACEHOLDER}, found)}
    return memo[key]


def shown_card(payload: dict, viewer: Viewer, memo: dict) -> Generation | None:
    """The card a page with the viewer's filters shows for this change: read once per
    kind of page (per viewer only for "starred by me")."""
    filters = QueryDict(viewer.query)
    key = ("card", viewer.query, viewer.user_id if filters.get("starred") else None)
    if key not in memo:
        memo[key] = read_card(payload, viewer, filters)
    return memo[key]


def read_card(payload: dict, viewer: Viewer, filters: QueryDict) -> Generation | None:
    team = viewer.membership.team
    form = GalleryFilter({k: v for k, v in filters.items()
                          if k in filter_names()} or None, team=team)
    rows = as_filtered(form, Generation.objects.for_team(team).in_gallery().for_cards(None),
                       viewer.user_id)
    set_id = payload.get("set")
    # Stacked, the set's card is its newest item (this one is in it). Not "this id or
    # this set": with an OR, SQLite reads every row of the team (30 ms at 1,000).
    wanted = Q(generation_set_id=set_id) if set_id and not form.active \
        else Q(pk=payload["id"])
    return rows.filter(wanted).order_by("-id").first()


def starred_by(generation: Generation, memo: dict) -> set[int]:
    key = ("stars", generation.pk)
    if key not in memo:
        memo[key] = set(Star.objects.filter(generation=generation)
                        .values_list("user_id", flat=True))
    return memo[key]
