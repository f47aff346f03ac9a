"""Destructive actions ask first, in a way the studio's own CSP allows: a data-confirm
sentence on the form, asked by static/js/studio.js (plain posts and htmx alike)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Dialog, Page, expect

from studio.generations.models import Comment, Generation, State, Status
from studio.teams import invitations
from studio.teams.models import Membership, Role
from tests.browser.ready import arrived
from tests.browser.test_speech_and_image import generate, log_in
from tests.conftest import logged_in, member_of
from tests.stack import Stack

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class Forms(HTMLParser):
    """Each form's own attributes and the names of the fields inside it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.found.append({"attrs": dict(attrs), "fields": {}})
        elif tag in ("input", "select", "textarea", "button") and self.found:
            named = dict(attrs)
            self.found[-1]["fields"][named.get("name") or tag] = named


def form_posting_to(html: str, action: str) -> dict:
    return next(form for form in Forms(html).found if form["attrs"].get("action") == action)


def form_with_field(html: str, name: str) -> dict:
    return next(form for form in Forms(html).found if name in form["fields"])


# Every destructive form carries its sentence -----------------------------------------

def test_no_template_has_an_inline_event_handler():
    inline = [f"{path.relative_to(TEMPLATES)}: {found}"
              for path in TEMPLATES.rglob("*.html")
              for found in re.findall(r"\son[a-z]+=", path.read_text())]
    assert inline == []


def test_removing_a_member_and_leaving_the_team_ask_first(owner_client, owner, teammate,
                                                          team_a):
    admin = member_of(team_a, "ada", Role.ADMIN)
    tom = Membership.objects.get(user=teammate).pk
    html = owner_client.get("/team/members/").content.decode()
    asks = form_posting_to(html, f"/team/members/{tom}/remove/")["attrs"]["data-confirm"]
    assert asks.startswith("Remove tom from Team A?")
    ada = Membership.objects.get(user=admin).pk
    html = logged_in(admin).get("/team/members/").content.decode()
    asks = form_posting_to(html, f"/team/members/{ada}/remove/")["attrs"]["data-confirm"]
    assert asks.startswith("Leave Team A?")


def test_revoking_an_invitation_asks_first(owner_client, owner, team_a):
    invitation = invitations.create(team_a, owner, Role.MEMBER, days=7)
    html = owner_client.get("/team/invitations/").content.decode()
    form = form_posting_to(html, f"/team/invitations/{invitation.pk}/revoke/")
    assert form["attrs"]["data-confirm"].startswith("Revoke this member invitation?")
    assert "onfocus" not in html and "data-select-on-focus" in html


def test_deleting_a_generation_and_a_comment_ask_first(owner_client, owner, team_a):
    picture = Generation.objects.create(team=team_a, author=owner, kind="image",
                                        params={"prompt": "a kite"}, cost=50,
                                        state=State.SUCCEEDED, status=Status.SUCCEEDED,
                                        media_format="png")
    picture.media.save(f"{picture.pk}.png", ContentFile(b"png"))
    note = Comment.objects.create(generation=picture, author=owner, text="nice")
    gallery = owner_client.get("/").content.decode()
    form = form_posting_to(gallery, f"/generations/{picture.pk}/delete/")
    assert form["attrs"]["data-confirm"].startswith(f"Move Image #{picture.pk} to the trash?")
    review = owner_client.get(f"/generations/{picture.pk}/review/",
                              HTTP_HX_REQUEST="true").content.decode()
    form = form_posting_to(review, f"/comments/{note.pk}/delete/")
    assert form["attrs"]["data-confirm"].startswith("Delete this comment?")
    assert "hx-confirm" not in form["attrs"]  # asked once, by studio.js


def test_removing_the_stored_api_token_asks_when_ticked(owner_client, team_a):
    html = owner_client.get("/team/settings/").content.decode()
    box = form_with_field(html, "clear_api_token")["fields"]["clear_api_token"]
    assert box["type"] == "checkbox"
    assert box["data-confirm"].startswith("Remove the stored API token?")


def test_transferring_ownership_and_deleting_the_team_ask_first(owner_client, teammate):
    transfer = owner_client.get("/team/transfer/").content.decode()
    assert form_with_field(transfer, "new_owner")["attrs"]["data-confirm"].startswith(
        "Transfer ownership of Team A?")
    delete = owner_client.get("/team/delete/").content.decode()
    assert form_with_field(delete, "name")["attrs"]["data-confirm"].startswith(
        "Delete Team A with all its work")


# In Chromium, under the real CSP ----------------------------------------------------

ADD_MIRA = ("from django.contrib.auth import get_user_model; "
            "from studio.teams.models import Membership, Team; "
            "Membership.objects.create(team=Team.objects.get(name='{team}'), role='member', "
            "user=get_user_model().objects.create_user('mira'))")


def answer_next_dialog(page: Page, accept: bool, asked: list[str]) -> None:
    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", answer)


@pytest.mark.browser
def test_removing_a_member_asks_and_dismissing_keeps_them(stack: Stack, page: Page) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    stack.manage("shell", "-c", ADD_MIRA.format(team=stack.team))
    log_in(page, stack)
    page.goto(f"{stack.url}/team/members/")
    mira = page.locator("tr[data-member=mira]")
    asked: list[str] = []

    answer_next_dialog(page, accept=False, asked=asked)
    mira.get_by_role("button", name="Remove").click()
    assert asked == [f"Remove mira from {stack.team}? They lose access to the team at once."]
    page.reload()
    expect(mira).to_have_count(1)

    answer_next_dialog(page, accept=True, asked=asked)
    mira.get_by_role("button", name="Remove").click()
    arrived(page, f"{stack.url}/team/members/")
    expect(mira).to_have_count(0)
    assert len(asked) == 2
    assert not [p for p in problems if "Content Security Policy" in p], problems


@pytest.mark.browser
def test_deleting_a_comment_over_htmx_asks_once(stack: Stack, page: Page) -> None:
    log_in(page, stack)
    generate(page, stack, "image", {"Prompt": "a comment target", "Width": "512",
                                    "Height": "512"})
    page.locator("article[data-kind=image]").first.get_by_role("link",
                                                                name="Details").click()
    page.get_by_label("Add a comment").fill("delete me, maybe")
    page.get_by_role("button", name="Comment").click()
    comment = page.locator("li.comment").filter(has_text="delete me, maybe")
    expect(comment).to_have_count(1)
    asked: list[str] = []

    answer_next_dialog(page, accept=False, asked=asked)
    comment.get_by_role("button", name="Delete").click()
    assert asked == ["Delete this comment? It cannot be brought back."]
    page.reload()
    expect(comment).to_have_count(1)

    answer_next_dialog(page, accept=True, asked=asked)
    comment.get_by_role("button", name="Delete").click()
    expect(comment).to_have_count(0)
    assert len(asked) == 2  # htmx did not ask a second time
