"""A submission of several is one set: one stacked card with its progress that opens
into its items, "cancel the rest", "retry the failed", and approvals of sets above
the team's limit. Through the pages, as a member and an admin use them."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from studio.generations import dispatch
from studio.generations.models import Generation, GenerationSet
from studio.generations.states import State, Status
from tests.conftest import logged_in, member_of
from tests.generations.helpers import refreshed

pytestmark = pytest.mark.django_db

SPEECH = {"voice": "Wise_Woman", "speed": "1", "volume": "1", "pitch": "0",
          "emotion": "neutral"}


def submit_speech(client, text: str, count: int = 1):
    return client.post("/generate/tts/", {**SPEECH, "text": text, "count": count})


def set_state(generation: Generation, state: State, status: Status, **fields) -> None:
    """Arrange a row as if the worker had moved it (the moves have tests of their own)."""
    Generation.objects.filter(pk=generation.pk).update(state=state, status=status, **fields)


def cards(page: str) -> list[str]:
    return re.findall(r'<article class="card[^"]*" id="gen-(\d+)"', page)


@pytest.fixture
def three_takes(owner_client, team_a) -> list[Generation]:
    assert submit_speech(owner_client, "Take {one|two|three}.").status_code == 302
    return list(Generation.objects.order_by("id"))


def test_a_set_shows_as_one_stacked_card_that_opens_into_its_items(
        owner_client, three_takes):
    html = owner_client.get("/").content.decode()
    generation_set = three_takes[0].generation_set
    assert cards(html) == [str(three_takes[-1].pk)]
    assert "Set of 3" in html and "0 of 3 finished" in html
    opened = owner_client.get(f"/?set={generation_set.pk}").content.decode()
    assert cards(opened) == [str(g.pk) for g in reversed(three_takes)]
    assert f"Set #{generation_set.pk}" in opened  # the filter's chip, to go back


def test_the_stacked_card_counts_finished_and_failed_items(owner_client, three_takes):
    first, second, _ = three_takes
    set_state(first, State.SUCCEEDED, Status.SUCCEEDED)
    set_state(second, State.FAILED, Status.FAILED, error_message="refused")
    html = owner_client.get("/").content.decode()
    assert "2 of 3 finished" in html and "1 failed" in html
    assert "Cancel the rest" in html and "Retry the failed" in html


def test_the_team_poll_redraws_a_stacked_card_when_an_older_item_finishes(
        owner_client, three_takes):
    """The poll the page falls back to without its event stream: it follows the set."""
    Generation.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
    page = html.unescape(owner_client.get("/").content.decode())
    poll = re.search(r'hx-get="(/gallery/poll/[^"]+)"', page).group(1)
    assert f"sets={three_takes[0].generation_set_id}" in poll
    set_state(three_takes[0], State.SUCCEEDED, Status.SUCCEEDED, updated_at=timezone.now())
    answer = owner_client.get(poll).content.decode()
    assert cards(answer) == [str(three_takes[-1].pk)] and "1 of 3 finished" in answer


def test_a_search_finds_the_items_not_the_stack(owner_client, three_takes):
    html = owner_client.get("/?q=two").content.decode()
    assert cards(html) == [str(three_takes[1].pk)] and "Set of 3" not in html


def test_cancel_the_rest_cancels_what_waits_and_frees_its_credits(
        owner_client, team_a, three_takes):
    first, second, third = three_takes
    set_state(first, State.SENDING, Status.RUNNING)
    reserved = Generation.objects.reserved_credits(team_a)
    response = owner_client.post(f"/sets/{first.generation_set_id}/cancel-rest/",
                                 follow=True)
    assert "Canceled the 2 waiting items" in response.content.decode()
    assert refreshed(first).state == State.SENDING  # a call may be going out
    assert refreshed(second).status == refreshed(third).status == Status.CANCELED
    assert Generation.objects.reserved_credits(team_a) == reserved - 2 * second.cost


def test_a_teammate_cannot_cancel_someone_elses_set(team_a, three_takes):
    tom = logged_in(member_of(team_a, "tim", "member"))
    response = tom.post(f"/sets/{three_takes[0].generation_set_id}/cancel-rest/")
    assert response.status_code == 403
    assert not Generation.objects.filter(status=Status.CANCELED).exists()


def test_retry_the_failed_resubmits_those_only_as_a_new_set(owner_client, three_takes):
    first, second, third = three_takes
    set_state(first, State.SUCCEEDED, Status.SUCCEEDED)
    set_state(second, State.FAILED, Status.FAILED)
    set_state(third, State.FAILED, Status.FAILED)
    response = owner_client.post(f"/sets/{first.generation_set_id}/retry-failed/",
                                 follow=True)
    retry = GenerationSet.objects.latest("id")
    assert f"Retrying the 2 failed items of set #{first.generation_set_id}" in \
        response.content.decode()
    again = list(retry.generations.order_by("id"))
    assert [g.params["text"] for g in again] == ["Take two.", "Take three."]
    assert (retry.size, retry.cost) == (2, second.cost + third.cost)
    assert all(g.state == State.QUEUED for g in again)


def test_a_retry_the_budget_cannot_cover_is_refused_whole(owner_client, team_a, three_takes):
    for take in three_takes:
        set_state(take, State.FAILED, Status.FAILED)
    team_a.credits_remaining = 1
    team_a.save()
    response = owner_client.post(f"/sets/{three_takes[0].generation_set_id}/retry-failed/",
                                 follow=True)
    assert "Not retried:" in response.content.decode()
    assert GenerationSet.objects.count() == 1


def test_the_stacked_card_follows_its_items_in_the_live_poll(owner_client, three_takes):
    lead = three_takes[-1]
    page = owner_client.get("/").content.decode()
    poll_url = html.unescape(re.search(r'id="poller"[^>]*hx-get="([^"]+)"', page).group(1))
    assert f"ids={lead.pk}" in poll_url  # the stack is still going
    set_state(three_takes[0], State.SUCCEEDED, Status.SUCCEEDED, updated_at=timezone.now())
    polled = owner_client.get(poll_url)
    assert polled.status_code == 200
    assert f'id="gen-{lead.pk}"' in polled.content.decode()
    assert "1 of 3 finished" in polled.content.decode()


# --- approvals ------------------------------------------------------------------------


@pytest.fixture
def limit_100(team_a):
    team_a.approval_above = 100
    team_a.save()


@pytest.fixture
def held_set(limit_100, team_a, owner, teammate_client) -> GenerationSet:
    """Tom's set of 64 speech takes: over the limit, so it waits."""
    response = submit_speech(teammate_client, "A long line to read, take {1|2|3|4}.", 16)
    assert response.status_code == 302
    return GenerationSet.objects.get()


def test_a_set_above_the_limit_waits_with_its_credits_reserved(
        held_set, team_a, teammate_client):
    items = list(held_set.generations.all())
    assert {g.state for g in items} == {State.HELD}
    assert Generation.objects.reserved_credits(team_a) == held_set.cost
    gallery = teammate_client.get("/").content.decode()
    assert "Waiting for approval" in gallery
    page = teammate_client.get("/approvals/").content.decode()
    assert f"set #{held_set.pk}" in page and "Who can approve: olivia" in page
    assert "Approve" not in page.replace("Approvals", "")  # a member cannot approve


def test_the_dispatcher_sends_nothing_held(held_set, sandbox_url):
    dispatch.tick()
    assert set(held_set.generations.values_list("state", flat=True)) == {State.HELD}


def test_an_admin_approves_and_the_set_is_queued(held_set, owner_client):
    listed = owner_client.get("/approvals/").content.decode()
    assert f'data-set-id="{held_set.pk}"' in listed
    response = owner_client.post(f"/approvals/{held_set.pk}/approve/", follow=True)
    assert "its 64 items are queued" in response.content.decode()
    assert set(held_set.generations.values_list("state", flat=True)) == {State.QUEUED}
    assert "Nothing waits for approval" in owner_client.get("/approvals/").content.decode()


def test_declining_cancels_the_set_and_frees_its_credits(held_set, owner_client, team_a):
    owner_client.post(f"/approvals/{held_set.pk}/decline/")
    items = list(held_set.generations.all())
    assert {g.status for g in items} == {Status.CANCELED}
    assert items[0].error_message == "Declined by olivia."
    assert Generation.objects.reserved_credits(team_a) == 0


def test_a_member_cannot_approve(held_set, teammate_client):
    assert teammate_client.post(f"/approvals/{held_set.pk}/approve/").status_code == 403
    assert set(held_set.generations.values_list("state", flat=True)) == {State.HELD}


def test_an_admins_own_set_goes_at_once_and_a_small_one_never_waits(
        limit_100, owner_client, teammate_client):
    submit_speech(owner_client, "Mine, {a|b|c|d}.", 16)
    submit_speech(teammate_client, "Small.")
    assert not Generation.objects.filter(state=State.HELD).exists()


def test_the_author_can_cancel_a_held_set(held_set, teammate_client):
    teammate_client.post(f"/sets/{held_set.pk}/cancel-rest/")
    assert set(held_set.generations.values_list("status", flat=True)) == {Status.CANCELED}


def test_the_limit_is_a_team_setting(owner_client, team_a):
    page = owner_client.get("/team/settings/").content.decode()
    assert 'name="approval_above"' in page


def test_an_admins_own_set_above_the_limit_says_it_was_approved_by_them(
        limit_100, owner_client):
    page = submit_speech(owner_client, "Mine, {a|b|c|d}.", 16)
    assert page.status_code == 302
    shown = html.unescape(owner_client.get(page["Location"]).content.decode())
    assert "is above the team's approval limit of 100 credits: approved by you" in shown
    composer = owner_client.post("/generate/tts/", {**SPEECH, "text": "More, {a|b}.",
                                                    "count": 16}, HTTP_HX_REQUEST="true")
    assert "approved by you, as an admin" in composer.content.decode()


def test_a_held_set_waits_with_a_clock_and_an_admin_decides_on_its_card(
        held_set, owner_client, teammate_client):
    card = owner_client.get("/").content.decode()
    assert "Waiting for approval" in card and "#clock" in card
    held_status = card[card.index('card-held'):card.index('</div>', card.index('card-held'))]
    assert "spinner" not in held_status
    assert f'action="/approvals/{held_set.pk}/approve/"' in card
    assert f'action="/approvals/{held_set.pk}/decline/"' in card
    theirs = teammate_client.get("/").content.decode()
    assert "Waiting for approval" in theirs
    assert f"/approvals/{held_set.pk}/approve/" not in theirs  # a member cannot approve
    back = owner_client.post(f"/approvals/{held_set.pk}/approve/", {"next": "/"})
    assert back["Location"] == "/"
    assert set(held_set.generations.values_list("state", flat=True)) == {State.QUEUED}
