"""The gallery live by push: an idle page asks nothing, a teammate's card is pushed to
it, a page catches up after a restart, and falls back to polling when it must; a card
of one's own that is pending follows itself by polling until it ends."""

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.stack import Stack, csrf_post

pytestmark = pytest.mark.browser

MIRA = ("mira", "mira-studio-password")
PUSHED_WITHIN = 1.0  # seconds from stored to shown
# Marks the moment each card first shows a status, by the page's own clock.
RECORD_ARRIVALS = """
window.__shown = {};
new MutationObserver(() => {
  document.querySelectorAll("article[data-generation-id]").forEach((card) => {
    const key = `${card.dataset.generationId}:${card.dataset.status}`;
    if (!(key in window.__shown)) window.__shown[key] = performance.timeOrigin + performance.now();
  });
}).observe(document, { subtree: true, childList: true, attributes: true });
"""


@pytest.fixture(scope="module")
def mira(stack: Stack) -> tuple[str, str]:
    stack.manage("add_member", stack.team, MIRA[0], "--password", MIRA[1], "--role", "member")
    return MIRA


def log_in(page: Page, stack: Stack, username: str, password: str) -> None:
    page.goto(f"{stack.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{stack.url}/")


def client_of(stack: Stack, username: str, password: str) -> httpx.Client:
    client = stack.client()
    client.get("/accounts/login/")
    assert csrf_post(client, "/accounts/login/",
                     {"username": username, "password": password}).status_code == 302
    return client


def make_image(client: httpx.Client, prompt: str) -> None:
    assert csrf_post(client, "/generate/image/", {"prompt": prompt}).status_code == 302


def streaming(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("data-live", "open")


def test_an_idle_gallery_asks_nothing_for_a_minute_once_its_stream_is_open(
        stack: Stack, browser: Browser) -> None:
    page = browser.new_page()
    page.clock.install()
    log_in(page, stack, stack.username, stack.password)
    streaming(page)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.clock.run_for(60_000)
    assert asked == []
    page.close()


def quiet_stream(page: Page) -> None:
    """Streams that open and carry nothing (a server with no news), so what changes
    a card can only be its own polling."""
    page.route("**/events/**", lambda route: route.fulfill(
        status=200, content_type="text/event-stream",
        body="retry: 60000\n\nevent: ready\ndata: {}\n\n"))


def card_requests(requests: list[Request]) -> list[Request]:
    return [r for r in requests if re.search(r"/generations/\d+/card/$", r.url)]


def test_my_pending_card_follows_its_status_by_polling_until_it_ends(
        stack: Stack, browser: Browser) -> None:
    page = browser.new_page()
    page.clock.install()  # time flows, and can be hurried
    quiet_stream(page)
    log_in(page, stack, stack.username, stack.password)
    page.goto(f"{stack.url}/generate/image/")
    page.get_by_label("Prompt").fill("my own harbour, followed")
    page.get_by_role("button", name="Generate").click()
    streaming(page)
    card = page.locator("article[data-kind=image]", has_text="my own harbour, followed")
    expect(card).to_have_attribute("data-status", "queued")
    card_url = re.compile(rf"/generations/{card.get_attribute('data-generation-id')}/card/$")
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if card_url.search(r.url) else None)
    with page.expect_response(card_url) as still_queued:
        pass  # within 2 s
    assert still_queued.value.status == 200
    stack.start_worker()
    try:
        expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    finally:
        stack.stop_worker()
    assert answers[-1] == 286  # the poll that found it ended, and stopped polling
    asked: list[Request] = []
    page.on("request", lambda request: asked.append(request))
    page.clock.run_for(20_000)
    assert card_requests(asked) == []
    page.close()


def test_a_teammates_finished_card_is_pushed_within_a_second_of_being_stored(
        stack: Stack, browser: Browser, mira: tuple[str, str]) -> None:
    page = browser.new_page()
    page.add_init_script(RECORD_ARRIVALS)
    log_in(page, stack, stack.username, stack.password)
    streaming(page)
    page.evaluate("window.__not_reloaded = true")
    make_image(client_of(stack, *mira), "a teammate's harbour at dawn")
    card = page.locator("article[data-kind=image]", has_text="a teammate's harbour at dawn")
    expect(card).to_have_attribute("data-status", "queued")
    expect(card).to_contain_text("mira")
    stack.start_worker()
    try:
        expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    finally:
        stack.stop_worker()
    generation_id = card.get_attribute("data-generation-id")
    shown = page.evaluate(f"window.__shown['{generation_id}:succeeded']") / 1000
    stored = float(stack.manage("shell", "-c", (
        "from studio.generations.models import Generation; "
        f"print(Generation.objects.get(pk={generation_id}).finished_at.timestamp())"))
        .split()[-1])
    assert 0 <= shown - stored < PUSHED_WITHIN, f"shown {shown - stored:.3f} s after stored"
    expect(card.locator("img")).to_be_visible()
    token = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
    expect(card.locator("[name=csrfmiddlewaretoken]").first).to_have_value(token)
    assert page.evaluate("window.__not_reloaded") is True, "the gallery reloaded"
    page.close()


MADE_WHILE_DOWN = (
    "from studio.generations import submission; from studio.multimodal import catalog; "
    "from studio.teams.models import Membership; "
    "m = Membership.objects.get(user__username='mira'); "
    "submission.submit(m, m.user, submission.Order(catalog.get('tts'), "
    "{'text': 'said while the studio restarted'}))")


def test_after_a_restart_the_page_reconnects_and_shows_what_happened_meanwhile(
        stack: Stack, browser: Browser, mira: tuple[str, str]) -> None:
    page = browser.new_page()
    log_in(page, stack, stack.username, stack.password)
    streaming(page)
    page.evaluate("window.__not_reloaded = true")
    stack.stop_web()
    stack.manage("shell", "-c", MADE_WHILE_DOWN)
    stack.start_web()
    stack.wait_until_serving()
    card = page.locator("article[data-kind=tts]", has_text="said while the studio restarted")
    expect(card).to_be_visible(timeout=15_000)
    expect(page.locator("html")).to_have_attribute("data-live", "open")
    assert page.evaluate("window.__not_reloaded") is True, "the gallery reloaded"
    page.close()


def test_with_streams_refused_the_gallery_falls_back_to_polling(
        stack: Stack, browser: Browser, mira: tuple[str, str]) -> None:
    page = browser.new_page()
    page.route("**/events/**", lambda route: route.fulfill(status=503, body="no streams"))
    log_in(page, stack, stack.username, stack.password)
    expect(page.locator("html")).to_have_attribute("data-live", "polling")
    with page.expect_response(re.compile(r"/gallery/poll/")) as polled:
        make_image(client_of(stack, *mira), "found by the poll")
    assert polled.value.status in (200, 204)
    card = page.locator("article[data-kind=image]", has_text="found by the poll")
    expect(card).to_be_visible(timeout=10_000)
    page.close()
