"""The task layer against the sandbox over loopback (queue run inline)."""

import io

import av
import httpx
import pytest
from PIL import Image

from studio.credits.models import LedgerEntry
from studio.generations import tasks
from studio.generations.models import Generation, Status
from studio.multimodal import catalog
from studio.sandbox.models import SandboxAccount, SandboxUsage
from tests.conftest import make_team

pytestmark = pytest.mark.django_db(transaction=True)


def queued(team, author, kind: str, **params) -> Generation:
    spec = catalog.get(kind)
    params = spec.with_defaults(params)
    return Generation.objects.create(team=team, author=author, kind=kind,
                                     params=params, cost=spec.cost_for(params))


def run(generation: Generation) -> Generation:
    tasks.run_generation(generation.pk)
    generation.refresh_from_db()
    return generation


def test_tts_succeeds_with_stored_mp3_and_ledger_entry(sandbox_url, team_a, owner):
    generation = run(queued(team_a, owner, "tts", text="Stored speech.",
                            voice="Young_Knight"))
    assert generation.status == Status.SUCCEEDED
    with generation.media.open("rb") as stored:
        audio = av.open(io.BytesIO(stored.read()))
    assert audio.streams.audio
    assert generation.media_format == "mp3" and generation.credits_used == 14
    entry = LedgerEntry.objects.get()
    assert (entry.generation, entry.member, entry.credits, entry.usage_id) == \
        (generation, owner, 14, generation.usage_id)
    team_a.refresh_from_db()
    assert team_a.credits_remaining == generation.credits_remaining == 100_000 - 14


def test_image_succeeds_with_png_of_the_requested_size(sandbox_url, team_a, owner):
    generation = run(queued(team_a, owner, "image", prompt="a harbour", width=704,
                            height=512))
    with generation.media.open("rb") as stored:
        assert Image.open(stored).size == (704, 512)
    assert (generation.width, generation.height) == (704, 512)


def test_402_fails_generation_without_retry(sandbox_url, db, owner):
    poor = make_team("Poor", "sbx_poor", credits=10)
    generation = run(queued(poor, owner, "tts", text="too expensive"))
    assert generation.status == Status.FAILED
    assert generation.error_code == "insufficient_credits"
    assert "Insufficient credits" in generation.error_message
    assert "Top up" in generation.error_message
    assert generation.attempts == 1 and not LedgerEntry.objects.exists()


def test_403_t2v_on_standard_team_fails_with_the_api_message(sandbox_url, db, owner):
    standard = make_team("Std", "sbx_std", tier="standard")
    generation = run(queued(standard, owner, "video_t2v", prompt="waves"))
    assert (generation.status, generation.error_code) == (Status.FAILED, "forbidden")
    assert "premium" in generation.error_message


def test_team_without_token_fails_with_a_way_out(sandbox_url, team_a, owner):
    team_a.api_token = ""
    team_a.save()
    generation = run(queued(team_a, owner, "tts", text="no token"))
    assert generation.status == Status.FAILED
    assert "Team settings" in generation.error_message


def test_429_requeues_without_counting_an_attempt(sandbox_url, team_a, owner, settings):
    settings.STUDIO_RATE_LIMITS = {"tts": (1, 60)}
    run(queued(team_a, owner, "tts", text="first"))
    second = run(queued(team_a, owner, "tts", text="second"))
    assert (second.status, second.attempts) == (Status.QUEUED, 0)
    assert second.next_attempt_at is not None and "Trying again" in second.error_message
    assert SandboxUsage.objects.count() == 1


def test_500_requeues_then_fails_after_the_last_attempt(team_a, owner, settings,
                                                        monkeypatch):
    settings.STUDIO_MAX_ATTEMPTS = 2
    broken = httpx.MockTransport(lambda request: httpx.Response(
        500, json={"detail": "GPU provider error"}))
    real_client = tasks.MultimodalClient
    monkeypatch.setattr(tasks, "MultimodalClient", lambda *a, **kw: real_client(
        *a, **{**kw, "transport": broken}))
    generation = run(queued(team_a, owner, "image", prompt="p"))
    assert (generation.status, generation.attempts) == (Status.QUEUED, 1)
    assert "GPU provider error" in generation.error_message
    generation = run(generation)
    assert (generation.status, generation.error_code) == (Status.FAILED, "provider_error")
    assert "after 2 attempts" in generation.error_message


def test_a_task_delivered_twice_calls_the_api_once(sandbox_url, team_a, owner):
    generation = run(queued(team_a, owner, "tts", text="once"))
    assert tasks.run_generation(generation.pk) == "skipped"
    assert SandboxUsage.objects.count() == 1
    assert SandboxAccount.objects.get(label="Team A").credits == 100_000 - 14
