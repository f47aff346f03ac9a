"""Boards through the pages and the REST API, as a member, a viewer, an outsider and
their tokens would use them."""

import re
from html import unescape

import pytest

from studio.generations.models import Generation
from studio.review.models import Board, BoardItem
from studio.teams.models import AuditEvent
from tests.review.review_helpers import a_set, made, token_client

pytestmark = pytest.mark.django_db


def board_of(team, name="Moodboard", *items) -> Board:
    board = Board.objects.create(team=team, name=name)
    for position, generation in enumerate(items, start=1):
        BoardItem.objects.create(board=board, generation=generation, position=position)
    return board


def card_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article[^>]*data-generation-id="(\d+)"', html)]


# --- making, listing, editing, deleting ---------------------------------------------


def test_the_boards_page_says_there_are_none_yet_and_offers_the_form(teammate_client):
    html = teammate_client.get("/boards/").content.decode()
    assert "No boards yet" in html and 'name="name"' in html


def test_a_member_makes_a_board_and_lands_on_its_page(teammate_client, teammate):
    response = teammate_client.post("/boards/", {"name": "  Autumn   campaign ",
                                                 "description": "For the client"})
    board = Board.objects.get()
    assert response.status_code == 302 and response.url == f"/boards/{board.pk}/"
    assert (board.name, board.description, board.made_by) == \
        ("Autumn campaign", "For the client", teammate)
    page = teammate_client.get(response.url).content.decode()
    assert "Autumn campaign" in page and "Nothing on this board yet" in page
    assert AuditEvent.objects.filter(action="board_created").exists()


def test_a_board_without_a_name_is_refused_beside_the_field_keeping_what_was_typed(
        teammate_client):
    response = teammate_client.post("/boards/", {"name": "  ", "description": "kept words"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="board-name-error"' in html and "Give the board a name." in html
    assert "kept words" in html and not Board.objects.exists()


def test_a_viewer_sees_boards_but_may_not_make_one(viewer_client, team_a):
    board_of(team_a, "Shared")
    assert "Shared" in viewer_client.get("/boards/").content.decode()
    assert viewer_client.post("/boards/", {"name": "Mine"}).status_code == 403
    assert Board.objects.count() == 1


def test_editing_sets_name_description_and_a_cover_from_its_items(teammate_client, team_a,
                                                                   owner):
    on_it, elsewhere = made(team_a, owner), made(team_a, owner)
    board = board_of(team_a, "Old", on_it)
    refused = teammate_client.post(f"/boards/{board.pk}/edit/", {
        "name": "New name", "description": "d", "cover": elsewhere.pk})
    assert refused.status_code == 400
    assert "The cover must be one of the board's items." in unescape(refused.content.decode())
    assert "New name" in refused.content.decode()
    teammate_client.post(f"/boards/{board.pk}/edit/", {
        "name": "New name", "description": "d", "cover": on_it.pk})
    board.refresh_from_db()
    assert (board.name, board.description, board.cover) == ("New name", "d", on_it)


def test_deleting_a_board_deletes_none_of_its_items(teammate_client, team_a, owner):
    item = made(team_a, owner)
    board = board_of(team_a, "Gone", item)
    other = board_of(team_a, "Stays", item)
    response = teammate_client.post(f"/boards/{board.pk}/delete/")
    assert response.status_code == 302 and response.url == "/boards/"
    assert not Board.objects.filter(pk=board.pk).exists()
    assert Generation.objects.filter(pk=item.pk, deleted_at=None).exists()
    assert list(other.items.values_list("generation_id", flat=True)) == [item.pk]


# --- adding items ---------------------------------------------------------------------


def test_an_item_added_shows_on_the_board_as_a_gallery_card(teammate_client, team_a,
                                                           owner):
    item = made(team_a, owner)
    board = board_of(team_a)
    response = teammate_client.post(f"/boards/{board.pk}/add/", {"generation": item.pk})
    assert response.status_code == 302
    html = teammate_client.get(f"/boards/{board.pk}/").content.decode()
    assert card_ids(html) == [item.pk]
    assert f'data-generation-id="{item.pk}" data-kind="image" data-status="succeeded"' in html


def test_an_item_may_be_on_several_boards_and_once_on_each(teammate_client, team_a, owner):
    item = made(team_a, owner)
    first, second = board_of(team_a, "One"), board_of(team_a, "Two")
    for board in (first, second, first):
        teammate_client.post(f"/boards/{board.pk}/add/", {"generation": item.pk})
    assert BoardItem.objects.filter(generation=item).count() == 2


def test_the_gallery_selection_adds_its_ticked_items_to_the_chosen_board(
        teammate_client, team_a, owner):
    items = a_set(team_a, owner, 3)
    board = board_of(team_a)
    gallery = teammate_client.get("/").content.decode()
    assert "Add to board" in gallery and f'<option value="{board.pk}"' in gallery
    response = teammate_client.post("/boards/selection/", {
        "board": board.pk, "ids": [g.pk for g in items]})
    assert response.status_code == 302
    assert sorted(board.items.values_list("generation_id", flat=True)) == \
        sorted(g.pk for g in items)


def test_a_board_cannot_receive_another_teams_generation(teammate_client, team_a, team_b,
                                                        outsider):
    theirs = made(team_b, outsider)
    board = board_of(team_a)
    assert teammate_client.post(f"/boards/{board.pk}/add/",
                                {"generation": theirs.pk}).status_code == 404
    assert teammate_client.post("/boards/selection/", {
        "board": board.pk, "ids": [theirs.pk]}).status_code == 404
    assert not board.items.exists()


def test_another_teams_member_gets_404_on_a_board_and_cannot_add_to_it(
        outsider_client, team_a, owner, outsider, team_b):
    board = board_of(team_a, "Secret", made(team_a, owner))
    assert outsider_client.get(f"/boards/{board.pk}/").status_code == 404
    assert "Secret" not in outsider_client.get("/boards/").content.decode()
    theirs = made(team_b, outsider)
    assert outsider_client.post(f"/boards/{board.pk}/add/",
                                {"generation": theirs.pk}).status_code == 404


def test_a_dropped_card_is_added_and_told_in_plain_words(teammate_client, team_a, owner):
    item = made(team_a, owner)
    board = board_of(team_a, "Drops")
    answer = teammate_client.post(f"/boards/{board.pk}/add/", {"generation": item.pk},
                                  HTTP_ACCEPT="text/plain")
    assert answer.status_code == 200 and answer.content.decode() == f"Added #{item.pk} to “Drops”."


# --- order ----------------------------------------------------------------------------


def test_order_by_hand_follows_a_drag_and_the_earlier_later_buttons(teammate_client,
                                                                   team_a, owner):
    a, b, c = made(team_a, owner), made(team_a, owner), made(team_a, owner)
    board = board_of(team_a, "Order", a, b, c)
    teammate_client.post(f"/boards/{board.pk}/order/", {"ids": [c.pk, a.pk, b.pk]})
    assert card_ids(teammate_client.get(f"/boards/{board.pk}/").content.decode()) == \
        [c.pk, a.pk, b.pk]
    teammate_client.post(f"/boards/{board.pk}/move/", {"generation": b.pk, "step": "earlier"})
    assert card_ids(teammate_client.get(f"/boards/{board.pk}/").content.decode()) == \
        [c.pk, b.pk, a.pk]


def test_order_by_date_shows_the_newest_first(teammate_client, team_a, owner):
    a, b, c = made(team_a, owner), made(team_a, owner), made(team_a, owner)
    board = board_of(team_a, "Order", b, a, c)
    html = teammate_client.get(f"/boards/{board.pk}/?order=date").content.decode()
    assert card_ids(html) == [c.pk, b.pk, a.pk]


def test_the_board_page_filters_its_items_like_the_gallery(teammate_client, team_a, owner):
    fox, cat = made(team_a, owner, "a red fox"), made(team_a, owner, "a grey cat")
    board = board_of(team_a, "Animals", fox, cat)
    html = teammate_client.get(f"/boards/{board.pk}/?q=fox").content.decode()
    assert card_ids(html) == [fox.pk]


def test_the_gallery_filters_by_board(teammate_client, team_a, owner):
    on_board, off_board = made(team_a, owner), made(team_a, owner)
    board = board_of(team_a, "Picked", on_board)
    html = teammate_client.get(f"/?board={board.pk}").content.decode()
    assert card_ids(html) == [on_board.pk] and off_board.pk not in card_ids(html)
    assert "Board: Picked" in html


def test_the_gallery_refuses_another_teams_board_as_a_filter(outsider_client, team_a):
    board = board_of(team_a, "Secret")
    html = outsider_client.get(f"/?board={board.pk}").content.decode()
    assert "Secret" not in html and "Select a valid choice" in html


# --- the active board ----------------------------------------------------------------


def test_generations_submitted_while_a_board_is_active_land_on_it(teammate_client, team_a):
    board = board_of(team_a, "Into here")
    teammate_client.post(f"/boards/{board.pk}/activate/")
    for page in (teammate_client.get("/").content.decode(),
                 teammate_client.get("/generate/image/").content.decode()):
        assert "Generating into" in page and "Into here" in page
    teammate_client.post("/generate/image/", {"prompt": "{a fox|a cat}", "width": 512,
                                              "height": 512})
    made_now = list(Generation.objects.order_by("id").values_list("pk", flat=True))
    assert len(made_now) == 2
    assert list(board.items.order_by("position").values_list("generation_id", flat=True)) \
        == made_now
    teammate_client.post("/boards/active/clear/")
    teammate_client.post("/generate/image/", {"prompt": "a dog", "width": 512, "height": 512})
    assert board.items.count() == 2
    assert "Generating into" not in teammate_client.get("/").content.decode()


def test_the_active_board_is_each_members_own(teammate_client, owner_client, team_a):
    board = board_of(team_a, "Tom's")
    teammate_client.post(f"/boards/{board.pk}/activate/")
    owner_client.post("/generate/image/", {"prompt": "a dog", "width": 512, "height": 512})
    assert not board.items.exists()


# --- the REST API ----------------------------------------------------------------------


def test_a_token_makes_lists_reads_changes_and_deletes_boards(team_a, teammate, owner):
    api = token_client(team_a, teammate)
    made_one = api.post("/api/v1/boards", {"name": "From a script", "description": "d"},
                        content_type="application/json")
    assert made_one.status_code == 201, made_one.content
    pk = made_one.json()["id"]
    assert api.get("/api/v1/boards").json()["items"][0]["name"] == "From a script"
    item = made(team_a, owner)
    added = api.post(f"/api/v1/boards/{pk}/items", {"generations": [item.pk]},
                     content_type="application/json")
    assert added.json() == {"added": [item.pk]}
    changed = api.patch(f"/api/v1/boards/{pk}", {"name": "Renamed", "cover": item.pk},
                        content_type="application/json")
    assert (changed.json()["name"], changed.json()["cover"]) == ("Renamed", item.pk)
    items = api.get(f"/api/v1/boards/{pk}/items").json()
    assert [g["id"] for g in items["items"]] == [item.pk] and items["next"] is None
    assert api.delete(f"/api/v1/boards/{pk}/items/{item.pk}").status_code == 204
    assert api.delete(f"/api/v1/boards/{pk}").status_code == 204
    assert api.get(f"/api/v1/boards/{pk}").status_code == 404
    assert Generation.objects.filter(pk=item.pk).exists()


def test_a_board_with_a_bad_name_is_a_problem_naming_the_field(team_a, teammate):
    answer = token_client(team_a, teammate).post("/api/v1/boards", {"name": " "},
                                                 content_type="application/json")
    assert answer.status_code == 422 and "name" in answer.json()["errors"]


def test_the_boards_list_pages_on_with_next(team_a, teammate):
    for n in range(3):
        board_of(team_a, f"B{n}")
    api = token_client(team_a, teammate)
    first = api.get("/api/v1/boards?limit=2").json()
    assert [b["name"] for b in first["items"]] == ["B0", "B1"] and first["next"]
    second = api.get(first["next"]).json()
    assert [b["name"] for b in second["items"]] == ["B2"] and second["next"] is None


def test_a_token_cannot_reach_another_teams_board_or_add_another_teams_item(
        team_a, team_b, owner, outsider):
    board = board_of(team_a, "A's")
    theirs = token_client(team_b, outsider)
    assert theirs.get(f"/api/v1/boards/{board.pk}").status_code == 404
    assert theirs.get(f"/api/v1/boards/{board.pk}/items").status_code == 404
    assert theirs.delete(f"/api/v1/boards/{board.pk}").status_code == 404
    mine = token_client(team_a, owner)
    foreign = made(team_b, outsider)
    assert mine.post(f"/api/v1/boards/{board.pk}/items", {"generations": [foreign.pk]},
                     content_type="application/json").status_code == 404
    assert not board.items.exists()


def test_the_generation_list_filters_by_board(team_a, owner):
    on_board, _ = made(team_a, owner), made(team_a, owner)
    board = board_of(team_a, "Picked", on_board)
    rows = token_client(team_a, owner).get(f"/api/v1/generations?board={board.pk}").json()
    assert [g["id"] for g in rows["items"]] == [on_board.pk]


def test_the_generation_list_finds_nothing_on_a_board_not_the_teams(team_a, owner, team_b,
                                                                    outsider):
    theirs = board_of(team_b, "Theirs", made(team_b, outsider))
    made(team_a, owner)
    api = token_client(team_a, owner)
    for board_id in (theirs.pk, theirs.pk + 100):
        answer = api.get(f"/api/v1/generations?board={board_id}")
        assert (answer.status_code, answer.json()["items"]) == (200, [])


def test_a_read_only_token_may_not_change_boards(team_a, owner):
    api = token_client(team_a, owner, "read")
    assert api.post("/api/v1/boards", {"name": "x"},
                    content_type="application/json").status_code == 403


def test_a_board_path_with_a_line_break_is_an_api_problem_not_a_page(team_a, owner):
    answer = token_client(team_a, owner).patch("/api/v1/boards/a%0Ab", {},
                                               content_type="application/json")
    assert (answer.status_code, answer["Content-Type"]) == (404, "application/problem+json")
