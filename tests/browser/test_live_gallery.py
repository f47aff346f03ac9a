"""Two members of one team, two browsers: what one makes appears on the other's open
gallery, although nothing on that page was pending: pushed through its event stream."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.ready import arrived, log_in_as
from tests.stack import Stack

pytestmark = pytest.mark.browser

MIRA = ("mira", "mira-studio-password")
# A teammate's new card must show within 10 s (pushed, it takes well under one).
WITHIN = 10_000


def rate(page: Page, generation_id: str, stars: int) -> int:
    """The rating form's request, sent from the member's open page."""
    return page.evaluate("""async ([id, stars]) => {
        const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
        const answer = await fetch(`/generations/${id}/rate/`, {method: "POST",
            headers: {"X-CSRFToken": token}, body: new URLSearchParams({stars})});
        return answer.status;
    }""", [generation_id, stars])


def test_a_teammates_new_image_appears_and_finishes_on_an_idle_gallery(
        stack: Stack, browser: Browser) -> None:
    stack.manage("add_member", stack.team, MIRA[0], "--password", MIRA[1],
                 "--role", "member")
    stack.start_worker()
    watcher = browser.new_context().new_page()
    maker = browser.new_context().new_page()
    problems: list[str] = []
    watcher.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    log_in_as(watcher, stack, stack.username, stack.password)
    log_in_as(maker, stack, *MIRA)
    expect(watcher.locator("#gallery-empty")).to_be_visible()
    expect(watcher.locator("html")).to_have_attribute("data-live", "open")
    watcher.evaluate("window.__not_reloaded = true")

    maker.goto(f"{stack.url}/generate/image/")
    maker.get_by_label("Prompt").fill("a teammate's harbour at dawn")
    maker.get_by_role("button", name="Generate").click()
    arrived(maker, f"{stack.url}/")

    card = watcher.locator("article[data-kind=image]")
    expect(card).to_be_visible(timeout=WITHIN)
    expect(card).to_contain_text("a teammate's harbour at dawn")
    expect(card).to_contain_text("mira")
    expect(watcher.locator("#gallery-empty")).to_have_count(0)
    expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(card.locator("img")).to_be_visible()
    expect(watcher.locator("html")).to_have_attribute("data-live", "open")
    assert watcher.evaluate("window.__not_reloaded") is True, "the gallery reloaded"

    # The watcher's keyboard is on the card when the teammate's rating redraws it.
    opener = card.get_by_role("link", name="Open in the viewer")
    opener.focus()
    assert rate(maker, card.get_attribute("data-generation-id"), stars=3) == 200
    expect(card.locator(".rating-badge")).to_contain_text("3.0", timeout=WITHIN)
    expect(opener).to_be_focused()
    assert problems == [], f"{problems}\n{stack.logs()}"
