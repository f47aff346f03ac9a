"""A member who deletes their own work can undo it at once, and restore it from the
trash later; admins still see and restore everyone's."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from studio.generations.models import Generation
from tests.conftest import logged_in, member_of
from tests.generations.test_trash_reach import finished_image, trashed


class Flashes(HTMLParser):
    """Each message on a page: its text, and the form of its button, if any."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[dict] = []
        self.depth = 0  # inside a .flash while > 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "div" and "flash" in (named.get("class") or "").split():
            self.found.append({"text": "", "form": None, "fields": {}, "button": ""})
            self.depth = 1
        elif self.depth:
            self.depth += tag == "div"
            if tag == "form":
                self.found[-1]["form"] = named
            elif tag == "input":
                self.found[-1]["fields"][named["name"]] = named.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "div":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.found[-1]["text"] += data


def flashes(html: str) -> list[dict]:
    return Flashes(html).found


def trash_ids(client) -> set[int]:
    html = client.get("/trash/").content.decode()
    return {g.pk for g in Generation.objects.all() if f'data-generation-id="{g.pk}"' in html}


@pytest.fixture
def mine(team_a, teammate):
    return finished_image(team_a, teammate)


@pytest.fixture
def theirs(team_a, owner):
    return finished_image(team_a, owner)


def test_deleting_own_work_offers_undo_and_undo_restores_it(teammate_client, mine):
    response = teammate_client.post(f"/generations/{mine.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/"
    [message] = flashes(teammate_client.get("/credits/").content.decode())
    assert f"Image #{mine.pk} moved to the trash" in message["text"]
    assert "Undo" in message["text"] and "admin" not in message["text"]
    assert message["form"]["action"] == f"/generations/{mine.pk}/restore/"
    assert message["form"]["method"] == "post"
    assert message["fields"]["next"] == "/credits/"  # back where it was pressed

    undone = teammate_client.post(message["form"]["action"], message["fields"])
    assert undone.status_code == 302 and undone["Location"] == "/credits/"
    assert Generation.objects.get(pk=mine.pk).deleted_at is None
    [message] = flashes(teammate_client.get("/credits/").content.decode())
    assert "is back in the gallery" in message["text"] and message["form"] is None


def test_other_messages_offer_no_undo(owner_client, theirs):
    trashed(theirs)
    owner_client.post(f"/generations/{theirs.pk}/restore/")
    [message] = flashes(owner_client.get("/credits/").content.decode())
    assert message["form"] is None and "Undo" not in message["text"]


def test_a_member_sees_only_their_own_deleted_work_and_restores_it(teammate_client, mine,
                                                                    theirs):
    trashed(mine), trashed(theirs)
    assert trash_ids(teammate_client) == {mine.pk}
    response = teammate_client.post(f"/generations/{mine.pk}/restore/")
    assert response.status_code == 302 and response["Location"] == "/trash/"
    assert Generation.objects.get(pk=mine.pk).deleted_at is None
    assert trash_ids(teammate_client) == set()


def test_a_member_cannot_restore_a_teammates_work(teammate_client, theirs):
    trashed(theirs)
    assert teammate_client.post(f"/generations/{theirs.pk}/restore/").status_code == 404
    assert Generation.objects.get(pk=theirs.pk).deleted_at is not None


def test_admins_still_see_and_restore_everyones(team_a, owner_client, mine, theirs):
    trashed(mine), trashed(theirs)
    assert trash_ids(owner_client) == {mine.pk, theirs.pk}
    assert trash_ids(logged_in(member_of(team_a, "ada", "admin"))) == {mine.pk, theirs.pk}
    owner_client.post(f"/generations/{mine.pk}/restore/")
    assert Generation.objects.get(pk=mine.pk).deleted_at is None


def test_past_the_window_there_is_nothing_to_restore(teammate_client, mine):
    trashed(mine, days_ago=31)
    assert trash_ids(teammate_client) == set()
    assert teammate_client.post(f"/generations/{mine.pk}/restore/").status_code == 404


def test_viewers_have_no_trash(viewer_client, theirs):
    trashed(theirs)
    assert viewer_client.get("/trash/").status_code == 403
    assert viewer_client.post(f"/generations/{theirs.pk}/restore/").status_code == 404


def test_the_trash_is_in_the_nav_for_whoever_can_generate(teammate_client, viewer_client):
    assert 'href="/trash/"' in teammate_client.get("/credits/").content.decode()
    assert 'href="/trash/"' not in viewer_client.get("/credits/").content.decode()


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/x"])
def test_undo_returns_only_to_a_page_of_the_studio(teammate_client, mine, elsewhere):
    Generation.objects.filter(pk=mine.pk).update(deleted_at=timezone.now() - timedelta(1))
    response = teammate_client.post(f"/generations/{mine.pk}/restore/", {"next": elsewhere})
    assert response["Location"] == "/trash/"
