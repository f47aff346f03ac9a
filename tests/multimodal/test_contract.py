"""The client against the sandbox over a real loopback socket."""

import io

import av
import pytest
from PIL import Image

from studio.multimodal import errors
from studio.multimodal.client import MultimodalClient
from studio.sandbox.models import SandboxAccount, token_digest
from tests.conftest import TOKEN_A, make_team

pytestmark = pytest.mark.django_db(transaction=True)


def balance(token: str = TOKEN_A) -> int:
    return SandboxAccount.objects.get(token_digest=token_digest(token)).credits


def test_tts_returns_spoken_mp3_and_charges_14(api):
    before = balance()
    result = api.generate("tts", {"text": "Hello from the sandbox.", "voice": "Calm_Woman"})
    audio = av.open(io.BytesIO(result.media.read_all()))
    assert audio.streams.audio and float(audio.duration) / 1_000_000 > 0.5
    assert (result.format, result.credits_used) == ("mp3", 14)
    assert result.credits_remaining == balance() == before - 14
    assert result.duration_ms > 500 and result.usage_id


def test_image_is_exactly_the_size_asked(api):
    result = api.generate("image", {"prompt": "a lighthouse", "width": 800,
                                    "height": 600})
    picture = Image.open(io.BytesIO(result.media.read_all()))
    assert picture.size == (800, 600) and picture.format == "PNG"
    assert (result.width, result.height, result.credits_used) == (800, 600, 50)


def test_usage_records_list_filter_and_fetch(api):
    spoken = api.generate("tts", {"text": "one"})
    api.generate("image", {"prompt": "two", "width": 512, "height": 512})
    page = api.list_usage(limit=10)
    assert [r.endpoint_type for r in page.records] == ["image", "tts"]
    only_tts = api.list_usage(endpoint_type="tts")
    assert [r.usage_id for r in only_tts.records] == [spoken.usage_id]
    assert api.list_usage(skip=1, limit=1).records[0].usage_id == spoken.usage_id
    record = api.get_usage(spoken.usage_id)
    assert (record.status, record.credits_used, record.endpoint_type) == \
        ("completed", 14, "tts")
    assert record.created_at is not None


def test_managed_usage_reports_the_balance(api):
    api.generate("tts", {"text": "spend"})
    assert api.managed_usage().credits_remaining == balance()


def test_health_needs_no_token(sandbox_url):
    with MultimodalClient(sandbox_url, "") as anonymous:
        assert anonymous.health()["status"] == "ok"


def test_unknown_token_is_401(sandbox_url, db):
    with MultimodalClient(sandbox_url, "sbx_nobody") as stranger:
        with pytest.raises(errors.AuthenticationFailed):
            stranger.generate("tts", {"text": "hi"})
        with pytest.raises(errors.AuthenticationFailed):
            stranger.list_usage()


def test_out_of_range_parameter_is_400_naming_the_field(api):
    with pytest.raises(errors.InvalidRequest) as refused:
        api.generate("image", {"prompt": "p", "width": 4000, "height": 512})
    assert "less than or equal to 2048" in refused.value.field_errors["width"]
    assert balance() == 100_000


def test_bad_usage_query_is_400(api):
    with pytest.raises(errors.InvalidRequest) as refused:
        api.list_usage(limit=101)
    assert "limit" in refused.value.field_errors


def test_missing_usage_record_is_refused(api):
    with pytest.raises(errors.MultimodalError) as missing:
        api.get_usage("usage_does_not_exist")
    assert missing.value.status_code == 404


def test_t2v_on_a_standard_token_is_403(sandbox_url, db):
    make_team("Plain", "sbx_standard_token", tier="standard")
    with MultimodalClient(sandbox_url, "sbx_standard_token") as standard:
        with pytest.raises(errors.Forbidden, match="premium"):
            standard.generate("video_t2v", {"prompt": "waves", "duration": 3})


def test_short_balance_is_402_and_charges_nothing(sandbox_url, db):
    make_team("Poor", "sbx_poor_token", credits=40)
    with MultimodalClient(sandbox_url, "sbx_poor_token") as poor:
        with pytest.raises(errors.InsufficientCredits, match="costs 50"):
            poor.generate("image", {"prompt": "p", "width": 512, "height": 512})
    assert balance("sbx_poor_token") == 40


def test_calls_above_the_window_are_429_with_retry_after(api, settings):
    settings.STUDIO_RATE_LIMITS = {"tts": (2, 60)}
    api.generate("tts", {"text": "one"})
    api.generate("tts", {"text": "two"})
    with pytest.raises(errors.RateLimited) as limited:
        api.generate("tts", {"text": "three"})
    assert 0 < limited.value.retry_after <= 60
    api.generate("image", {"prompt": "other kinds are not blocked", "width": 512,
                           "height": 512})


def test_window_reopens_when_time_passes(api, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    settings.STUDIO_RATE_LIMITS = {"tts": (1, 60)}
    start = timezone.now()
    monkeypatch.setattr("studio.lib.clock.now", lambda: start)
    api.generate("tts", {"text": "one"})
    with pytest.raises(errors.RateLimited):
        api.generate("tts", {"text": "two"})
    monkeypatch.setattr("studio.lib.clock.now", lambda: start + timedelta(seconds=61))
    assert api.generate("tts", {"text": "two"}).credits_used == 14
