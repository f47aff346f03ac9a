"""A person animates a gallery image in Chromium and watches the video finish and play."""

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.ready import arrived
from tests.browser.test_speech_and_image import PENDING, generate, log_in
from tests.stack import Stack

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/studio-animate.png"
MOTION = "slow zoom in"


def test_animate_a_gallery_image_and_watch_the_video_play(stack: Stack, page: Page) -> None:
    problems: list[str] = []

    def record_console_error(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text} at {message.location['url']}")

    page.on("console", record_console_error)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))

    log_in(page, stack)
    generate(page, stack, "image", {"Prompt": "a lighthouse on a cliff at dusk",
                                    "Width": "640", "Height": "512"})
    image = page.locator("article[data-kind=image]")
    stack.start_worker()
    expect(image).to_have_attribute("data-status", "succeeded", timeout=30_000)
    image_id = image.get_attribute("data-generation-id")
    stack.stop_worker()  # the video's card must be seen pending before it finishes

    image.get_by_role("link", name="Animate").click()
    arrived(page, f"{stack.url}/generate/i2v/?source={image_id}")
    chosen = page.get_by_role("radio", name="a lighthouse on a cliff at dusk")  # its tile
    expect(chosen).to_be_checked()
    expect(chosen).to_have_attribute("value", image_id)
    page.get_by_label("Motion prompt").fill(MOTION)
    cost = page.locator("[data-cost]:not(input)")
    expect(page.get_by_label("wan22")).to_be_checked()
    expect(cost).to_have_text("400")
    page.get_by_label("seedance").check()
    expect(cost).to_have_text("520")
    page.get_by_label("wan22").check()
    expect(cost).to_have_text("400")
    page.get_by_role("button", name="Generate").click()
    arrived(page, f"{stack.url}/")

    video_card = page.locator("article[data-kind=video_i2v]")
    expect(video_card).to_have_attribute("data-status", PENDING)
    expect(video_card).to_contain_text(MOTION)
    page.evaluate("window.__not_reloaded = true")
    stack.start_worker()
    expect(video_card).to_have_attribute("data-status", "succeeded", timeout=60_000)
    assert page.evaluate("window.__not_reloaded") is True, "the gallery reloaded"
    video_id = video_card.get_attribute("data-generation-id")

    video = video_card.locator("video")
    poster = video.get_attribute("poster")
    assert poster, "the video has no poster"
    assert page.evaluate("""async url => {
        const response = await fetch(url);
        return response.ok && response.headers.get("content-type").startsWith("image/");
    }""", poster), f"the poster {poster} does not load"
    video.scroll_into_view_if_needed()
    handle = video.element_handle()
    played = handle.evaluate(
        "v => { v.muted = true; return v.play().then(() => 'ok', e => String(e)); }")
    assert played == "ok", f"video.play() refused: {played}"
    page.wait_for_function("v => v.currentTime > 0.3 || v.error !== null", arg=handle,
                           timeout=30_000)
    state = handle.evaluate("""v => ({error: v.error && v.error.message, time: v.currentTime,
                                      width: v.videoWidth, height: v.videoHeight})""")
    assert state["error"] is None, f"the video failed to play: {state}"
    assert state["time"] > 0.3
    assert (state["width"], state["height"]) == (1280, 720), state
    page.screenshot(path=SCREENSHOT, full_page=True)

    source_link = video_card.get_by_role("link", name=f"From #{image_id}")
    expect(source_link).to_have_attribute("href", f"/generations/{image_id}/")
    source_link.click()
    arrived(page, f"{stack.url}/generations/{image_id}/")
    expect(page.locator("dl.facts").first).to_contain_text("Made from this")
    expect(page.get_by_role("link", name=re.compile(rf"#{video_id}$"))).to_have_attribute(
        "href", f"/generations/{video_id}/")

    assert problems == [], f"{problems}\n{stack.logs()}"
