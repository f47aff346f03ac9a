"""The log-in page says what went wrong where the person is looking: under the
password field, tied to it for screen readers, with the username kept."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.teams.test_login_throttle import PAUSED, fail, log_in


class Page(HTMLParser):
    """The elements of a page in document order: (tag, attributes, text inside)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[dict] = []
        self.open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in ("input", "meta", "link", "br", "img", "use"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()["tag"] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element["text"] += data

    def index(self, **attrs: str) -> int:
        return next(i for i, e in enumerate(self.elements)
                    if all(e["attrs"].get(k) == v for k, v in attrs.items()))


def error_after_password(html: str) -> tuple[dict, dict]:
    """The password input, and the first error shown after it; asserts none before."""
    page = Page(html)
    password = page.index(name="password")
    errors = [i for i, e in enumerate(page.elements)
              if "field-error" in (e["attrs"].get("class") or "").split()]
    assert errors and all(i > password for i in errors), "an error is above the field"
    assert not [e for e in page.elements if "errors" in (e["attrs"].get("class") or "")]
    return page.elements[password], page.elements[errors[0]]


def test_a_wrong_password_is_explained_under_the_password_field(owner):
    response = log_in(Client(), password="wrong")
    html = response.content.decode()
    field, error = error_after_password(html)
    assert "Please enter a correct username and password" in error["text"]
    assert field["attrs"]["aria-describedby"] == error["attrs"]["id"]
    assert field["attrs"]["aria-invalid"] == "true"
    assert 'value="olivia"' in html  # the username is kept
    assert "value=" not in str(field["attrs"])  # the password is not


def test_the_pause_after_failures_is_shown_there_too(owner):
    browser = Client()
    fail(browser, 5)
    _, error = error_after_password(log_in(browser).content.decode())
    assert PAUSED in error["text"] and "Try again in 30 seconds" in error["text"]


def test_a_fresh_page_shows_no_error(db):
    html = Client().get("/accounts/login/").content.decode()
    page = Page(html)
    assert not [e for e in page.elements if "field-error" in (e["attrs"].get("class") or "")]
    assert "aria-invalid" not in html


@pytest.mark.parametrize("missing", ["username", "password"])
def test_an_empty_field_is_explained_beside_it(owner, missing):
    data = {"username": "olivia", "password": "x", missing: ""}
    page = Page(Client().post("/accounts/login/", data).content.decode())
    error = page.index(id=f"id_{missing}_error")
    assert page.index(name=missing) < error
    assert "This field is required." in page.elements[error]["text"]
