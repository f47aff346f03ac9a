"""Generations through the dispatcher and the task layer, against the sandbox over
loopback; the queue runs inline and the clock is the test's."""

import io

import av
import pytest
from PIL import Image

from studio.credits.models import LedgerEntry
from studio.generations.models import Attempt, Status
from studio.sandbox.models import SandboxAccount, SandboxUsage
from tests.conftest import make_team
from tests.generations.helpers import drive, queued, refreshed

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("sandbox_url", "fake_clock")]


def test_tts_succeeds_with_stored_mp3_and_ledger_entry(team_a, owner, fake_clock):
    generation = queued(team_a, owner, "tts", text="Stored speech.", voice="Young_Knight")
    drive(fake_clock)
    generation = refreshed(generation)
    assert generation.status == Status.SUCCEEDED
    with generation.media.open("rb") as stored:
        assert av.open(io.BytesIO(stored.read())).streams.audio
    assert generation.media_format == "mp3" and generation.credits_used == 14
    entry = LedgerEntry.objects.get()
    assert (entry.generation, entry.member, entry.credits, entry.usage_id) == \
        (generation, owner, 14, generation.usage_id)
    team_a.refresh_from_db()
    assert team_a.credits_remaining == generation.credits_remaining == 100_000 - 14


def test_every_call_is_recorded_with_status_and_latency(team_a, owner, fake_clock):
    generation = queued(team_a, owner, "image", prompt="a harbour", width=704, height=512)
    drive(fake_clock)
    attempt = Attempt.objects.get(generation=generation)
    assert (attempt.number, attempt.http_status, attempt.outcome) == \
        (1, 201, Attempt.Outcome.SUCCEEDED)
    assert attempt.latency_ms is not None and attempt.finished_at is not None
    with refreshed(generation).media.open("rb") as stored:
        assert Image.open(stored).size == (704, 512)


def test_402_fails_generation_without_retry(db, owner, fake_clock):
    poor = make_team("Poor", "sbx_poor", credits=10)
    generation = queued(poor, owner, "tts", text="too expensive")
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.error_code) == \
        (Status.FAILED, "insufficient_credits")
    assert "Insufficient credits" in generation.error_message
    assert "Top up" in generation.error_message
    assert generation.attempts == 1 and not LedgerEntry.objects.exists()
    assert Attempt.objects.get().http_status == 402


def test_403_t2v_on_standard_team_fails_with_the_api_message(db, owner, fake_clock):
    standard = make_team("Std", "sbx_std", tier="standard")
    generation = queued(standard, owner, "video_t2v", prompt="waves")
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.error_code) == (Status.FAILED, "forbidden")
    assert "premium" in generation.error_message


def test_400_fails_at_once_with_the_api_message(team_a, owner, fake_clock):
    generation = queued(team_a, owner, "image", prompt="p", width=4096, height=512)
    drive(fake_clock)
    generation = refreshed(generation)
    assert (generation.status, generation.error_code, generation.attempts) == \
        (Status.FAILED, "invalid_request", 1)
    assert "2048" in generation.error_message


def test_team_without_token_fails_with_a_way_out(team_a, owner, fake_clock):
    team_a.api_token = ""
    team_a.save()
    generation = queued(team_a, owner, "tts", text="no token")
    drive(fake_clock)
    assert "Team settings" in refreshed(generation).error_message


def test_a_task_delivered_twice_calls_the_api_once(team_a, owner, fake_clock):
    from studio.generations import tasks

    generation = queued(team_a, owner, "tts", text="once")
    drive(fake_clock)
    attempt = Attempt.objects.get(generation=generation)
    assert tasks.send_attempt(attempt.pk) == "skipped"
    assert SandboxUsage.objects.count() == 1
    assert SandboxAccount.objects.get(label="Team A").credits == 100_000 - 14
