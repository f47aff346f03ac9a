"""The team's activity page: what happened to its work, newest first, each line
linking to the thing, filtered by member and by kind, paged; viewers see it too,
another team sees none of it, and the admins' own business stays in the audit trail."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from studio.generations.models import Generation
from studio.teams import audit
from studio.teams.models import AuditEvent
from tests.generations.helpers import queued

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def lines(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", line)).strip() for line in
            re.findall(r'<li data-kind="[^"]+">\s*<span>(.*?)</span>', page, re.S)]


def finished(team, author, ago_minutes: int, status: str = "succeeded") -> Generation:
    job = queued(team, author, "image", prompt="a harbour")
    Generation.objects.filter(pk=job.pk).update(
        state=status, status=status, error_message="refused" if status == "failed" else "",
        finished_at=timezone.now() - timedelta(minutes=ago_minutes))
    return job


@pytest.fixture
def story(team_a, owner, teammate) -> dict:
    """Tom queued an image that finished, Olivia commented on it, then a failure, and
    Olivia changed the budget (the admins' business)."""
    image = finished(team_a, teammate, 30)
    audit.record(team_a, teammate, Action.GENERATED, f"Queued Image #{image.pk}",
                 generation=image.pk)
    AuditEvent.objects.update(created_at=timezone.now() - timedelta(minutes=40))
    audit.record(team_a, owner, Action.COMMENTED, f"Commented on Image #{image.pk}",
                 generation=image.pk)
    failed = finished(team_a, owner, -1, status="failed")
    audit.record(team_a, owner, Action.BUDGET_CHANGED, "Set the team's budget to 5")
    return {"image": image, "failed": failed}


def test_what_happened_shows_newest_first_each_linking_to_the_thing(owner_client, story):
    image, failed = story["image"], story["failed"]
    page = owner_client.get("/activity/").content.decode()
    assert lines(page) == [f"Image #{failed.pk} failed: refused",
                           f"Commented on Image #{image.pk}",
                           f"Image #{image.pk} finished",
                           f"Queued Image #{image.pk}"]
    assert page.count(f'href="/generations/{image.pk}/"') == 3


def test_the_admins_business_stays_in_the_audit_trail(owner_client, story):
    assert "budget" not in owner_client.get("/activity/").content.decode()


def test_filtered_by_member(owner_client, story):
    image = story["image"]
    page = owner_client.get("/activity/?member=tom").content.decode()
    assert lines(page) == [f"Image #{image.pk} finished", f"Queued Image #{image.pk}"]


@pytest.mark.parametrize(("kind", "expected"), [
    ("finished", "Image #{image} finished"),
    ("failed", "Image #{failed} failed: refused"),
    ("commented", "Commented on Image #{image}"),
])
def test_filtered_by_kind(owner_client, story, kind, expected):
    page = owner_client.get(f"/activity/?kind={kind}").content.decode()
    assert lines(page) == [expected.format(image=story["image"].pk,
                                           failed=story["failed"].pk)]


def test_filtered_by_member_and_kind_with_nothing_to_show_says_so(owner_client, story):
    page = owner_client.get("/activity/?member=olivia&kind=finished").content.decode()
    assert lines(page) == [] and "Nothing matches these filters." in page


def test_an_unknown_filter_shows_everything_rather_than_fail(owner_client, story):
    response = owner_client.get("/activity/?kind=gossip&member=nobody")
    assert response.status_code == 200 and len(lines(response.content.decode())) == 4


def test_a_viewer_sees_the_activity(viewer_client, story):
    assert len(lines(viewer_client.get("/activity/").content.decode())) == 4


def test_another_team_sees_none_of_it(outsider_client, story):
    page = outsider_client.get("/activity/").content.decode()
    assert lines(page) == [] and "Nothing has happened yet." in page
    assert "member=tom" not in page and ">tom<" not in page


def test_it_pages_back_in_time(owner_client, team_a, owner):
    for number in range(55):
        audit.record(team_a, owner, Action.RATED, f"Rated #{number}")
        AuditEvent.objects.filter(summary=f"Rated #{number}").update(
            created_at=timezone.now() - timedelta(minutes=100 - number))
    first = owner_client.get("/activity/").content.decode()
    assert lines(first)[0] == "Rated #54" and len(lines(first)) == 50
    older = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    second = owner_client.get(f"/activity/{older}").content.decode()
    assert lines(second) == [f"Rated #{n}" for n in range(4, -1, -1)]
    assert 'rel="next"' not in second


def test_outside_links_and_their_notes_are_in_the_activity(owner_client, teammate, story):
    from studio.generations.moments import Moment
    from studio.review import share
    from studio.teams.models import Membership

    image = story["image"]
    Generation.objects.filter(pk=image.pk).update(media="teams/1/generations/1.png")
    image.refresh_from_db()
    link, _ = share.share(Membership.objects.get(user=teammate), image, days=7).result
    share.leave_note(link, "Cleo", "Lovely", Moment())
    page = owner_client.get("/activity/").content.decode()
    shown = lines(page)
    assert shown.index(f"Cleo (from outside) left a note on Image #{image.pk}") < \
        shown.index(f"Shared Image #{image.pk} through an outside link for 7 days")


def test_boards_and_reviews_are_in_the_activity_linking_to_them(owner_client, story):
    image = story["image"]
    made = owner_client.post("/boards/", {"name": "Picks"})
    board_url = made.headers["location"]
    owner_client.post(f"{board_url}add/", {"generation": image.pk})
    owner_client.post(f"/generations/{image.pk}/review-status/", {"status": "approved"})
    page = owner_client.get("/activity/").content.decode()
    assert {"Made the board “Picks”", f"Set #{image.pk} to “Approved”"} <= set(lines(page))
    assert f'href="{board_url}"' in page
