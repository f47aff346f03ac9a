"""The gallery's filters and the composer's fields are drawn once and kept under
everything they show: a change to any of it draws them again, and nothing of one
team's drawing reaches another's."""

import pytest
from django.template import base as template_base

from studio.review.models import Board
from tests.conftest import logged_in, member_of

FIELDS = "generations/_kind_fields.html"
WIDGET = "django/forms/widgets/select.html"


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    """The names of the templates drawn, in order."""
    names = []
    original = template_base.Template.render

    def counting(self, context):
        names.append(self.origin.template_name if self.origin else "")
        return original(self, context)

    monkeypatch.setattr(template_base.Template, "render", counting)
    return names


def filters_of(html: str) -> str:
    start = html.index('class="gallery-panel"')
    return html[start:html.index("</details>", start)]


def test_the_second_gallery_page_draws_no_form_widget(owner, drawn):
    client = logged_in(owner)
    client.get("/")
    drawn.clear()
    assert client.get("/").status_code == 200
    assert WIDGET not in drawn and FIELDS not in drawn


def test_a_new_member_appears_in_the_member_filter_at_once(owner, team_a):
    client = logged_in(owner)
    assert "newcomer" not in filters_of(client.get("/").content.decode())
    member_of(team_a, "newcomer", "member")
    assert '<option value="newcomer">newcomer</option>' in filters_of(
        client.get("/").content.decode())


def test_a_filter_chosen_is_drawn_selected_and_an_error_beside_its_field(owner):
    client = logged_in(owner)
    chosen = filters_of(client.get("/?kind=image").content.decode())
    assert '<option value="image" selected>' in chosen
    wrong = filters_of(client.get("/?date_from=2026-02-30").content.decode())
    assert "has-error" in wrong and 'value="2026-02-30"' in wrong


def test_one_teams_boards_never_show_in_anothers_filters(owner, team_a, outsider):
    Board.objects.create(team=team_a, made_by=owner, name="Team A's secret board")
    assert "secret board" in filters_of(logged_in(owner).get("/").content.decode())
    other = filters_of(logged_in(outsider).get("/").content.decode())
    assert "secret board" not in other


def test_the_composer_fields_keep_what_was_typed_when_the_form_comes_back(owner):
    client = logged_in(owner)
    client.get("/?compose=image")
    again = client.get("/?compose=image&prompt=a+lighthouse+at+dusk").content.decode()
    assert "a lighthouse at dusk" in again
