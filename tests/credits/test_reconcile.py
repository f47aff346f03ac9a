"""Reconciliation against the sandbox's usage history, over loopback."""

import pytest

from studio.credits.models import Discrepancy, LedgerEntry, Source, SyncState
from studio.generations import settlement
from studio.multimodal.client import MultimodalClient
from tests.conftest import TOKEN_A
from tests.generations.helpers import drive, queued

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("sandbox_url")]


def charge_outside_the_studio(sandbox_url, text="someone else's script"):
    with MultimodalClient(sandbox_url, TOKEN_A) as other_client:
        result = other_client.generate("tts", {"text": text})
        result.close()
        return result.usage_id


def test_charges_made_outside_appear_after_one_sync_once(sandbox_url, team_a, owner,
                                                         fake_clock):
    queued(team_a, owner, "tts", text="ours")
    drive(fake_clock)
    theirs = charge_outside_the_studio(sandbox_url)
    assert settlement.reconcile_team(team_a.pk) == "read 2, added 1, mismatched 0"
    found = LedgerEntry.objects.get(usage_id=theirs)
    assert (found.source, found.credits, found.member, found.kind) == \
        (Source.RECONCILIATION, 14, None, "tts")
    settlement.reconcile_team(team_a.pk)
    assert LedgerEntry.objects.filter(usage_id=theirs).count() == 1
    assert LedgerEntry.objects.count() == 2


def test_mismatched_amount_is_corrected_and_flagged(sandbox_url, team_a, owner,
                                                    fake_clock, owner_client):
    generation = queued(team_a, owner, "tts", text="ours")
    drive(fake_clock)
    generation.refresh_from_db()
    LedgerEntry.objects.filter(usage_id=generation.usage_id).update(credits=10)
    settlement.reconcile_team(team_a.pk)
    flag = Discrepancy.objects.get()
    assert (flag.ledger_credits, flag.api_credits) == (10, 14)
    assert sum(LedgerEntry.objects.values_list("credits", flat=True)) == 14
    html = owner_client.get("/credits/").content.decode()
    assert "Charges that did not match" in html and generation.usage_id in html


def test_a_running_jobs_record_is_left_to_the_job(sandbox_url, team_a, owner, fake_clock,
                                                  settings):
    from studio.generations import dispatch

    settings.SANDBOX_VIDEO_SHAPE = "pending"
    settings.SANDBOX_VIDEO_LATENCY = 0
    video = queued(team_a, owner, "video_cogvideox", prompt="rain", num_frames=17)
    dispatch.tick()
    settlement.reconcile_team(team_a.pk)
    assert not LedgerEntry.objects.exists()
    drive(fake_clock)
    video.refresh_from_db()
    assert LedgerEntry.objects.get().usage_id == video.usage_id


def test_unreachable_api_is_noted_not_raised(team_a):
    team_a.api_url = "http://127.0.0.1:9"
    team_a.save()
    assert settlement.reconcile_team(team_a.pk).startswith("failed")
    assert "127.0.0.1:9" in SyncState.objects.get().last_error


def test_schedule_runs_one_task_per_team_with_a_token(team_a, team_b):
    assert settlement.reconcile_all() == 2


def test_stale_balance_is_refreshed_from_the_api(team_a, owner, owner_client, settings):
    settings.STUDIO_BALANCE_MAX_AGE = 60
    assert team_a.credits_remaining is None
    owner_client.get("/")
    team_a.refresh_from_db()
    assert team_a.credits_remaining == 100_000 and team_a.credits_as_of is not None
