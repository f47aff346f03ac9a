"""`/events/`: a team's news streamed to its members' open pages, and only to them.

Served by a real ASGI server over the test database; on `make test`'s second run
(REDIS_URL set) the events travel through Redis pub/sub, else the hub reads the table.
"""

from contextlib import contextmanager

import httpx
import pytest

from studio.events import bus
from studio.events.publishing import last_id
from studio.generations import actions, live
from studio.teams import members
from studio.teams.models import Membership
from tests.events.sse import messages, next_event, next_message
from tests.generations.helpers import queued

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def stream(client: httpx.Client, path: str = "/events/", **headers):
    with client.stream("GET", path, headers=headers) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = messages(response)
        first = next(reader)
        assert first.retry is not None  # the stream opens with its reconnect delay
        yield reader


@pytest.fixture
def quick_heartbeat(settings):
    settings.STUDIO_EVENTS_HEARTBEAT = 0.3


def test_a_stream_opens_with_the_reconnect_delay(asgi_server, log_in, owner, settings):
    settings.STUDIO_EVENTS_RETRY_MS = 1234
    with log_in(owner).stream("GET", "/events/") as response:
        assert response.headers["cache-control"] == "no-cache"
        assert next(messages(response)).retry == 1234


def test_a_teammates_card_reaches_the_team_and_nothing_reaches_another_team(
        asgi_server, log_in, owner, teammate, outsider, quick_heartbeat):
    with stream(log_in(owner)) as mine, stream(log_in(outsider)) as theirs:
        made = queued(owner.memberships.get().team, teammate, "image", prompt="a harbour")
        live.card_changed(made)
        event = next_event(mine, "card")
        assert event.json["card"] == made.pk
        assert f'data-generation-id="{made.pk}"' in event.json["html"]
        assert "a harbour" in event.json["html"]
        assert int(event.id) == last_id(made.team)
        # The outsider's stream only beats: the first thing it sends is a heartbeat.
        assert next_message(theirs).comment == "heartbeat"


def test_a_card_is_drawn_with_each_viewers_rights(asgi_server, log_in, owner, teammate,
                                                 viewer):
    made = queued(owner.memberships.get().team, teammate, "tts", text="hello there")
    with stream(log_in(teammate)) as author, stream(log_in(viewer)) as onlooker:
        live.card_changed(made)
        cancel = f"/generations/{made.pk}/cancel/"
        assert cancel in next_event(author, "card").json["html"]
        assert cancel not in next_event(onlooker, "card").json["html"]


def test_a_page_with_filters_hears_that_a_card_it_does_not_show_is_not_for_it(
        asgi_server, log_in, owner):
    made = queued(owner.memberships.get().team, owner, "image", prompt="a harbour")
    with stream(log_in(owner), "/events/?kind=tts") as speech_only:
        live.card_changed(made)
        event = next_event(speech_only, "card")
        assert event.json == {"id": made.pk, "set": None, "card": None}


def test_a_starred_card_shows_the_star_to_whoever_starred_it(asgi_server, log_in, owner,
                                                            teammate):
    made = queued(owner.memberships.get().team, owner, "image", prompt="a harbour")
    with stream(log_in(owner)) as mine, stream(log_in(teammate)) as theirs:
        actions.star(owner.memberships.get(), made, True)
        assert 'aria-pressed="true"' in next_event(mine, "card").json["html"]
        assert 'aria-pressed="true"' not in next_event(theirs, "card").json["html"]


def test_a_reconnect_catches_up_from_its_last_event_id_each_card_once(
        asgi_server, log_in, owner):
    team = owner.memberships.get().team
    first = queued(team, owner, "image", prompt="one")
    live.card_changed(first)
    seen = last_id(team)
    second = queued(team, owner, "image", prompt="two")
    live.card_changed(second)
    live.card_changed(first)
    live.card_changed(second)
    client = log_in(owner)
    with stream(client, **{"Last-Event-ID": str(seen)}) as caught_up:
        events = [next_event(caught_up, "card"), next_event(caught_up, "card")]
    assert [e.json["card"] for e in events] == [first.pk, second.pk]
    assert [int(e.id) for e in events] == sorted(int(e.id) for e in events)
    assert int(events[-1].id) == last_id(team)


def test_a_reconnect_after_everything_it_saw_gets_no_old_news(asgi_server, log_in, owner,
                                                              quick_heartbeat):
    team = owner.memberships.get().team
    live.card_changed(queued(team, owner, "image", prompt="old news"))
    with stream(log_in(owner), **{"Last-Event-ID": str(last_id(team))}) as caught_up:
        assert next_message(caught_up).comment == "heartbeat"


def test_a_page_drawn_at_an_event_starts_after_it(asgi_server, log_in, owner,
                                                  quick_heartbeat):
    team = owner.memberships.get().team
    old = queued(team, owner, "image", prompt="already on the page")
    live.card_changed(old)
    newer = queued(team, owner, "image", prompt="after the page")
    drawn_at = last_id(team)
    live.card_changed(newer)
    with stream(log_in(owner), f"/events/?since={drawn_at}") as page:
        assert next_event(page, "card").json["card"] == newer.pk
        assert next_message(page).comment == "heartbeat"


def test_too_much_missed_asks_the_page_to_reload(asgi_server, log_in, owner, monkeypatch):
    monkeypatch.setattr("studio.events.stream.CATCH_UP_LIMIT", 2)
    team = owner.memberships.get().team
    seen = last_id(team)
    for n in range(3):
        live.card_changed(queued(team, owner, "image", prompt=f"missed {n}"))
    with stream(log_in(owner), f"/events/?since={seen}") as page:
        assert next_event(page).event == "reload"


def test_an_idle_stream_sends_heartbeats(asgi_server, log_in, owner, quick_heartbeat):
    with stream(log_in(owner)) as idle:
        assert next_event(idle).event == "ready"
        assert next_message(idle).comment == "heartbeat"
        assert next_message(idle).comment == "heartbeat"


def test_streams_end_when_the_server_shuts_down(asgi_server, log_in, owner, teammate):
    with stream(log_in(owner)) as one, stream(log_in(teammate)) as two:
        bus.close_all()
        assert [m.event for m in one] in ([], ["ready"])
        assert [m.event for m in two] in ([], ["ready"])


def test_a_member_removed_from_the_team_stops_hearing_it(asgi_server, log_in, owner,
                                                          teammate):
    team = owner.memberships.get().team
    with stream(log_in(teammate)) as removed, stream(log_in(owner)) as stays:
        members.remove(Membership.objects.get(user=owner),
                       Membership.objects.get(user=teammate))
        assert [m.event for m in removed] in ([], ["ready"])
        live.card_changed(queued(team, owner, "image", prompt="after they left"))
        assert next_event(stays, "card").json["card"] is not None


def test_a_balance_change_reaches_the_header(asgi_server, log_in, owner):
    from django.utils import timezone

    from studio.credits.balance import observe_balance

    team = owner.memberships.get().team
    with stream(log_in(owner)) as page:
        observe_balance(team, 4321, timezone.now())
        assert "4,321 credits" in next_event(page, "balance").json["html"]


def test_a_stream_needs_a_logged_in_member(asgi_server, log_in, owner):
    anonymous = httpx.get(f"{asgi_server.url}/events/")
    assert anonymous.status_code == 403
