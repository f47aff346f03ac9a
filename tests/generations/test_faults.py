"""Failure handling against the sandbox's fault modes: nothing lost, nothing charged
twice. The clock is the test's; the queue runs inline."""

import pytest
from django_q.tasks import async_task

from studio.credits.models import LedgerEntry
from studio.generations import dispatch, lifecycle, tasks
from studio.generations.models import Attempt, Status
from studio.multimodal.client import MultimodalClient
from studio.sandbox.models import SandboxAccount, SandboxFaults, SandboxUsage, token_digest
from tests.conftest import TOKEN_A
from tests.generations.helpers import drive, queued, refreshed

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("sandbox_url")]


def faults(**modes) -> SandboxFaults:
    account = SandboxAccount.objects.get(token_digest=token_digest(TOKEN_A))
    return SandboxFaults.objects.create(account=account, **modes)


def outcomes(generation) -> list[tuple[int | None, str]]:
    return list(generation.attempt_log.values_list("http_status", "outcome"))


def charges() -> int:
    return SandboxUsage.objects.filter(status="completed").count()


def test_500_twice_then_success_ends_succeeded_after_3_attempts(team_a, owner, fake_clock):
    faults(fail_next_500=2)
    generation = queued(team_a, owner, "tts", text="third time lucky")
    dispatch.tick()
    first_retry = refreshed(generation)
    assert first_retry.status == Status.QUEUED and "GPU provider error" in \
        first_retry.error_message
    waited = (first_retry.not_before - fake_clock.now).total_seconds()
    assert 30 <= waited <= 36  # STUDIO_RETRY_DELAY with up to 20% jitter
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.attempts) == (Status.SUCCEEDED, 3)
    assert outcomes(generation) == [(500, "error"), (500, "error"), (201, "succeeded")]
    assert charges() == 1


def test_500_past_the_last_attempt_fails_with_the_last_error(team_a, owner, fake_clock,
                                                            settings):
    settings.STUDIO_MAX_ATTEMPTS = 3
    faults(fail_next_500=5)
    generation = queued(team_a, owner, "image", prompt="never", width=512, height=512)
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.error_code) == (Status.FAILED, "provider_error")
    assert "GPU provider error" in generation.error_message
    assert "Gave up after 3 attempts" in generation.error_message
    assert generation.attempts == 3 and charges() == 0


def test_forced_429_never_counts_as_a_failure(team_a, owner, fake_clock, settings):
    settings.STUDIO_MAX_ATTEMPTS = 2
    fault = faults(always_429=True)
    generation = queued(team_a, owner, "tts", text="patience")
    for _ in range(4):
        dispatch.tick()
        fake_clock.advance(61)
    assert refreshed(generation).status == Status.QUEUED
    assert refreshed(generation).attempts == 0
    fault.always_429 = False
    fault.save()
    drive(fake_clock)
    assert refreshed(generation).status == Status.SUCCEEDED


def test_malformed_answer_fails_with_a_clear_message(team_a, owner, fake_clock):
    faults(malformed_next=1)
    generation = queued(team_a, owner, "tts", text="garbled")
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.error_code) == (Status.FAILED, "malformed_answer")
    assert "submit again" in generation.error_message


def test_dropped_answer_is_not_sent_again_once_charged(team_a, owner, fake_clock):
    faults(drop_next=1)
    generation = queued(team_a, owner, "tts", text="lost in transit")
    dispatch.tick()
    assert refreshed(generation).state == "checking"
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.error_code) == (Status.FAILED, "answer_lost")
    assert charges() == 1
    entry = LedgerEntry.objects.get()
    assert (entry.usage_id, entry.credits) == (generation.usage_id, 14)


def test_connection_refused_is_retried_without_asking(team_a, owner, fake_clock):
    team_a.api_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    team_a.save()
    generation = queued(team_a, owner, "tts", text="nobody home")
    dispatch.tick()
    generation = refreshed(generation)
    assert (generation.status, generation.error_code) == (Status.QUEUED, "connection_error")
    assert generation.state == "queued"


def kill_worker_mid_call(generation, fake_clock, *, reached_api: bool) -> Attempt:
    """What a SIGKILLed worker leaves: an attempt in flight forever, and maybe a charge."""
    dispatched = lifecycle.dispatch(generation, generation.team.api_fingerprint,
                                    fake_clock.now)
    attempt = lifecycle.start_sending(dispatched.pk)  # what the worker does first
    if reached_api:
        with MultimodalClient(generation.team.effective_api_url, TOKEN_A) as dying_worker:
            dying_worker.generate(generation.kind, generation.params).close()
    return attempt


def test_killed_worker_after_the_charge_ends_without_a_second_charge(team_a, owner,
                                                                     fake_clock):
    generation = queued(team_a, owner, "tts", text="killed mid-call")
    kill_worker_mid_call(generation, fake_clock, reached_api=True)
    dispatch.tick()
    assert refreshed(generation).status == Status.RUNNING  # the call may still be alive
    fake_clock.advance(lifecycle.lease_span().total_seconds() + 1)
    drive(fake_clock)
    generation = refreshed(generation)
    assert generation.status in (Status.SUCCEEDED, Status.FAILED)
    assert charges() == 1
    assert LedgerEntry.objects.get().usage_id == generation.usage_id


def test_killed_worker_before_the_api_saw_it_is_sent_again_once(team_a, owner,
                                                                fake_clock):
    generation = queued(team_a, owner, "tts", text="killed before sending")
    kill_worker_mid_call(generation, fake_clock, reached_api=False)
    fake_clock.advance(lifecycle.lease_span().total_seconds() + 1)
    drive(fake_clock)
    generation = refreshed(generation)
    assert generation.status == Status.SUCCEEDED
    assert outcomes(generation) == [(None, "lost"), (201, "succeeded")]
    assert charges() == 1


def test_a_dispatched_task_the_broker_lost_is_requeued(team_a, owner, fake_clock,
                                                       monkeypatch):
    monkeypatch.setattr(dispatch, "async_task", lambda *args, **kwargs: None)
    generation = queued(team_a, owner, "tts", text="fell out of the broker")
    dispatch.tick()
    monkeypatch.setattr(dispatch, "async_task", async_task)
    fake_clock.advance(lifecycle.lease_span().total_seconds() + 1)
    drive(fake_clock)
    assert refreshed(generation).status == Status.SUCCEEDED
    assert charges() == 1
    lost = generation.attempt_log.first()
    assert tasks.send_attempt(lost.pk) == "skipped"
    assert charges() == 1


def test_slow_answer_inside_the_timeout_is_fine(team_a, owner, fake_clock):
    faults(delay_seconds=0.2)
    generation = queued(team_a, owner, "tts", text="take your time")
    drive(fake_clock)
    assert refreshed(generation).status == Status.SUCCEEDED
    assert generation.attempt_log.get().latency_ms >= 200


def test_fault_endpoint_is_for_admins_only(client, admin_client, team_a):
    body = {"token": TOKEN_A, "fail_next_500": 2, "delay_seconds": 0.5}
    refused = client.post("/sandbox/faults/", body, content_type="application/json")
    assert refused.status_code == 302  # to the admin login
    response = admin_client.post("/sandbox/faults/", body, content_type="application/json")
    assert response.json()["fail_next_500"] == 2
    assert SandboxFaults.objects.get().delay_seconds == 0.5
    unknown = admin_client.post("/sandbox/faults/", {"token": "nope"},
                                content_type="application/json")
    assert unknown.status_code == 404



def test_answers_lost_before_any_charge_give_up_after_the_last_attempt(
        team_a, owner, fake_clock, settings, monkeypatch, sandbox_url):
    import httpx

    from studio.multimodal import client as client_module

    settings.STUDIO_MAX_ATTEMPTS = 2
    real_client = client_module.MultimodalClient

    def reset_on_generate(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.ReadError("connection reset by peer")
        with httpx.Client() as passthrough:  # usage lookups reach the real sandbox
            answer = passthrough.send(passthrough.build_request(
                request.method, str(request.url), headers=request.headers))
            return httpx.Response(answer.status_code, content=answer.content,
                                  headers=answer.headers)

    monkeypatch.setattr("studio.teams.client.MultimodalClient",
                        lambda *a, **kw: real_client(
                            *a, **{**kw, "transport": httpx.MockTransport(reset_on_generate)}))
    generation = queued(team_a, owner, "tts", text="never arrives")
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.error_code) == (Status.FAILED, "connection_error")
    assert "connection reset by peer" in generation.error_message
    assert "Gave up after 2 attempts" in generation.error_message
    assert [o for _, o in outcomes(generation)] == ["lost", "lost"]
    assert charges() == 0


def test_a_member_typed_api_url_that_turned_private_fails_at_once(team_a, owner,
                                                                 fake_clock, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    team_a.api_url, team_a.api_url_source = "http://127.0.0.1:9", "member"
    team_a.save()
    generation = queued(team_a, owner, "tts", text="to a private address")
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.error_code) == (Status.FAILED,
                                                          "address_not_public")
    assert "correct the API URL in Team settings" in generation.error_message
    assert generation.attempts == 1 and charges() == 0
