"""The bell, live: my job finishes while I am on another page and my bell's count
rises without a reload; its list links to the card and opening it reads it; a
teammate's bell stays quiet."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.ready import arrived, log_in_as
from tests.stack import Stack, csrf_post

pytestmark = pytest.mark.browser

MIRA = ("mira", "mira-studio-password")


@pytest.fixture(scope="module")
def mira(stack: Stack) -> tuple[str, str]:
    stack.manage("add_member", stack.team, MIRA[0], "--password", MIRA[1], "--role", "member")
    return MIRA


def on_credits_page(page: Page, stack: Stack, username: str, password: str) -> None:
    log_in_as(page, stack, username, password)
    page.goto(f"{stack.url}/credits/")
    expect(page.locator("html")).to_have_attribute("data-live", "open")
    page.evaluate("window.__not_reloaded = true")


def make_image_as(stack: Stack, username: str, password: str, prompt: str) -> None:
    client = stack.client()
    client.get("/accounts/login/")
    assert csrf_post(client, "/accounts/login/",
                     {"username": username, "password": password}).status_code == 302
    assert csrf_post(client, "/generate/image/", {"prompt": prompt}).status_code == 302


def bell(page: Page):
    return page.locator("#bell summary")


def test_my_job_finishing_rings_my_bell_live_and_its_link_opens_the_card(
        stack: Stack, browser: Browser, mira: tuple[str, str]) -> None:
    mine = browser.new_context().new_page()
    teammates = browser.new_context().new_page()
    on_credits_page(mine, stack, *mira)
    on_credits_page(teammates, stack, stack.username, stack.password)
    expect(bell(mine)).to_have_accessible_name("Notifications, 0 unread")
    make_image_as(stack, *mira, "a lighthouse while I was elsewhere")
    stack.start_worker()
    try:
        expect(bell(mine)).to_have_accessible_name("Notifications, 1 unread", timeout=30_000)
    finally:
        stack.stop_worker()
    assert mine.evaluate("window.__not_reloaded") is True, "the page reloaded"
    expect(bell(teammates)).to_have_accessible_name("Notifications, 0 unread")
    bell(mine).click()
    item = mine.locator("#bell .bell-item", has_text="finished")
    expect(item).to_be_visible()
    item.click()
    arrived(mine, f"{stack.url}/generations/{item_id(stack)}/")
    expect(bell(mine)).to_have_accessible_name("Notifications, 0 unread")
    expect(mine.locator("[data-generation-id]").first).to_be_visible()
    mine.context.close()
    teammates.context.close()


def item_id(stack: Stack) -> str:
    return stack.manage("shell", "-c", (
        "from studio.generations.models import Generation; "
        "print(Generation.objects.latest('id').pk)")).split()[-1]
