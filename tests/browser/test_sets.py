"""A set in Chromium: two alternatives times two from the composer make one stacked
card, which fills in as the worker finishes its items and opens into them."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ready import arrived
from tests.browser.test_speech_and_image import log_in
from tests.stack import Stack

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/studio-set.png"


def test_a_set_is_one_stacked_card_that_fills_in_and_opens(stack: Stack, page: Page) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, stack)
    page.get_by_role("tab", name="Image", exact=True).click()
    panel = page.locator("#compose-panel-image")
    panel.get_by_label("Prompt").fill("a {red|blue} kite over the dunes")
    panel.get_by_text("Settings").click()
    panel.get_by_label("How many").fill("2")
    expect(panel).to_contain_text("4 generations")
    panel.get_by_label("Prompt").press("Control+Enter")

    status = page.locator("#composer-status")
    expect(status).to_contain_text("Queued 4 Image generations")
    expect(status).to_contain_text("as set #")
    stacked = page.locator("#gallery-grid > .card-stack")
    expect(stacked).to_have_count(1)
    expect(stacked).to_contain_text("Set of 4")
    expect(stacked).to_contain_text("0 of 4 finished")
    expect(page.locator("#gallery-grid > [data-generation-id]")).to_have_count(1)

    stack.start_worker()
    expect(stacked).to_contain_text("4 of 4 finished", timeout=45_000)
    expect(stacked.locator("img").first).to_be_visible()
    page.screenshot(path=SCREENSHOT)

    set_id = stacked.get_attribute("data-set-id")
    stacked.get_by_role("link", name="Set of 4").click()
    arrived(page, f"{stack.url}/?set={set_id}")
    expect(page.locator("#gallery-grid > [data-generation-id]")).to_have_count(4)
    expect(page.locator("#gallery-grid .card-stack")).to_have_count(0)
    expect(page.locator("#gallery-grid")).to_contain_text("a blue kite over the dunes")
    assert problems == [], f"{problems}\n{stack.logs()}"
