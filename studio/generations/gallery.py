"""The team gallery: filters kept in the URL, pages of 48, and one poll per page.

Every query here costs the same whatever the gallery's size: filters and paging use
indexes and a keyset (`before=<id>`), and the poll asks only about the cards the
page shows as pending, plus new ones that match its filters. The first page always
polls, so a teammate's work arrives on every open gallery: often while something on
the page is pending, slower when nothing is, and an idle poll is two id queries.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from studio.events.publishing import page_last_id
from studio.generations import composer
from studio.generations.filtering import GalleryFilter, as_filtered, either, filter_names
from studio.generations.models import Generation
from studio.lib.converters import parse_id
from studio.multimodal import catalog
from studio.teams.models import Density
from studio.teams.scoping import current_membership, team_queryset

PAGE_SIZE = 48
# Rows committed a little after their `updated_at` was stamped must not be missed;
# re-sending a card is harmless (it replaces itself).
POLL_OVERLAP = timedelta(seconds=2)
EARLIEST_POLL = datetime(1970, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(days=1)  # between the web servers, at the very most
MAX_POLLED_IDS = 200
# Seconds between polls: while a card on the page is pending, and when none is. Both
# well within the 10 s in which a teammate's new card should show.
BUSY_POLL, IDLE_POLL = 2, 6


@dataclass(frozen=True)
class Chip:
    """An active filter, and the page's query string without it."""

    field: str
    label: str
    without: str


def chips(form: GalleryFilter, query: str) -> list[Chip]:
    if not form.active:
        return []
    found = []
    for name, value in form.cleaned_data.items():
        if value:
            rest = QueryDict(query, mutable=True)
            rest.pop(name, None)
            found.append(Chip(name, chip_label(form.fields[name], name, value),
                              rest.urlencode()))
    return found


def chip_label(field: forms.Field, name: str, value) -> str:
    if name == "starred":
        return field.label
    if name == "member":
        return f"By {value.username}"
    if name == "set":
        return f"Set #{value}"
    if isinstance(field, forms.ChoiceField):
        value = dict(field.choices).get(value, value)
    return f"{field.label or name.capitalize()}: {value}"


def visible(request: HttpRequest) -> QuerySet:
    """The current team's generations that are not in the trash, ready for cards."""
    return team_queryset(request, Generation.objects.in_gallery().for_cards(request.user))


def filtered(request: HttpRequest) -> tuple[GalleryFilter, QuerySet]:
    """The page's filter and its cards: each set of several stacked into one card,
    unless a filter is looking for items (a search, a kind, one set...)."""
    team = current_membership(request).team
    form = GalleryFilter(filter_data(request) or None, team=team)
    return form, as_filtered(form, visible(request), request.user)


def still_going(card: Generation) -> bool:
    """A card that will change: it is pending, or its set has items pending."""
    return card.stack.open > 0 if card.stack else card.is_pending


def filter_query(request: HttpRequest) -> str:
    """The page's filters as a query string, for links that must keep them."""
    query = request.GET.copy()
    for transient in ("before", "since", "newest", "ids", "sets"):
        query.pop(transient, None)
    return query.urlencode()


@login_required
@require_GET
@vary_on_headers("HX-Request")
def gallery(request: HttpRequest) -> HttpResponse:
    if getattr(request, "membership", None) is None:
        return render(request, "generations/no_team.html")
    before = parse_int(request.GET.get("before", ""))
    # Read before the cards: whatever is stored after it, the page's stream sends.
    live_since = None if before else page_last_id(request, current_membership(request).team)
    form, generations = filtered(request)
    if before:
        generations = generations.filter(pk__lt=before)
    page = list(generations.order_by("-id")[:PAGE_SIZE + 1])
    cards, more = page[:PAGE_SIZE], len(page) > PAGE_SIZE
    query = filter_query(request)
    context = {
        **composer.context(request),
        "form": form, "generations": cards, "kinds": catalog.KINDS.values(),
        "densities": Density.choices,
        "query": query, "chips": chips(form, query),
        "more_before": cards[-1].pk if more else None,
        "poller": None if before else poller_state(cards, query),
        "live_since": live_since,
    }
    if request.htmx and before:
        return render(request, "generations/gallery.html#more", {**context, "appending": True})
    if request.htmx and request.htmx.target == "gallery-results":
        return render(request, "generations/gallery.html#results", context)
    return render(request, "generations/gallery.html", context)


def poller_state(cards: list[Generation], query: str) -> dict:
    """What the first page's one poll request needs: its pending cards, the newest
    card it has, and how often to ask."""
    pending = [g.pk for g in cards if still_going(g)]
    sets = [g.stack.generation_set.pk for g in cards if g.stack and still_going(g)]
    return poller(timezone.now(), max((g.pk for g in cards), default=0), pending, query, sets)


def poller(since: datetime, newest: int, pending: list[int], query: str,
           sets: list[int] = ()) -> dict:
    """`sets`: the sets of the pending stacked cards among `pending`: any of their
    items moving changes the card."""
    return {"since": since.isoformat(), "newest": newest,
            "ids": ",".join(map(str, pending[:MAX_POLLED_IDS])),
            "sets": ",".join(map(str, sets[:MAX_POLLED_IDS])), "query": query,
            "every": BUSY_POLL if pending else IDLE_POLL}


@login_required
@require_GET
@vary_on_headers("HX-Request")
def poll(request: HttpRequest) -> HttpResponse:
    """One request per open gallery: 204 when nothing changed, else the changed and
    new cards as out-of-band swaps with the poller's next state."""
    since = parse_since(request.GET.get("since", ""))
    newest = parse_int(request.GET.get("newest", ""))
    watched = parse_ids(request.GET.get("ids", ""))
    watched_sets = parse_ids(request.GET.get("sets", ""))
    polled_at = timezone.now()
    changed_ids, sets_moved = changed_since(request, watched, watched_sets, since, newest)
    if not changed_ids:
        return HttpResponse(status=204)
    form = GalleryFilter(filter_data(request) or None, team=current_membership(request).team)
    changed = list(as_filtered(form, visible(request), request.user)
                   .filter(either(changed_ids, sets_moved))
                   .order_by("-id"))
    updated = [g for g in changed if g.pk <= newest]
    added = [g for g in reversed(changed) if g.pk > newest]
    # Finished, or gone to the trash meanwhile: either way nothing more to wait for.
    settled = {g.pk for g in updated if not still_going(g)} | \
        (set(changed_ids) - {g.pk for g in changed})
    pending = [pk for pk in watched if pk not in settled] + \
        [g.pk for g in added if still_going(g)]
    if not changed and pending == watched:
        return HttpResponse(status=204)
    newest = max([newest, *(g.pk for g in added)])
    stacks_settled = {g.stack.generation_set.pk for g in updated if g.stack and not still_going(g)}
    pending_sets = [pk for pk in watched_sets if pk not in stacks_settled] + \
        [g.stack.generation_set.pk for g in added if g.stack and still_going(g)]
    return render(request, "generations/_poll.html", {
        "updated": updated, "added": added, "finished": bool(settled),
        "poller": poller(polled_at, newest, pending, filter_query(request), pending_sets)})


def changed_since(request: HttpRequest, watched: list[int], watched_sets: list[int],
                  since: datetime, newest: int) -> tuple[list[int], set[int]]:
    """Ids of the page's cards that changed and of new cards matching its filters,
    and the page's stacked sets with an item that changed.

    Plain id queries, cheap enough that a poll with nothing new costs little more
    than the login check. Cards on the page are followed whatever the filters say
    now (a "queued" filter must still see its cards finish).
    """
    team_rows = team_queryset(request, Generation.objects).filter(deleted_at=None)
    on_page = team_rows.filter(either(watched, watched_sets),
                               updated_at__gt=since - POLL_OVERLAP) \
        .values_list("pk", "generation_set_id") if watched else []
    moved = list(on_page)
    sets_moved = {generation_set for _, generation_set in moved if generation_set in watched_sets}
    form = GalleryFilter(filter_data(request) or None,
                         team=current_membership(request).team)
    new = team_rows.filter(pk__gt=newest)
    if form.is_bound:
        new = form.apply(new, request.user)
    return ([pk for pk, _ in moved]
            + list(new.order_by("-id").values_list("pk", flat=True)[:PAGE_SIZE]), sets_moved)


def filter_data(request: HttpRequest) -> dict:
    return {k: v for k, v in request.GET.items() if k in filter_names()}


def parse_since(value: str) -> datetime:
    """When the page last polled, as a server told it; now (less the overlap) for
    anything no server can have said: not a time, before 1970, or a day ahead."""
    now = timezone.now()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return now - POLL_OVERLAP
    parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    return parsed if EARLIEST_POLL <= parsed <= now + CLOCK_SKEW else now - POLL_OVERLAP


def parse_int(value: str) -> int:
    """An id from the query string, 0 when absent or not an id."""
    return parse_id(value) or 0


def parse_ids(value: str) -> list[int]:
    ids = (parse_id(part) for part in value.split(",")[:MAX_POLLED_IDS])
    return [pk for pk in ids if pk is not None]

