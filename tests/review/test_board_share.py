"""Outside links to a board: made from the board's page, opened with no account, and
showing the board's items as they are at that moment, never anything else."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from studio.generations.models import Comment
from studio.review import boards
from studio.review.models import Board, ShareLink
from studio.teams.models import AuditEvent, Membership
from tests.review.review_helpers import token_client
from tests.review.test_share import CLIP, LINK, made

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(team_a, owner):
    found = Board.objects.create(team=team_a, name="Harbour pitch", made_by=owner)
    return found


def on_board(board, *generations) -> None:
    boards.put_on(board, list(generations), board.made_by)


@pytest.fixture
def clips(team_a, owner, board):
    first, second = made(team_a, owner, duration_ms=5000), made(team_a, owner, kind="image")
    on_board(board, second, first)  # the board's order, not the ids'
    return second, first


def shared(client: Client, board: Board, **fields) -> str:
    """A link made through the board's page; its token, read off the page."""
    response = client.post(f"/boards/{board.pk}/share/", {"expires_days": "7", **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/boards/{board.pk}/#sharing"
    return LINK.findall(client.get(f"/boards/{board.pk}/").content.decode())[0]


def media_of(token: str, generation) -> str:
    return f"/s/{token}/items/{generation.pk}/media"


# --- making one -------------------------------------------------------------------------

def test_a_member_shares_a_board_and_its_page_lists_the_link(owner_client, teammate_client,
                                                               board, clips):
    token = shared(teammate_client, board, passphrase="open sesame", allow_download="on")
    link = ShareLink.objects.get()
    assert (link.board, link.generation, link.allow_download, link.has_passphrase) == (
        board, None, True, True)
    page = owner_client.get(f"/boards/{board.pk}/").content.decode()
    assert f"/s/{token}/" in page and "0 views" in page and "not opened yet" in page
    assert f'action="/links/{link.pk}/revoke/"' in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.LINK_SHARED)
    assert event.details["board"] == board.pk and "Harbour pitch" in event.summary


def test_a_bad_lifetime_is_refused_beside_its_field_on_the_board_page(teammate_client, board):
    response = teammate_client.post(f"/boards/{board.pk}/share/",
                                    {"expires_days": "91", "passphrase": "kept phrase"})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_expires_days-error"[^>]*>At most 90 days\.', html)
    assert 'value="kept phrase"' in html and not ShareLink.objects.exists()


def test_a_viewer_cannot_share_a_board(viewer_client, board):
    assert viewer_client.post(f"/boards/{board.pk}/share/",
                              {"expires_days": "3"}).status_code == 403
    assert "Make a link" not in viewer_client.get(f"/boards/{board.pk}/").content.decode()
    assert not ShareLink.objects.exists()


def test_another_teams_board_cannot_be_shared(outsider_client, board):
    assert outsider_client.post(f"/boards/{board.pk}/share/",
                                {"expires_days": "3"}).status_code == 404
    assert not ShareLink.objects.exists()


def test_a_link_names_an_item_or_a_board_never_both_nor_neither(team_a, board, clips):
    for target in ({"generation": clips[0], "board": board}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ShareLink.objects.create(team=team_a, token_digest=str(len(target)),
                                     token_sealed="x", expires_at="2030-01-01T00:00Z",
                                     **target)


# --- the outsider -----------------------------------------------------------------------

def test_the_outsider_sees_exactly_the_boards_items_in_its_order(teammate_client, board,
                                                                  clips, team_a, owner):
    elsewhere = made(team_a, owner)  # the team's, not on the board
    token = shared(teammate_client, board)
    response = Client().get(f"/s/{token}/")
    html = response.content.decode()
    assert response.status_code == 200 and response["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in html
    assert "topbar" not in html and "the harbour secret" not in html
    shown = [int(pk) for pk in re.findall(r'data-shared-item="(\d+)"', html)]
    assert shown == [clips[0].pk, clips[1].pk]
    assert f"/items/{elsewhere.pk}/" not in html and "/generations/" not in html
    assert "Download the original" not in html


def test_the_boards_items_play_through_the_link_and_download_only_when_allowed(
        teammate_client, board, clips):
    video = clips[1]
    closed, opened = shared(teammate_client, board), shared(teammate_client, board,
                                                            allow_download="on")
    outsider = Client()
    part = outsider.get(media_of(closed, video), HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and b"".join(part.streaming_content) == CLIP[100:200]
    assert outsider.get(media_of(closed, video) + "?download").status_code == 403
    got = outsider.get(media_of(opened, video) + "?download")
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    assert "Download the original" in outsider.get(f"/s/{opened}/").content.decode()


def test_nothing_but_the_boards_items_now_is_reachable_through_the_link(
        teammate_client, owner, outsider, board, clips, team_a, team_b):
    removed, kept = clips
    not_on_board = made(team_a, owner)
    theirs = made(team_b, outsider)
    token = shared(teammate_client, board)
    assert Client().get(media_of(token, removed)).status_code == 200
    boards.remove(Membership.objects.get(user=owner, team=team_a), board, removed)
    outsider = Client()
    for generation in (removed, not_on_board, theirs):
        assert outsider.get(media_of(token, generation)).status_code == 404
        assert outsider.get(f"/s/{token}/items/{generation.pk}/poster").status_code == 404
        assert outsider.post(f"/s/{token}/items/{generation.pk}/notes/",
                             {"name": "x", "text": "y"}).status_code == 404
    for path in ("media", "poster", "items/0/media", f"items/{kept.pk + 999}/media"):
        assert outsider.get(f"/s/{token}/{path}").status_code == 404
    assert outsider.get(media_of(token, kept)).status_code == 200
    assert f"data-shared-item=\"{removed.pk}\"" not in outsider.get(
        f"/s/{token}/").content.decode()
    assert not Comment.objects.exists()


def test_an_item_link_reaches_no_board_item_address(teammate_client, clips):
    teammate_client.post(f"/generations/{clips[1].pk}/share/", {"expires_days": "3"})
    token = LINK.findall(teammate_client.get(f"/generations/{clips[1].pk}/")
                         .content.decode())[0]
    assert Client().get(media_of(token, clips[1])).status_code == 404


def test_a_passphrase_comes_first_for_a_board(teammate_client, board, clips):
    token = shared(teammate_client, board, passphrase="open sesame")
    outsider = Client()
    first = outsider.get(f"/s/{token}/").content.decode()
    assert 'name="passphrase"' in first and "/items/" not in first
    assert outsider.get(media_of(token, clips[0])).status_code == 403
    assert outsider.post(f"/s/{token}/items/{clips[0].pk}/notes/",
                         {"name": "x", "text": "y"})["Location"] == f"/s/{token}/"
    assert outsider.post(f"/s/{token}/", {"passphrase": "open sesame"}).status_code == 302
    assert media_of(token, clips[0]) in outsider.get(f"/s/{token}/").content.decode()
    assert outsider.get(media_of(token, clips[0])).status_code == 200


def assert_ended(token: str, generation) -> None:
    outsider = Client()
    page = outsider.get(f"/s/{token}/")
    html = page.content.decode()
    assert page.status_code == 410 and "This link has ended" in html
    assert "/items/" not in html and "passphrase" not in html
    assert outsider.get(media_of(token, generation)).status_code == 410
    assert outsider.post(f"/s/{token}/items/{generation.pk}/notes/",
                         {"name": "x", "text": "y"}).status_code == 410


def test_an_expired_board_link_shows_only_that_it_ended(teammate_client, board, clips,
                                                        fake_clock):
    token = shared(teammate_client, board, expires_days="1", passphrase="open sesame")
    fake_clock.advance(86400 + 1)
    assert_ended(token, clips[0])
    assert "Ended" in teammate_client.get(f"/boards/{board.pk}/").content.decode()


def test_a_revoked_board_link_shows_only_that_it_ended(owner_client, viewer_client, board,
                                                       clips):
    token = shared(owner_client, board)
    link = ShareLink.objects.get()
    revoked = viewer_client.post(f"/links/{link.pk}/revoke/")
    assert revoked["Location"] == f"/boards/{board.pk}/#sharing"
    assert_ended(token, clips[0])
    assert "Revoked" in owner_client.get(f"/boards/{board.pk}/").content.decode()


# --- notes ------------------------------------------------------------------------------

def test_a_note_lands_on_the_item_it_was_left_on_marked_from_outside(
        owner_client, teammate_client, board, clips):
    picture, video = clips
    token = shared(teammate_client, board)
    sent = Client().post(f"/s/{token}/items/{video.pk}/notes/",
                         {"name": "Cleo (client)", "text": "Brighter here", "at": "1.5"})
    assert sent.status_code == 302 and sent["Location"] == f"/s/{token}/#item-{video.pk}"
    note = Comment.objects.get()
    assert (note.generation, note.author, note.outside_name, note.at) == (
        video, None, "Cleo (client)", 1.5)
    page = owner_client.get(f"/generations/{video.pk}/").content.decode()
    assert re.search(r'class="comment from-outside".*?Cleo \(client\).*?from outside', page,
                     re.S)
    assert not picture.comments.exists()


def test_the_stable_hooks_note_address_takes_the_item_as_a_field(teammate_client, board,
                                                                  clips, team_a, owner):
    token = shared(teammate_client, board)
    outsider = Client()
    sent = outsider.post(f"/s/{token}/notes/", {"generation": str(clips[0].pk),
                                                "name": "Cleo", "text": "Nice"})
    assert sent.status_code == 302
    assert Comment.objects.get().generation == clips[0]
    for other in ("", "x", str(made(team_a, owner).pk)):
        assert outsider.post(f"/s/{token}/notes/", {"generation": other, "name": "Cleo",
                                                    "text": "Nice"}).status_code == 404
    assert Comment.objects.count() == 1


def test_a_bad_note_comes_back_on_its_own_item_with_what_was_typed(teammate_client, board,
                                                                   clips):
    video = clips[1]
    token = shared(teammate_client, board)
    response = Client().post(f"/s/{token}/items/{video.pk}/notes/",
                             {"name": " ", "text": "keep me"})
    html = response.content.decode()
    assert response.status_code == 400 and "Say who you are" in html
    assert f'id="id_{video.pk}_name-error"' in html and "keep me</textarea>" in html
    assert html.count("keep me") == 1 and not Comment.objects.exists()


def test_a_board_link_without_notes_takes_none(teammate_client, board, clips):
    token = shared(teammate_client, board, no_notes="on")
    outsider = Client()
    assert "Leave a note" not in outsider.get(f"/s/{token}/").content.decode()
    assert outsider.post(f"/s/{token}/items/{clips[0].pk}/notes/",
                         {"name": "x", "text": "y"}).status_code == 403


def test_the_api_knows_only_item_links_so_a_board_link_is_not_found_there(
        teammate_client, team_a, teammate, board, clips):
    shared(teammate_client, board)
    link = ShareLink.objects.get()
    api = token_client(team_a, teammate, "generate")
    assert api.post(f"/api/v1/links/{link.pk}/revoke").status_code == 404
    link.refresh_from_db()
    assert link.is_live
