"""Free tags on items: typed in the viewer, suggested from the team's own, a gallery
filter, bulk tagging of a selection, and the REST API; never another team's."""

import re
from html import unescape

import pytest

from studio.review import tagging
from studio.review.models import ItemTag, Tag
from studio.teams.models import AuditEvent
from tests.review.review_helpers import made, token_client

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def card_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article[^>]*data-generation-id="(\d+)"', html)]


def tagged(generation, *names: str) -> None:
    for name in names:
        tag, _ = Tag.objects.get_or_create(team=generation.team, name=name)
        ItemTag.objects.create(tag=tag, generation=generation)


def test_tags_typed_in_the_viewer_are_kept_tidy_and_shown_again(teammate_client, team_a,
                                                               owner):
    item = made(team_a, owner)
    answer = teammate_client.post(f"/generations/{item.pk}/tags/",
                                  {"tags": " Hero  Shot, hero shot ,Night,"}, **HTMX)
    assert answer.status_code == 200
    assert tagging.tags_of(item) == ["hero shot", "night"]
    assert 'value="hero shot, night"' in answer.content.decode()
    line = AuditEvent.objects.get(action="tags_changed")
    assert line.details == {"generation": item.pk, "tags": ["hero shot", "night"]}


def test_the_viewer_suggests_the_teams_tags_and_never_another_teams(
        teammate_client, team_a, team_b, owner, outsider):
    mine, theirs = made(team_a, owner), made(team_b, outsider)
    tagged(mine, "ours")
    tagged(theirs, "confidential-client")
    html = teammate_client.get(f"/generations/{mine.pk}/viewer/").content.decode()
    assert '<option value="ours">' in html
    assert "confidential-client" not in html


def test_a_tag_too_long_is_refused_beside_the_field_keeping_what_was_typed(
        teammate_client, team_a, owner):
    item = made(team_a, owner)
    typed = "fine, " + "x" * 60
    answer = teammate_client.post(f"/generations/{item.pk}/tags/", {"tags": typed}, **HTMX)
    html = unescape(answer.content.decode())
    assert answer.status_code == 400
    assert f'id="tags-{item.pk}-error"' in html and "at most 50 characters" in html
    assert f'value="{typed}"' in html and not ItemTag.objects.exists()


def test_the_gallery_filters_by_a_tag_of_the_team(teammate_client, team_a, owner):
    night, day = made(team_a, owner), made(team_a, owner)
    tagged(night, "night")
    tagged(day, "day")
    html = teammate_client.get("/?tag=night").content.decode()
    assert card_ids(html) == [night.pk]
    assert "Tag: night" in html


def test_the_gallery_tag_filter_offers_no_tag_of_another_team(outsider_client, team_a,
                                                              owner):
    tagged(made(team_a, owner), "secret-project")
    html = outsider_client.get("/?tag=secret-project").content.decode()
    assert card_ids(html) == [] and 'value="secret-project"' not in html


def test_a_selection_is_tagged_in_one_go_keeping_its_other_tags(teammate_client, team_a,
                                                                owner):
    first, second = made(team_a, owner), made(team_a, owner)
    tagged(first, "keep")
    answer = teammate_client.post("/tags/selection/", {"ids": [first.pk, second.pk],
                                                       "tags": "Client A"})
    assert answer.status_code == 302
    assert tagging.tags_of(first) == ["client a", "keep"]
    assert tagging.tags_of(second) == ["client a"]


def test_bulk_tagging_refuses_another_teams_items(teammate_client, team_b, outsider):
    theirs = made(team_b, outsider)
    assert teammate_client.post("/tags/selection/", {"ids": [theirs.pk],
                                                     "tags": "x"}).status_code == 404
    assert not ItemTag.objects.exists()


def test_a_viewer_tags_only_where_the_team_lets_viewers_give_feedback(viewer_client,
                                                                     team_a, owner):
    item = made(team_a, owner)
    assert viewer_client.post(f"/generations/{item.pk}/tags/",
                              {"tags": "x"}).status_code == 403
    team_a.viewers_may_review = True
    team_a.save()
    assert viewer_client.post(f"/generations/{item.pk}/tags/",
                              {"tags": "x"}).status_code == 302
    assert tagging.tags_of(item) == ["x"]


def test_a_token_reads_and_sets_an_items_tags_and_filters_the_list_by_one(team_a, owner):
    item, other = made(team_a, owner), made(team_a, owner)
    api = token_client(team_a, owner)
    assert api.get(f"/api/v1/generations/{item.pk}/tags").json() == {"tags": []}
    answer = api.put(f"/api/v1/generations/{item.pk}/tags", {"tags": ["Sky", "sea"]},
                     content_type="application/json")
    assert answer.json() == {"tags": ["sea", "sky"]}
    listed = api.get("/api/v1/generations?tag=sky").json()["items"]
    assert [g["id"] for g in listed] == [item.pk] and other.pk not in [g["id"] for g in listed]


def test_another_teams_token_gets_404_on_an_items_tags(team_a, team_b, owner, outsider):
    item = made(team_a, owner)
    theirs = token_client(team_b, outsider)
    assert theirs.get(f"/api/v1/generations/{item.pk}/tags").status_code == 404
    assert theirs.put(f"/api/v1/generations/{item.pk}/tags", {"tags": ["x"]},
                      content_type="application/json").status_code == 404
    assert not ItemTag.objects.exists()
