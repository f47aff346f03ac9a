"""The team's balance as the API last told it, never older than what is shown."""

from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace

from django.db.models import Q
from django.template.loader import render_to_string

from studio.events.publishing import publish
from studio.events.shapers import shaper
from studio.teams.models import Team


def observe_balance(team: Team, credits_remaining: int | None, as_of: datetime) -> bool:
    """Keep `credits_remaining` if the API said it later than the shown figure.

    Jobs finish out of order: the answer that arrived last in the database may carry
    an older balance than one already shown, and the balance must not go backwards.
    """
    if credits_remaining is None:
        return False
    newer = Q(credits_as_of__isnull=True) | Q(credits_as_of__lt=as_of)
    updated = Team.objects.filter(newer, pk=team.pk).update(
        credits_remaining=credits_remaining, credits_as_of=as_of)
    if updated:
        team.credits_remaining, team.credits_as_of = credits_remaining, as_of
        publish_balance(team)
    return bool(updated)


def balances_after(movements: Iterable[tuple[int, int, int | None]]) -> dict[int, int | None]:
    """The balance after each ledger row: (id, credits, balance the API reported with
    it), newest first, in -> {id: balance after that row}.

    Calls answered together each report the balance after all of them (the API
    reads it when it answers), so several rows repeat one figure. Walking back from
    the newest, a row's balance is the next row's plus that row's credits, unless the
    API reported more (its figure is never too high) or the balance rose between the
    two (a top-up, which the ledger does not hold): then its own figure stands.
    """
    after: dict[int, int | None] = {}
    newer_balance = newer_credits = newer_reported = None
    for pk, credits, reported in movements:
        walked = None if newer_balance is None else newer_balance + newer_credits
        topped_up = (reported is not None and newer_reported is not None
                     and reported < newer_reported)
        if reported is None or walked is None:
            balance = reported if walked is None else walked
        else:
            balance = reported if topped_up else max(reported, walked)
        after[pk] = balance
        newer_balance, newer_credits = balance, credits
        newer_reported = reported if reported is not None else newer_reported
    return after


def publish_balance(team: Team) -> None:
    publish(team, "balance", {"credits_remaining": team.credits_remaining,
                              "as_of": team.credits_as_of.isoformat()})


@shaper("balance")
def balance_for(event, viewer, memo: dict) -> dict:
    """The balance in the page's header, drawn once for every viewer."""
    if "html" not in memo:
        shown = SimpleNamespace(credits_remaining=event.payload["credits_remaining"],
                                credits_as_of=datetime.fromisoformat(event.payload["as_of"]))
        memo["html"] = render_to_string("teams/_balance.html", {"team": shown})
    return {"html": memo["html"]}
