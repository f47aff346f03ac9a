"""A card is drawn once per kind of viewer (their rights and their star) and kept:
viewers alike share it, each with their own CSRF token."""

import pytest
from django.core.cache import caches
from django.template import base as template_base

from studio.generations.models import Generation, Star
from tests.conftest import logged_in, member_of


@pytest.fixture
def picture(team_a, owner):
    return Generation.objects.create(
        team=team_a, author=owner, kind="image", params={"prompt": "a kept card"}, cost=50,
        state="succeeded", status="succeeded", media="teams/1/kept.png", media_format="png")


def card_html(client, pk: int) -> str:
    html = client.get("/").content.decode()
    start = html.index(f'data-generation-id="{pk}"')
    return html[start:html.index("</article>", start)]


@pytest.fixture
def drawings(monkeypatch) -> list[str]:
    """The card template's renders, each named by who it was drawn for."""
    drawn = []
    original = template_base.Template.render

    def counting(self, context):
        if self.origin and self.origin.template_name == "generations/_card.html":
            drawn.append(context.get("membership").user.username)
        return original(self, context)

    monkeypatch.setattr(template_base.Template, "render", counting)
    return drawn


def test_viewers_with_the_same_rights_share_one_drawing(picture, team_a, drawings):
    first = card_html(logged_in(member_of(team_a, "tim", "member")), picture.pk)
    second = card_html(logged_in(member_of(team_a, "tina", "member")), picture.pk)
    assert drawings == ["tim"] and first == second.replace(
        csrf_of(second), csrf_of(first))


def test_each_kind_of_viewer_gets_a_card_drawn_with_their_real_rights(
        picture, owner, team_a, drawings):
    Star.objects.create(generation=picture, user=owner)
    author = card_html(logged_in(owner), picture.pk)
    teammate = card_html(logged_in(member_of(team_a, "tim", "member")), picture.pk)
    viewer = card_html(logged_in(member_of(team_a, "val", "viewer")), picture.pk)
    assert drawings == ["olivia", "tim", "val"]
    assert f"/generations/{picture.pk}/delete/" in author
    assert 'aria-pressed="true"' in author and 'aria-pressed="true"' not in teammate
    assert f"/generations/{picture.pk}/delete/" not in teammate and "Remix" in teammate
    assert "Remix" not in viewer and f"/generations/{picture.pk}/delete/" not in viewer


def test_a_control_only_its_author_may_use_never_reaches_a_teammate(picture, team_a, owner,
                                                                    monkeypatch):
    """Drawn with the real membership: a new author-only control needs no marks."""
    from django.template import engines

    engine = engines["django"].engine
    card_source = engine.find_template("generations/_card.html")[0].source
    added = card_source.replace(
        '<div class="card-actions">', '<div class="card-actions">{% if membership|may_change:'
        'generation %}<a href="/secret-owner-tool/">Owner tool</a>{% endif %}')
    monkeypatch.setattr(engine, "get_template",
                        lambda name: engine.from_string(added) if name.endswith(
                            "_card.html") else type(engine).get_template(engine, name))
    assert "secret-owner-tool" not in card_html(
        logged_in(member_of(team_a, "tim", "member")), picture.pk)
    assert "secret-owner-tool" in card_html(logged_in(owner), picture.pk)


def csrf_of(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def test_each_viewer_gets_their_own_csrf_token_in_the_kept_card(picture, owner, team_a):
    first, second = logged_in(owner), logged_in(member_of(team_a, "tim", "member"))
    assert "CARD-CSRF-TOKEN-PLACEHOLDER" not in card_html(first, picture.pk)
    assert "CARD-CSRF-TOKEN-PLACEHOLDER" not in card_html(second, picture.pk)
    assert len(caches["cards"]._cache) >= 1
