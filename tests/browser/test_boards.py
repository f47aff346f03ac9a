"""Boards and review statuses in Chromium: a member makes a board, adds a whole set to
it and generates into it; an admin approves one item and requests changes on another
and the badges show; a member is refused "approved" while only admins may approve."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.ready import arrived, log_in_as
from tests.browser.test_speech_and_image import generate
from tests.stack import Stack, running_stack

pytestmark = pytest.mark.browser
MEMBER, MEMBER_PASSWORD = "mia", "mia-studio-password"


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest):
    """Room for this module's eight images in one minute (the documented limit is 5)."""
    yield from running_stack(request, start_worker=False,
                             env={"STUDIO_RATE_LIMITS": "image=60/60"})


@pytest.fixture(scope="module")
def member(stack: Stack) -> str:
    stack.manage("add_member", stack.team, MEMBER, "--password", MEMBER_PASSWORD,
                 "--role", "member")
    stack.start_worker()
    return MEMBER


def watched(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def finished(page: Page, prompt: str):
    card = page.locator("article[data-kind=image]").filter(has_text=prompt)
    expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    return card


def test_a_member_makes_a_board_adds_a_set_and_generates_into_it(
        stack: Stack, member: str, page: Page) -> None:
    problems = watched(page)
    log_in_as(page, stack, member, MEMBER_PASSWORD)
    generate(page, stack, "image", {"Prompt": "a {red|blue|green} kite", "Width": "512",
                                    "Height": "512"})
    page.locator(".stack-open").first.click()
    arrived(page, re.compile(r"set=\d+"))
    kites = page.locator("article[data-kind=image]")
    expect(kites).to_have_count(3)
    for colour in ("red", "blue", "green"):
        finished(page, f"a {colour} kite")
    set_url = page.url

    page.goto(f"{stack.url}/boards/")
    expect(page.get_by_text("No boards yet")).to_be_visible()
    page.get_by_label("Name").fill("Kites")
    page.get_by_role("button", name="Make the board").click()
    arrived(page, re.compile(r"/boards/\d+/$"))
    board_url = page.url

    page.goto(set_url)
    for box in page.locator("article input[name=ids]").all():
        box.check()
    page.get_by_label("Board to add to").select_option(label="Kites")
    page.get_by_role("button", name="Add to board").click()
    arrived(page, board_url)
    expect(page.locator("article[data-generation-id]")).to_have_count(3)
    expect(page.get_by_text("Added 3 items to “Kites”.")).to_be_visible()

    page.get_by_role("button", name="Generate into this board").click()
    arrived(page, board_url)
    page.goto(f"{stack.url}/")
    expect(page.locator("[data-composer-board]")).to_have_text(
        re.compile(r"Generating into\s+Kites"))
    generate(page, stack, "image", {"Prompt": "a yellow kite", "Width": "512",
                                    "Height": "512"})
    finished(page, "a yellow kite")
    page.goto(board_url)
    cards = page.locator("article[data-generation-id]")
    expect(cards).to_have_count(4)
    expect(cards.last).to_contain_text("a yellow kite")

    # Order by hand: a drag, kept when the page is drawn again; then a button.
    slots = page.locator(".board-slot")
    slots.last.drag_to(slots.first, target_position={"x": 5, "y": 40})
    expect(page.locator("[data-board-sortable][data-board-saved=yes]")).to_be_attached()
    page.reload()
    expect(cards.first).to_contain_text("a yellow kite")
    second = cards.nth(1).get_attribute("data-generation-id")
    page.get_by_role("button", name=f"Move #{second} earlier").click()
    arrived(page, board_url)
    expect(cards.first).to_have_attribute("data-generation-id", second)
    assert problems == []


def test_a_card_dropped_on_a_board_of_the_side_list_is_added(
        stack: Stack, member: str, page: Page) -> None:
    log_in_as(page, stack, member, MEMBER_PASSWORD)
    page.goto(f"{stack.url}/boards/")
    page.get_by_label("Name").fill("Drops")
    page.get_by_role("button", name="Make the board").click()
    arrived(page, re.compile(r"/boards/\d+/$"))
    board_url = page.url
    generate(page, stack, "image", {"Prompt": "a dropped lantern", "Width": "512",
                                    "Height": "512"})
    card = finished(page, "a dropped lantern")
    card.drag_to(page.locator("[data-board-drop]", has_text="Drops"))
    expect(page.locator("[data-board-drop-status]")).to_contain_text("to “Drops”")
    page.goto(board_url)
    expect(page.locator("article[data-generation-id]")).to_contain_text("a dropped lantern")


def review_in_viewer(page: Page, prompt: str, status: str) -> None:
    finished(page, prompt).locator("a.card-open").click()
    viewer = page.locator("#viewer")
    expect(viewer).to_be_visible()
    viewer.get_by_label("Review status", exact=True).select_option(label=status)
    viewer.get_by_role("button", name="Set", exact=True).click()
    expect(viewer.locator(".review-panel .review-badge")).to_have_text(status)
    page.keyboard.press("Escape")


def test_an_admin_approves_and_requests_changes_and_a_member_may_not_approve(
        stack: Stack, member: str, page: Page, browser: Browser) -> None:
    problems = watched(page)
    log_in_as(page, stack, stack.username, stack.password)
    generate(page, stack, "image", {"Prompt": "a calm harbour", "Width": "512",
                                    "Height": "512"})
    generate(page, stack, "image", {"Prompt": "a stormy harbour", "Width": "512",
                                    "Height": "512"})
    review_in_viewer(page, "a calm harbour", "Approved")
    review_in_viewer(page, "a stormy harbour", "Changes requested")
    # The open gallery redraws the cards with their badges (the card event).
    expect(finished(page, "a calm harbour").locator(".review-badge")).to_have_text("Approved")
    expect(finished(page, "a stormy harbour").locator(".review-badge")) \
        .to_have_text("Changes requested")

    context = browser.new_context()
    other = context.new_page()
    log_in_as(other, stack, member, MEMBER_PASSWORD)
    finished(other, "a stormy harbour").locator("a.card-open").click()
    choices = other.locator("#viewer").get_by_label("Review status", exact=True)
    expect(choices.locator("option")).to_have_text(
        ["No review status", "Needs review", "Changes requested"])
    form = other.locator("#viewer .review-status-form")
    token = form.locator("input[name=csrfmiddlewaretoken]").get_attribute("value")
    forged = other.request.post(stack.url + form.get_attribute("action"),
                                form={"status": "approved", "csrfmiddlewaretoken": token})
    assert forged.status == 403
    context.close()
    assert problems == []
