"""A member steps through the team's work in the viewer, by keyboard, in Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_speech_and_image import log_in
from tests.stack import Stack, csrf_post

pytestmark = pytest.mark.browser

SPEECH = "Every take of this line sounds a little different."
PICTURE = "a paper lantern over a dark river"
CLIP = "waves rolling onto a pebble beach"


def submit_one_of_each(stack: Stack) -> None:
    """An image, then speech, then a video: the grid shows them newest first."""
    client = stack.login_client()
    for slug, fields in (("image", {"prompt": PICTURE, "width": 512, "height": 512}),
                         ("tts", {"text": SPEECH, "voice": "Calm_Woman"}),
                         ("t2v", {"prompt": CLIP, "duration": 1})):
        answer = csrf_post(client, f"/generate/{slug}/", fields)
        assert answer.status_code == 302, f"{slug}: {answer.status_code}\n{stack.logs()}"
    client.close()


def test_viewer_steps_through_the_grid_by_keyboard_stars_and_rates(stack: Stack,
                                                                     page: Page) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url)
    submit_one_of_each(stack)
    stack.start_worker()
    log_in(page, stack)
    cards = page.locator("article[data-generation-id]")
    for kind in ("video_t2v", "tts", "image"):
        expect(page.locator(f"article[data-kind={kind}]")).to_have_attribute(
            "data-status", "succeeded", timeout=60_000)
    expect(cards).to_have_count(3)
    speech = page.locator("article[data-kind=tts]")
    viewer = page.locator("#viewer")
    words = viewer.locator(".viewer-text")

    speech.get_by_role("link", name="Open in the viewer").focus()
    page.keyboard.press("Enter")
    expect(viewer).to_be_visible()
    expect(words).to_have_text(SPEECH)
    expect(viewer.locator("audio")).to_have_attribute("src", re.compile(r"/media$"))
    expect(viewer.get_by_text("Calm Woman")).to_be_visible()

    page.keyboard.press("ArrowRight")  # older: the image
    expect(words).to_have_text(PICTURE)
    expect(viewer.locator("img.media-image")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # newer: the video
    expect(words).to_have_text(CLIP)
    expect(viewer.locator("video.media-video")).to_be_visible()
    expect(viewer.get_by_role("button", name="Previous")).to_have_attribute(
        "aria-disabled", "true")
    page.keyboard.press("ArrowRight")
    expect(words).to_have_text(SPEECH)

    viewer.get_by_role("button", name="Copy text").click()
    expect(viewer.get_by_text("Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == SPEECH

    page.keyboard.press("s")
    expect(speech.locator("button.star")).to_have_attribute("aria-pressed", "true")
    expect(viewer.locator("button.star")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("3")
    expect(viewer.get_by_role("radio", name="3 stars")).to_be_checked()
    expect(speech.locator(".rating-badge")).to_contain_text("3.0")

    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(speech.get_by_role("link", name="Open in the viewer")).to_be_focused()
    page.reload()
    expect(speech.locator("button.star")).to_have_attribute("aria-pressed", "true")
    assert problems == [], f"{problems}\n{stack.logs()}"
