"""Notes at a moment in Chromium: a note left at 1.5 s of a clip becomes a marker on
the player's timeline, and a click on it (or on the note's time) seeks the player."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ready import arrived
from tests.browser.test_mix import made
from tests.browser.test_speech_and_image import log_in
from tests.stack import Stack

pytestmark = pytest.mark.browser

SEEKED_TO = """([selector, seconds]) => {
  const video = document.querySelector(selector);
  return video && video.readyState >= 1 && Math.abs(video.currentTime - seconds) < 0.05;
}"""


def test_a_note_at_a_moment_is_a_marker_that_seeks_the_player(stack: Stack,
                                                              page: Page) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    stack.start_worker()
    made(stack, "t2v", {"prompt": "a harbour at dawn", "duration": 5})
    log_in(page, stack)
    card = page.locator("#gallery-grid > [data-kind=video_t2v]")
    expect(card).to_have_attribute("data-status", "succeeded", timeout=60_000)
    clip_id = card.get_attribute("data-generation-id")
    page.goto(f"{stack.url}/generations/{clip_id}/")
    arrived(page, re.compile(rf"/generations/{clip_id}/"))

    words = page.get_by_label("Add a comment")
    words.fill("Look, @e")  # a member's name is suggested as one types it
    suggestion = page.get_by_role("option", name="@e2e")
    expect(suggestion).to_be_visible()
    words.press("Tab")
    expect(words).to_have_value("Look, @e2e ")
    expect(suggestion).to_be_hidden()
    words.fill("The boat should enter here")
    page.get_by_label("At (seconds)").fill("1.5")
    page.get_by_role("button", name="Comment").click()
    marker = page.locator(".note-marker[data-seek='1.5']")
    expect(marker).to_be_visible()
    expect(page.locator("[data-note-timeline][data-placed]")).to_be_attached()
    note = page.locator(".comment").filter(has_text="The boat should enter here")
    expect(note).to_contain_text("0:01.5")

    marker.click()
    page.wait_for_function(SEEKED_TO, arg=["video.media-video", 1.5], timeout=10_000)
    page.locator("video.media-video").evaluate("(video) => { video.currentTime = 4; }")
    page.get_by_role("button", name="Play from 0:01.5").click()
    page.wait_for_function(SEEKED_TO, arg=["video.media-video", 1.5], timeout=10_000)
    left = marker.evaluate("(m) => parseFloat(m.style.left)")
    assert 25 < left < 35  # 1.5 of 5 seconds

    # The gallery's viewer: the same marker under its player, the note beside it.
    page.goto(f"{stack.url}/")
    arrived(page, f"{stack.url}/")
    page.locator(f"[data-generation-id='{clip_id}'] [data-viewer-open]").first.click()
    viewer = page.locator("dialog[open]")
    expect(viewer.locator(".note-marker[data-seek='1.5']")).to_be_visible()
    viewer.get_by_role("button", name="Play from 0:01.5").click()
    page.wait_for_function(SEEKED_TO, arg=["dialog[open] video.media-video", 1.5],
                           timeout=10_000)
    assert problems == [], f"{problems}\n{stack.logs()}"
