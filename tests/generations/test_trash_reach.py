"""In the trash means out of reach: only whoever may restore it (its author or an
admin, within the window) still opens it."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from studio.generations import reach
from studio.generations.models import Generation, State, Status
from studio.generations.signing import UPLOAD, shared_url
from studio.teams.models import Membership, Role
from tests.conftest import logged_in, member_of

VIEWS = ["/generations/{pk}/", "/generations/{pk}/media", "/generations/{pk}/poster",
         "/generations/{pk}/thumbnail", "/generations/{pk}/card/"]


def finished_video(team, author) -> Generation:
    """A finished clip with every file a view can serve: media, poster, thumbnail."""
    clip = Generation.objects.create(team=team, author=author, kind="video_t2v",
                                     params={"prompt": "waves at dusk"}, cost=1000,
                                     state=State.SUCCEEDED, status=Status.SUCCEEDED,
                                     media_format="mp4")
    clip.media.save(f"{clip.pk}.mp4", ContentFile(b"mp4 bytes"), save=False)
    clip.poster.save(f"{clip.pk}.jpg", ContentFile(b"jpeg bytes"), save=False)
    clip.thumbnail.save(f"{clip.pk}.webp", ContentFile(b"webp bytes"), save=False)
    clip.save()
    return clip


def finished_image(team, author) -> Generation:
    picture = Generation.objects.create(team=team, author=author, kind="image",
                                        params={"prompt": "a red kite"}, cost=50,
                                        state=State.SUCCEEDED, status=Status.SUCCEEDED,
                                        media_format="png")
    picture.media.save(f"{picture.pk}.png", ContentFile(b"png bytes"))
    return picture


def trashed(generation: Generation, days_ago: float = 0) -> Generation:
    Generation.objects.filter(pk=generation.pk).update(
        deleted_at=timezone.now() - timedelta(days=days_ago))
    generation.refresh_from_db()
    return generation


@pytest.fixture
def clip(team_a, teammate):
    return finished_video(team_a, teammate)


@pytest.mark.parametrize("url", VIEWS)
def test_every_view_of_a_generation_serves_it_before_the_trash(url, teammate_client, clip):
    assert teammate_client.get(url.format(pk=clip.pk)).status_code == 200


@pytest.fixture
def other_member_client(team_a):
    return logged_in(member_of(team_a, "mia", Role.MEMBER))


@pytest.mark.parametrize("url", VIEWS)
@pytest.mark.parametrize("who", ["viewer_client", "other_member_client"])
def test_a_trashed_generation_is_404_like_a_missing_one(url, who, request, clip):
    browser = request.getfixturevalue(who)  # a member, but not its author
    trashed(clip)
    missing = browser.get(url.format(pk=clip.pk + 1000))
    response = browser.get(url.format(pk=clip.pk))
    assert response.status_code == missing.status_code == 404
    assert b"waves at dusk" not in response.content


@pytest.mark.parametrize("url", VIEWS)
@pytest.mark.parametrize("who", ["owner_client", "teammate_client"])
def test_admins_and_its_author_still_reach_what_they_may_restore(url, who, request, clip):
    trashed(clip)  # the teammate is its author
    assert request.getfixturevalue(who).get(url.format(pk=clip.pk)).status_code == 200


@pytest.mark.parametrize("url", VIEWS)
def test_past_the_restore_window_nobody_reaches_it(url, owner_client, clip):
    trashed(clip, days_ago=31)  # waiting for the nightly purge
    assert owner_client.get(url.format(pk=clip.pk)).status_code == 404


def test_admin_sees_it_marked_in_the_trash_with_a_restore_button(owner_client, owner, clip):
    owner_client.post(f"/generations/{clip.pk}/delete/")
    html = owner_client.get(f"/generations/{clip.pk}/").content.decode()
    assert "In the trash" in html and "moved there by olivia" in html
    assert f'action="/generations/{clip.pk}/restore/"' in html
    assert f"/generations/{clip.pk}/delete/" not in html  # nothing else acts on it
    assert f"/generations/{clip.pk}/star/" not in html and 'id="review"' not in html
    owner_client.post(f"/generations/{clip.pk}/restore/")
    assert Generation.objects.get(pk=clip.pk).deleted_at is None
    assert "In the trash" not in owner_client.get(f"/generations/{clip.pk}/").content.decode()


def test_the_detail_page_is_not_marked_outside_the_trash(owner_client, clip):
    html = owner_client.get(f"/generations/{clip.pk}/").content.decode()
    assert "In the trash" not in html and "/restore/" not in html


def test_who_may_not_restore_cannot_restore_by_url_either(other_member_client, clip):
    trashed(clip)
    assert other_member_client.post(f"/generations/{clip.pk}/restore/").status_code == 404
    assert Generation.objects.get(pk=clip.pk).deleted_at is not None


def test_may_restore_is_for_admins_and_its_author_within_the_window(team_a, clip, owner,
                                                                    teammate):
    trashed(clip)
    roles = {role: reach.may_restore(Membership(team=team_a, role=role), clip)
             for role in Role}
    assert roles == {Role.VIEWER: False, Role.MEMBER: False, Role.ADMIN: True,
                     Role.OWNER: True}
    author = Membership.objects.get(user=teammate)
    assert reach.may_restore(author, clip)
    author.role = Role.VIEWER  # an author who may no longer make such work
    assert not reach.may_restore(author, clip)
    expired = trashed(finished_image(team_a, owner), days_ago=31)
    assert not reach.may_restore(Membership(team=team_a, role=Role.OWNER), expired)


def test_a_signed_link_to_a_trashed_image_stops_working(client, team_a, owner):
    picture = finished_image(team_a, owner)
    link = shared_url(picture.pk, "media")
    assert client.get(link).status_code == 200
    trashed(picture)
    assert client.get(link).status_code == 404


def test_a_signed_link_to_a_trashed_upload_stops_working(client, team_a, owner):
    clip = Generation.objects.create(team=team_a, author=owner, kind="video_i2v",
                                     params={"motion_prompt": "zoom"}, cost=400,
                                     state=State.FAILED, status=Status.FAILED)
    clip.source_upload.save("upload.png", ContentFile(b"png bytes"))
    link = shared_url(clip.pk, UPLOAD)
    assert client.get(link).status_code == 200
    trashed(clip)
    assert client.get(link).status_code == 404
