"""A card is drawn once and fitted to each viewer: what they may do, their star."""

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


def test_each_viewer_sees_their_own_rights_and_star_from_one_drawing(
        picture, owner, team_a, monkeypatch):
    Star.objects.create(generation=picture, user=owner)
    drawn = []
    original = template_base.Template.render

    def counting(self, context):
        if self.origin and self.origin.template_name == "generations/_card.html":
            drawn.append(1)
        return original(self, context)

    monkeypatch.setattr(template_base.Template, "render", counting)
    author = card_html(logged_in(owner), picture.pk)
    teammate = card_html(logged_in(member_of(team_a, "tim", "member")), picture.pk)
    viewer = card_html(logged_in(member_of(team_a, "val", "viewer")), picture.pk)
    assert len(drawn) == 1  # one drawing, three fittings
    assert f"/generations/{picture.pk}/delete/" in author
    assert 'aria-pressed="true"' in author and 'aria-pressed="true"' not in teammate
    assert f"/generations/{picture.pk}/delete/" not in teammate and "Remix" in teammate
    assert "Remix" not in viewer and f"/generations/{picture.pk}/delete/" not in viewer
    assert "<!--" not in author + teammate + viewer  # no mark is left


def test_each_viewer_gets_their_own_csrf_token_in_the_kept_card(picture, owner, team_a):
    first, second = logged_in(owner), logged_in(member_of(team_a, "tim", "member"))
    assert "CARD-CSRF-TOKEN-PLACEHOLDER" not in card_html(first, picture.pk)
    assert "CARD-CSRF-TOKEN-PLACEHOLDER" not in card_html(second, picture.pk)
    assert len(caches["cards"]._cache) >= 1
