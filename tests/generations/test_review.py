"""Stars, ratings and comments: who may do what, and what the pages show."""

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studio.generations.models import Comment, Generation, Rating, Star, Status
from tests.conftest import logged_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def made(team, author, kind="image", **fields) -> Generation:
    params = {"text": "hello"} if kind == "tts" else {"prompt": "a cat"}
    generation = Generation.objects.create(team=team, author=author, kind=kind, params=params,
                                           cost=14, status=Status.SUCCEEDED,
                                           media_format="png", **fields)
    generation.media.save(f"{generation.pk}.png", ContentFile(b"\x89PNG fake"))
    return generation


@pytest.fixture
def picture(team_a, owner):
    return made(team_a, owner)


def star_button(html: str) -> str:
    return re.search(r'<button[^>]*class="[^"]*\bstar\b[^"]*"[^>]*>', html).group(0)


# for_cards ---------------------------------------------------------------------

def test_cards_carry_star_rating_and_comments_per_user(team_a, owner, teammate):
    rated, quiet = made(team_a, owner), made(team_a, owner)
    Star.objects.create(generation=rated, user=owner)
    Rating.objects.create(generation=rated, user=owner, stars=5)
    Rating.objects.create(generation=rated, user=teammate, stars=2)
    for text in ("one", "two", "three"):
        Comment.objects.create(generation=rated, author=teammate, text=text)
    rows = {g.pk: g for g in Generation.objects.for_cards(owner)}
    assert (rows[rated.pk].starred, rows[rated.pk].rating_avg,
            rows[rated.pk].comment_count) == (True, 3.5, 3)
    assert (rows[quiet.pk].starred, rows[quiet.pk].rating_avg,
            rows[quiet.pk].comment_count) == (False, None, 0)
    assert not Generation.objects.for_cards(teammate).get(pk=rated.pk).starred


def test_gallery_cards_cost_no_query_each(owner_client, team_a, owner, teammate):
    def queries_for_gallery() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get("/").status_code == 200
        return len(captured)

    first = made(team_a, owner)
    Star.objects.create(generation=first, user=owner)
    one_card = queries_for_gallery()
    for _ in range(9):
        generation = made(team_a, owner)
        Rating.objects.create(generation=generation, user=teammate, stars=4)
        Comment.objects.create(generation=generation, author=teammate, text="nice")
    assert queries_for_gallery() == one_card


def test_gallery_card_shows_my_star_and_the_team_review(owner_client, team_a, owner,
                                                        teammate, picture):
    Star.objects.create(generation=picture, user=owner)
    Rating.objects.create(generation=picture, user=teammate, stars=4)
    Comment.objects.create(generation=picture, author=teammate, text="nice")
    html = owner_client.get("/").content.decode()
    assert 'aria-pressed="true"' in star_button(html)
    assert '4.0<span class="visually-hidden"> of 5</span>' in html
    assert 'title="1 comment"' in html
    other = logged_in(teammate).get("/").content.decode()
    assert 'aria-pressed="false"' in star_button(other)


# Stars ----------------------------------------------------------------------------

def test_star_toggles_with_htmx_and_answers_the_button(owner_client, owner, picture):
    url = f"/generations/{picture.pk}/star/"
    response = owner_client.post(url, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<form")
    assert 'aria-pressed="true"' in star_button(html) and 'hx-swap="outerHTML"' in html
    assert Star.objects.filter(generation=picture, user=owner).exists()
    html = owner_client.post(url, **HTMX).content.decode()
    assert 'aria-pressed="false"' in star_button(html)
    assert not Star.objects.filter(generation=picture).exists()



def test_star_without_htmx_redirects_to_the_detail_page(owner_client, owner, picture):
    response = owner_client.post(f"/generations/{picture.pk}/star/")
    assert response.status_code == 302
    assert response["Location"] == f"/generations/{picture.pk}/"
    assert Star.objects.filter(generation=picture, user=owner).count() == 1


def test_a_star_is_personal(owner_client, teammate_client, owner, teammate, picture):
    owner_client.post(f"/generations/{picture.pk}/star/")
    teammate_client.post(f"/generations/{picture.pk}/star/")
    teammate_client.post(f"/generations/{picture.pk}/star/")
    assert list(Star.objects.values_list("user", flat=True)) == [owner.pk]


def test_viewers_may_star(viewer_client, viewer, picture):
    assert viewer_client.post(f"/generations/{picture.pk}/star/").status_code == 302
    assert Star.objects.filter(user=viewer).exists()


def test_star_rejects_get(owner_client, picture):
    assert owner_client.get(f"/generations/{picture.pk}/star/").status_code == 405


# Ratings --------------------------------------------------------------------------

def test_rating_is_saved_and_replaced_not_added(teammate_client, teammate, picture):
    url = f"/generations/{picture.pk}/rate/"
    assert teammate_client.post(url, {"stars": "4"}).status_code == 302
    teammate_client.post(url, {"stars": "2"})
    assert list(Rating.objects.values_list("user", "stars")) == [(teammate.pk, 2)]


def test_detail_page_shows_team_average_and_my_rating(owner_client, owner, teammate,
                                                     picture):
    Rating.objects.create(generation=picture, user=owner, stars=5)
    Rating.objects.create(generation=picture, user=teammate, stars=2)
    html = owner_client.get(f"/generations/{picture.pk}/review/", **HTMX).content.decode()
    assert "<strong>3.5</strong> of 5, from 2 ratings" in html
    assert 'value="5" checked' in html and 'value="2" checked' not in html


@pytest.mark.parametrize("stars", ["0", "6", "three", "", "4.5"])
def test_rating_outside_1_to_5_is_refused_beside_the_field(owner_client, picture, stars):
    response = owner_client.post(f"/generations/{picture.pk}/rate/", {"stars": stars})
    assert response.status_code == 400
    assert re.search(r'class="field-error"[^>]*>[^<]*(1 to 5|from 1 to 5)',
                     response.content.decode())
    assert not Rating.objects.exists()


def test_refused_rating_over_htmx_answers_the_review_block(owner_client, picture):
    response = owner_client.post(f"/generations/{picture.pk}/rate/", {"stars": "9"},
                                 **HTMX)
    html = response.content.decode()
    assert response.status_code == 400 and html.startswith('<section id="review"')
    assert "A rating is from 1 to 5 stars." in html


def test_rating_over_htmx_answers_the_updated_block(owner_client, picture):
    response = owner_client.post(f"/generations/{picture.pk}/rate/", {"stars": "3"}, **HTMX)
    assert response.status_code == 200
    assert "<strong>3.0</strong> of 5, from 1 rating." in response.content.decode()


# Comments -------------------------------------------------------------------------

def test_comment_is_shown_escaped_with_author(teammate_client, owner_client, picture):
    attack = "<script>alert('x')</script> looks good"
    response = teammate_client.post(f"/generations/{picture.pk}/comments/", {"text": attack})
    assert response.status_code == 302
    assert response["Location"] == f"/generations/{picture.pk}/#review"
    html = owner_client.get(f"/generations/{picture.pk}/review/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; looks good" in html
    assert "<script>alert" not in html and "<strong>tom</strong>" in html


def test_empty_comment_is_refused_beside_the_field(owner_client, picture):
    response = owner_client.post(f"/generations/{picture.pk}/comments/", {"text": "   "})
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    assert not Comment.objects.exists()


def test_too_long_comment_is_refused_with_the_text_kept(owner_client, picture):
    text = "long words " * 200  # 2,200 characters
    for headers in ({}, HTMX):
        response = owner_client.post(f"/generations/{picture.pk}/comments/",
                                     {"text": text}, **headers)
        html = response.content.decode()
        assert response.status_code == 400
        assert "at most 2000 characters" in html and text.strip() in html
    assert not Comment.objects.exists()


def test_comment_over_htmx_answers_the_block_with_an_empty_form(owner_client, picture):
    response = owner_client.post(f"/generations/{picture.pk}/comments/",
                                 {"text": "Warmer light?"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "Warmer light?" in html
    assert re.search(r"<textarea[^>]*>\s*</textarea>", html)


def comment_by(author, generation, text="hm") -> Comment:
    return Comment.objects.create(generation=generation, author=author, text=text)


def test_authors_delete_their_own_comment(teammate_client, teammate, picture):
    mine = comment_by(teammate, picture)
    response = teammate_client.post(f"/comments/{mine.pk}/delete/")
    assert response.status_code == 302 and not Comment.objects.exists()


def test_members_cannot_delete_others_comments(teammate_client, owner, picture):
    theirs = comment_by(owner, picture)
    assert teammate_client.post(f"/comments/{theirs.pk}/delete/").status_code == 403
    assert Comment.objects.exists()


def test_admins_delete_any_comment(owner_client, teammate, picture):
    theirs = comment_by(teammate, picture)
    response = owner_client.post(f"/comments/{theirs.pk}/delete/", **HTMX)
    assert response.status_code == 200 and "No comments yet." in response.content.decode()
    assert not Comment.objects.exists()


def test_delete_button_shows_only_where_allowed(teammate_client, owner_client, owner,
                                               teammate, picture):
    comment_by(owner, picture, "from olivia")
    mine = comment_by(teammate, picture, "from tom")
    url = f"/generations/{picture.pk}/review/"
    html = teammate_client.get(url, **HTMX).content.decode()
    assert re.findall(r'action="/comments/(\d+)/delete/"', html) == [str(mine.pk)]
    html = owner_client.get(url, **HTMX).content.decode()
    assert len(re.findall(r'action="/comments/\d+/delete/"', html)) == 2


# Viewers --------------------------------------------------------------------------

def test_viewers_cannot_rate_or_comment(viewer_client, picture):
    assert viewer_client.post(f"/generations/{picture.pk}/rate/",
                              {"stars": "5"}).status_code == 403
    assert viewer_client.post(f"/generations/{picture.pk}/comments/",
                              {"text": "hi"}).status_code == 403
    assert not Rating.objects.exists() and not Comment.objects.exists()


def test_viewers_read_the_review_without_its_forms(viewer_client, teammate, picture):
    comment_by(teammate, picture, "keep this one")
    html = viewer_client.get(f"/generations/{picture.pk}/review/", **HTMX).content.decode()
    assert "keep this one" in html
    assert "/rate/" not in html and f"/generations/{picture.pk}/comments/" not in html
    assert "<textarea" not in html and 'name="stars"' not in html


def test_viewers_cannot_delete_comments_of_others(viewer_client, teammate, picture):
    theirs = comment_by(teammate, picture)
    assert viewer_client.post(f"/comments/{theirs.pk}/delete/").status_code == 403


# The detail page and the trash ----------------------------------------------------

def test_detail_page_holds_the_review_block(owner_client, picture):
    html = owner_client.get(f"/generations/{picture.pk}/").content.decode()
    assert 'id="review"' in html
    assert f"/generations/{picture.pk}/review/" in html or "/rate/" in html


def test_review_without_htmx_is_the_detail_page_with_the_block(owner_client, picture):
    html = owner_client.get(f"/generations/{picture.pk}/review/").content.decode()
    assert "<h1>Image #" in html and 'name="stars"' in html and "<textarea" in html


@pytest.mark.parametrize("action", ["star/", "review/", "rate/", "comments/"])
def test_trashed_generations_cannot_be_reviewed(owner_client, picture, action):
    Generation.objects.filter(pk=picture.pk).update(deleted_at=timezone.now())
    request = owner_client.get if action == "review/" else owner_client.post
    data = {} if action == "review/" else {"stars": "5", "text": "hi"}
    assert request(f"/generations/{picture.pk}/{action}", data).status_code == 404


# Team isolation -------------------------------------------------------------------

@pytest.mark.parametrize("action", ["star/", "review/", "rate/", "comments/"])
def test_other_teams_generations_are_404(outsider_client, picture, action):
    request = outsider_client.get if action == "review/" else outsider_client.post
    data = {} if action == "review/" else {"stars": "5", "text": "hi"}
    assert request(f"/generations/{picture.pk}/{action}", data).status_code == 404
    assert not Star.objects.exists() and not Rating.objects.exists()
    assert not Comment.objects.exists()


def test_other_teams_comments_cannot_be_deleted(outsider_client, owner, picture):
    theirs = comment_by(owner, picture)
    assert outsider_client.post(f"/comments/{theirs.pk}/delete/").status_code == 404
    assert Comment.objects.exists()


def test_review_urls_need_login(client, picture):
    response = client.post(f"/generations/{picture.pk}/star/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
