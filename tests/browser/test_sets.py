"""A set in Chromium: two alternatives times two from the composer make one stacked
card, which fills in as the worker finishes its items and opens into them."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ready import arrived, log_in_as
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


def test_a_held_set_waits_with_a_clock_and_an_admin_approves_it_on_its_card(
        stack: Stack, page: Page, browser) -> None:
    stack.manage("add_member", stack.team, "maya", "--password", "maya-studio-pw",
                 "--role", "member")
    stack.manage("shell", "-c", "from studio.teams.models import Team; "
                 f"Team.objects.filter(name={stack.team!r}).update(approval_above=60)")
    member = browser.new_context(viewport={"width": 1440, "height": 900})
    theirs = member.new_page()
    log_in_as(theirs, stack, "maya", "maya-studio-pw")
    panel = theirs.locator("#compose-panel-tts")
    theirs.get_by_role("tab", name="Speech", exact=True).click()
    panel.get_by_label("Text").fill("Take {one|two|three|four|five}, please.")
    panel.get_by_label("Text").press("Control+Enter")
    expect(theirs.locator("#composer-status")).to_contain_text("waiting for approval by e2e")
    held = theirs.locator("#gallery-grid > .card-stack").first
    expect(held.locator(".card-held")).to_contain_text("Waiting for approval")
    expect(held.locator(".card-held .spinner")).to_have_count(0)
    expect(held.get_by_role("button", name="Approve")).to_have_count(0)  # not hers to
    member.close()

    log_in(page, stack)
    card = page.locator("#gallery-grid > .card-stack:has(.card-held)")
    expect(card.locator(".card-held use[href$='#clock']")).to_have_count(1)
    expect(card.get_by_role("button", name="Decline")).to_be_visible()
    card.get_by_role("button", name="Approve").click()
    arrived(page, f"{stack.url}/")
    expect(page.get_by_text("approved: its 5 items are queued")).to_be_visible()
    expect(page.locator(".card-held")).to_have_count(0)

    page.get_by_role("tab", name="Speech", exact=True).click()
    own = page.locator("#compose-panel-tts")
    own.get_by_label("Text").fill("Mine, {a|b|c|d|e}.")
    own.get_by_label("Text").press("Control+Enter")
    expect(page.locator("#composer-status")).to_contain_text(
        "above the team's approval limit of 60 credits: approved by you, as an admin")
