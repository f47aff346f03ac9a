"""The lost-call matcher over random interleavings (hypothesis): calls of one (token,
kind) sent a moment apart, some answered, some dropped before the API saw them,
some dropped after it charged them; answers and checks in any order; resends
answered at once. Whatever the order: every usage record is held and booked once,
the ledger's sum is what the API took, every job ends, a call the API never charged
is sent again, and one it charged is not.

The studio's own code does everything (moves, checks, storing, the ledger); only
the API is an in-memory fake behind `httpx.MockTransport`, stamped by the test's
clock.
"""

import base64
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.credits.models import CHARGES, LedgerEntry
from studio.generations import dispatch, lifecycle, sources, tasks
from studio.generations.models import Generation, RateWindow
from studio.generations.states import State
from studio.multimodal import errors
from studio.multimodal.client import MultimodalClient
from studio.sandbox import media
from tests.conftest import TOKEN_A, make_team, member_of
from tests.generations.helpers import drive, queued, refreshed

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "https://api.example"
FATES = ("answered", "lost before the charge", "lost after the charge")


@dataclass
class FakeApi:
    """The API's usage history and its generate endpoint, in memory."""

    clock: object
    speech: bytes
    records: list[dict] = field(default_factory=list)

    def charge(self) -> dict:
        record = {"id": f"usage_{uuid.uuid4().hex}", "endpoint_type": "tts",
                  "model_used": "fake", "credits_used": 14, "status": "completed",
                  "created_at": self.clock.now.isoformat()}
        self.records.append(record)
        return record

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST":
            record = self.charge()
            return httpx.Response(201, json={
                "audio_base64": base64.b64encode(self.speech).decode(), "format": "mp3",
                "usage_id": record["id"], "credits_used": 14})
        if path.endswith("/usage"):
            newest_first = sorted(self.records, key=lambda r: r["created_at"], reverse=True)
            skip, limit = int(request.url.params["skip"]), int(request.url.params["limit"])
            return httpx.Response(200, json={"items": newest_first[skip:skip + limit]})
        usage_id = path.rsplit("/", 1)[-1]
        return httpx.Response(200, json=next(r for r in self.records if r["id"] == usage_id))

    def client(self) -> MultimodalClient:
        return MultimodalClient(ORIGIN, TOKEN_A, transport=httpx.MockTransport(self.handle))


@pytest.fixture(scope="module")
def speech() -> bytes:
    return media.synthesize_mp3("one line", "Wise_Woman")[0]


@dataclass
class Call:
    generation: Generation
    fate: str
    answer: object = None  # the answer held back until its event
    attempt: object = None


def send(call: Call, api: FakeApi, clock) -> None:
    job = call.generation
    dispatched = lifecycle.dispatch(job, job.team.api_fingerprint, clock.now)
    call.attempt = lifecycle.start_sending(dispatched.pk)
    if call.fate == "lost before the charge":
        return lose(call)
    with api.client() as client:
        answer = client.generate("tts", sources.api_params(job))
    if call.fate == "answered":
        call.answer = answer
    else:
        answer.close()
        lose(call)


def lose(call: Call) -> None:
    lost = errors.ApiConnectionError("The connection broke", may_have_reached_api=True)
    tasks.finish_attempt(call.attempt, 0.0, lost)
    tasks.after_refusal(refreshed(call.generation), call.attempt, lost)


def answer_arrives(call: Call) -> None:
    tasks.finish_attempt(call.attempt, 0.0, None, call.answer)
    tasks.take_result(refreshed(call.generation), call.answer)
    call.answer.close()


def check(call: Call, clock) -> None:
    job = refreshed(call.generation)
    if job.state == State.CHECKING:
        clock.advance_to(job.follow_up_at)
        dispatch.tick()


def clean_world() -> None:
    Generation.objects.all().delete()
    LedgerEntry.objects.all().delete()
    RateWindow.objects.all().delete()


calls = st.lists(st.tuples(st.sampled_from(FATES), st.floats(0.1, 3.0), st.booleans()),
                 min_size=1, max_size=6)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=calls, data=st.data())
def test_every_record_is_booked_once_whatever_the_interleaving(
        team_a, owner, fake_clock, monkeypatch, speech, drawn, data):
    clean_world()
    team_c = make_team_sharing_the_token()
    author_c = team_c.memberships.get().user
    fake_clock.now = timezone.now()
    api = FakeApi(fake_clock, speech)
    monkeypatch.setattr(tasks, "client_for", lambda team: api.client())

    sent = []
    for n, (fate, gap, other_team) in enumerate(drawn):
        fake_clock.advance(gap)
        team, author = (team_c, author_c) if other_team else (team_a, owner)
        call = Call(queued(team, author, "tts", text=f"line {n}"), fate)
        send(call, api, fake_clock)
        sent.append(call)
    events = [("answer", c) for c in sent if c.fate == "answered"] + \
             [("check", c) for c in sent if c.fate != "answered"] * 2
    for what, call in data.draw(st.permutations(events), label="events"):
        if what == "answer" and call.answer is not None:
            answer_arrives(call)
            call.answer = None
        elif what == "check":
            check(call, fake_clock)
    for call in sent:
        if call.answer is not None:
            answer_arrives(call)
    fake_clock.advance(timedelta(minutes=2).total_seconds())
    drive(fake_clock)

    api_ids = sorted(r["id"] for r in api.records)
    assert sorted(LedgerEntry.objects.filter(CHARGES).values_list("usage_id", flat=True)) \
        == api_ids
    assert sum(LedgerEntry.objects.values_list("credits", flat=True)) == 14 * len(api_ids)
    held = Counter(Generation.objects.exclude(usage_id="").values_list("usage_id", flat=True))
    assert sorted(held) == api_ids and set(held.values()) <= {1}
    for call in sent:
        job = refreshed(call.generation)
        outcomes = list(job.attempt_log.values_list("outcome", flat=True))
        assert job.status in ("succeeded", "failed"), (call.fate, job.state)
        if call.fate == "lost before the charge":
            assert outcomes == ["lost", "succeeded"] and job.status == "succeeded"
        elif call.fate == "lost after the charge":
            assert outcomes == ["lost"] and job.error_code == "answer_lost"
        else:
            assert outcomes == ["succeeded"] and job.status == "succeeded"


def make_team_sharing_the_token():
    """A second team on team A's token: the API counts their calls as one."""
    from studio.teams.models import Team

    team = Team.objects.filter(name="Team C").first()
    if team is None:
        team = make_team("Team C", TOKEN_A)
        member_of(team, "cleo", "member")
    return team


def test_the_matcher_waits_while_a_call_that_could_own_a_candidate_is_in_flight():
    from studio.generations.recovery import WAIT, Call, Candidate, decide

    now = timezone.now()
    lost = Call(now, now + timedelta(seconds=0.1), "lost")
    record = Candidate("usage_other", now + timedelta(seconds=0.3))
    in_flight = Call(now + timedelta(seconds=0.3))
    assert decide(lost, [record], in_flight=[in_flight], lost_others=[], unnamed=[]) is WAIT
    assert decide(lost, [record], in_flight=[], lost_others=[], unnamed=[]) == record
    later = Call(now + timedelta(seconds=60))  # sent long after: cannot own it
    assert decide(lost, [record], in_flight=[later], lost_others=[], unnamed=[]) == record


def test_a_record_goes_to_the_lost_call_sent_nearest_it():
    from studio.generations.recovery import Call, Candidate, decide

    now = timezone.now()
    first = Call(now, now + timedelta(seconds=0.1), "first")
    second = Call(now + timedelta(seconds=0.3), now + timedelta(seconds=0.4), "second")
    record = Candidate("usage_second", now + timedelta(seconds=0.31))
    assert decide(first, [record], in_flight=[], lost_others=[second], unnamed=[]) is None
    assert decide(second, [record], in_flight=[], lost_others=[first], unnamed=[]) == record


def test_a_call_answered_without_a_usage_id_keeps_its_record_from_a_lost_one():
    from studio.generations.recovery import Call, Candidate, decide

    now = timezone.now()
    unnamed = Call(now, now + timedelta(seconds=1), "answered")
    lost = Call(now + timedelta(seconds=0.3), now + timedelta(seconds=0.4), "lost")
    record = Candidate("usage_of_the_answered", now + timedelta(seconds=0.01))
    assert decide(lost, [record], in_flight=[], lost_others=[], unnamed=[unnamed]) is None
