"""A storyboard in Chromium, from a pasted script to a film that plays: a member
pastes three scenes, sees three rows and their costs, edits a narration in place,
reorders by a drag and by a button, makes the film with the worker running on the
sandbox, watches the rows become ready and plays the film; the strip, while making
and with its film, has no axe violation in either theme and fits a 390 px phone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.ready import arrived, log_in_as
from tests.browser.test_accessibility import described
from tests.browser.test_boards import watched
from tests.browser.test_phone_width import OVERFLOWING
from tests.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.pages]
MEMBER, MEMBER_PASSWORD = "mia", "mia-studio-password"
MAKING_SECONDS = 240_000  # ms: nine API calls on the sandbox and the film's join, on 2 cores
SCRIPT = """\
A lighthouse keeper wakes before dawn.
Picture: a lighthouse on a cliff at dawn
Motion: slow push in towards the lamp

He climbs the stairs with a lamp.

The light sweeps over the sea.
Motion: the beam turns across the waves
"""
AXE = Axe()


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest):
    """Room for a storyboard's nine calls at once (the documented limits send two clips
    a minute)."""
    yield from running_stack(request, start_worker=False, env={
        "STUDIO_RATE_LIMITS": "tts=60/60,image=60/60,video_i2v=60/60"})


@pytest.fixture(scope="module")
def member(stack: Stack) -> str:
    stack.manage("add_member", stack.team, MEMBER, "--password", MEMBER_PASSWORD,
                 "--role", "member")
    return MEMBER


def narrations(page: Page) -> list[str]:
    return page.locator(".scene-row textarea[name=narration]").evaluate_all(
        "fields => fields.map((field) => field.value)")


def judged(page: Page, where: str) -> None:
    """axe in the light and the dark theme, and nothing wider than a 390 px phone."""
    for theme in ("light", "dark"):
        page.context.add_cookies([{"name": "theme", "value": theme, "url": page.url}])
        page.reload()
        expect(page.locator("html[data-ready]")).to_be_attached()
        violations = AXE.run(page).response["violations"]
        assert not violations, f"{where}, {theme} theme:\n{described(violations)}"
    page.set_viewport_size({"width": 390, "height": 844})
    found = page.evaluate(OVERFLOWING)
    page.set_viewport_size({"width": 1440, "height": 900})
    assert found["scrollWidth"] <= found["innerWidth"], f"{where} on a phone: {found}"


def test_a_member_pastes_a_script_edits_reorders_and_makes_the_film_that_plays(
        stack: Stack, member: str, page: Page) -> None:
    problems = watched(page)
    log_in_as(page, stack, member, MEMBER_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Storyboards").click()
    arrived(page, f"{stack.url}/storyboards/")
    expect(page.get_by_text("No storyboards yet")).to_be_visible()
    page.get_by_label("Title").fill("The keeper")
    page.get_by_label("Script").fill(SCRIPT)
    page.get_by_role("button", name="Make the storyboard").click()
    arrived(page, re.compile(r"/storyboards/\d+/$"))
    strip_url = page.url

    # Three rows, each with its cost, and the whole, before anything is sent.
    rows = page.locator(".scene-row")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-scene-cost]")).to_have_text(
        [re.compile(r"464 credits to make")] * 3)
    expect(page.locator("[data-total-cost]")).to_contain_text("1,392 credits")

    # A narration edited in place: saved as it is left, its length estimated again.
    narration = rows.nth(1).get_by_label("Narration", exact=True)
    narration.fill("He climbs the long stairs, slowly.")
    narration.press("Tab")
    second = page.locator(".scene-row").nth(1)
    expect(second.locator(".scene-field-status").first).to_contain_text("Saved")
    expect(second.locator(".scene-length")).to_contain_text("2.4 s")

    # Reordered: the last scene dragged to the top, then one place later by its button.
    page.set_viewport_size({"width": 1440, "height": 2400})  # the whole strip in view
    rows.nth(2).locator("[data-scene-handle]").drag_to(
        rows.nth(0), target_position={"x": 40, "y": 5})
    expect(rows.first.get_by_label("Narration", exact=True)).to_have_value(
        "The light sweeps over the sea.")
    expect(rows.first.get_by_role("heading")).to_have_text("Scene 1")  # drawn again
    page.get_by_role("button", name="Move scene 1 later").click()
    arrived(page, re.compile(re.escape(strip_url)))
    page.set_viewport_size({"width": 1440, "height": 900})
    assert narrations(page) == ["A lighthouse keeper wakes before dawn.",
                                "The light sweeps over the sea.",
                                "He climbs the long stairs, slowly."]

    # Made: every part queued, then ready as the worker goes, then the film plays.
    stack.start_worker()
    page.get_by_role("button", name="Make the film").click()
    arrived(page, re.compile(re.escape(strip_url)))
    expect(page.get_by_text(re.compile(r"Making “The keeper”: 9 parts and the film"))) \
        .to_be_visible()
    expect(page.locator("[data-storyboard-state]")).to_have_text("Making")
    judged(page, "the strip while making")
    parts = page.locator(".scene-part")
    expect(parts.and_(page.locator("[data-state=ready]"))).to_have_count(
        9, timeout=MAKING_SECONDS)
    film = page.locator("#make-panel video")
    expect(film).to_be_visible(timeout=MAKING_SECONDS)
    expect(page.locator("[data-storyboard-state]")).to_have_text("Film ready")
    film.evaluate("video => { video.muted = true; return video.play(); }")
    page.wait_for_function(
        "() => document.querySelector('#make-panel video').currentTime > 0.2")
    expect(page.get_by_role("link", name=re.compile("Its card in the gallery"))).to_be_visible()
    judged(page, "the strip with its film")
    assert problems == []
