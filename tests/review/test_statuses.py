"""Review statuses: who may set which, the badge on cards and in the viewer, the
gallery filter, the zip's manifest column, the audit line, the live event, the
`review.changed` webhook and the REST API."""

import csv
import io
import re
import zipfile

import pytest

from studio.api.models import WebhookDelivery, WebhookEndpoint
from studio.events.models import Event
from studio.review.models import ItemReview
from studio.review.statuses import status_of
from studio.teams.models import AuditEvent
from tests.review.review_helpers import made, token_client

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def card_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article[^>]*data-generation-id="(\d+)"', html)]


def card_of(html: str, pk: int) -> str:
    return re.search(rf'<article[^>]*id="gen-{pk}".*?</article>', html, re.S).group(0)


def set_status(client, item, status: str, **extra):
    return client.post(f"/generations/{item.pk}/review-status/", {"status": status}, **extra)


def test_an_admin_approves_and_the_card_and_viewer_show_the_badge(owner_client, team_a,
                                                                  teammate):
    item = made(team_a, teammate)
    owner_client.get("/")  # the card is drawn and kept before the change
    answer = set_status(owner_client, item, "approved", **HTMX)
    assert answer.status_code == 200 and 'data-review-status="approved"' in \
        answer.content.decode()
    assert 'data-review-status="approved"' in card_of(owner_client.get("/").content.decode(),
                                                      item.pk)
    assert 'data-review-status="approved"' in owner_client.get(
        f"/generations/{item.pk}/viewer/").content.decode()


def test_the_author_hears_of_a_status_change_and_nobody_of_their_own(owner_client,
                                                                    teammate_client,
                                                                    team_a, owner, teammate):
    from studio.review.models import Notification

    item = made(team_a, teammate)
    set_status(owner_client, item, "changes_requested")
    rung = Notification.objects.get()
    assert (rung.recipient.user, rung.kind, rung.text, rung.url) == (
        teammate, "review_changed",
        f"olivia marked Image #{item.pk} “Changes requested”.", f"/generations/{item.pk}/")
    set_status(teammate_client, item, "needs_review")
    assert Notification.objects.count() == 1


def test_changes_requested_shows_its_own_badge(owner_client, team_a, teammate):
    item = made(team_a, teammate)
    set_status(owner_client, item, "changes_requested")
    card = card_of(owner_client.get("/").content.decode(), item.pk)
    assert 'data-review-status="changes_requested"' in card and "Changes requested" in card


def test_a_member_is_refused_approved_when_only_admins_may_approve(teammate_client, team_a,
                                                                   owner):
    item = made(team_a, owner)
    assert set_status(teammate_client, item, "approved").status_code == 403
    assert status_of(item) == "none"
    assert set_status(teammate_client, item, "needs_review").status_code == 302
    assert status_of(item) == "needs_review"
    viewer_html = teammate_client.get(f"/generations/{item.pk}/viewer/").content.decode()
    assert '<option value="approved"' not in viewer_html


def test_a_member_approves_where_the_team_lets_members_approve(owner_client,
                                                               teammate_client, team_a,
                                                               owner):
    settings_page = owner_client.get("/team/settings/").content.decode()
    assert 'name="members_may_approve"' in settings_page
    team_a.members_may_approve = True
    team_a.save()
    item = made(team_a, owner)
    assert set_status(teammate_client, item, "approved").status_code == 302
    assert status_of(item) == "approved"


def test_who_may_approve_is_a_team_setting_an_admin_changes_with_an_audit_line(
        owner_client, team_a):
    owner_client.post("/team/settings/", {"api_url": "", "tier": "premium",
                                          "members_may_approve": "on"})
    team_a.refresh_from_db()
    assert team_a.members_may_approve
    assert AuditEvent.objects.get(action="approval_rule_changed").summary == \
        "Let members approve items"


def test_a_viewer_sets_no_status_unless_viewers_give_feedback_and_never_approves(
        viewer_client, team_a, owner):
    item = made(team_a, owner)
    assert set_status(viewer_client, item, "needs_review").status_code == 403
    team_a.viewers_may_review = True
    team_a.members_may_approve = True
    team_a.save()
    assert set_status(viewer_client, item, "changes_requested").status_code == 302
    assert set_status(viewer_client, item, "approved").status_code == 403
    assert status_of(item) == "changes_requested"


def test_the_gallery_filters_by_review_status(owner_client, team_a, owner):
    approved, waiting, untouched = made(team_a, owner), made(team_a, owner), made(team_a, owner)
    set_status(owner_client, approved, "approved")
    set_status(owner_client, waiting, "needs_review")
    assert card_ids(owner_client.get("/?review=approved").content.decode()) == [approved.pk]
    assert card_ids(owner_client.get("/?review=none").content.decode()) == [untouched.pk]


def test_every_change_is_an_audit_line_and_a_card_event(owner_client, team_a, owner,
                                                        django_capture_on_commit_callbacks):
    item = made(team_a, owner)
    with django_capture_on_commit_callbacks(execute=True):
        set_status(owner_client, item, "needs_review")
        set_status(owner_client, item, "approved")
    lines = AuditEvent.objects.filter(action="review_changed").order_by("id")
    assert [line.details["status"] for line in lines] == ["needs_review", "approved"]
    assert "olivia" in {line.actor_name for line in lines}
    assert Event.objects.filter(kind="card", payload__id=item.pk).count() == 2


def test_a_change_sends_the_review_changed_webhook(owner_client, team_a, owner,
                                                   django_capture_on_commit_callbacks,
                                                   monkeypatch):
    monkeypatch.setattr("studio.api.webhooks.async_task", lambda *args: None)
    WebhookEndpoint.objects.create(team=team_a, url="https://hooks.example/r",
                                   events=["review.changed"], secret="whsec_eA==")
    item = made(team_a, owner)
    with django_capture_on_commit_callbacks(execute=True):
        set_status(owner_client, item, "approved")
    delivery = WebhookDelivery.objects.get(event="review.changed")
    assert delivery.payload["data"] == {"generation_id": item.pk, "status": "approved",
                                        "by": "olivia"}


def test_the_zips_manifest_has_a_review_status_column(owner_client, team_a, owner):
    approved, plain = made(team_a, owner), made(team_a, owner)
    set_status(owner_client, approved, "approved")
    response = owner_client.post("/generations/zip/", {"ids": [approved.pk, plain.pk]})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [(r["id"], r["review_status"]) for r in rows] == [
        (str(approved.pk), "approved"), (str(plain.pk), "none")]


def test_a_token_reads_and_sets_a_status_under_the_same_rule(team_a, owner, teammate):
    item = made(team_a, owner)
    member_api = token_client(team_a, teammate)
    assert member_api.get(f"/api/v1/generations/{item.pk}/review").json()["status"] == "none"
    refused = member_api.put(f"/api/v1/generations/{item.pk}/review", {"status": "approved"},
                             content_type="application/json")
    assert refused.status_code == 403
    answer = token_client(team_a, owner).put(f"/api/v1/generations/{item.pk}/review",
                                             {"status": "approved"},
                                             content_type="application/json")
    assert (answer.json()["status"], answer.json()["changed_by"]) == ("approved", "olivia")
    bad = member_api.put(f"/api/v1/generations/{item.pk}/review", {"status": "great"},
                         content_type="application/json")
    assert bad.status_code == 422


def test_another_teams_token_and_member_get_404_on_a_status(team_a, team_b, owner,
                                                            outsider, outsider_client):
    item = made(team_a, owner)
    theirs = token_client(team_b, outsider)
    assert theirs.get(f"/api/v1/generations/{item.pk}/review").status_code == 404
    assert theirs.put(f"/api/v1/generations/{item.pk}/review", {"status": "approved"},
                      content_type="application/json").status_code == 404
    assert set_status(outsider_client, item, "approved").status_code == 404
    assert not ItemReview.objects.exists()


def test_the_details_page_shows_the_status_and_tags_with_their_forms(owner_client, team_a,
                                                                     owner):
    item = made(team_a, owner)
    set_status(owner_client, item, "needs_review")
    owner_client.post(f"/generations/{item.pk}/tags/", {"tags": "hero"})
    html = owner_client.get(f"/generations/{item.pk}/").content.decode()
    assert 'data-review-status="needs_review"' in html
    assert 'name="status"' in html and 'value="hero"' in html
