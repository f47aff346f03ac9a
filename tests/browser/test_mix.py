"""A mix in Chromium: made from the gallery's video and speech, then played on its
page with its subtitles showing."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ready import arrived
from tests.browser.test_speech_and_image import log_in
from tests.stack import Stack, csrf_post

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/studio-mix.png"
WORDS = "The harbour wakes. Boats drift out."


def made(stack: Stack, slug: str, fields: dict) -> None:
    client = stack.login_client()
    try:
        response = csrf_post(client, f"/generate/{slug}/", fields)
        assert response.status_code == 302, response.text[:1000]
    finally:
        client.close()


def test_a_mix_plays_with_its_subtitles_showing(stack: Stack, page: Page) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    stack.start_worker()
    made(stack, "t2v", {"prompt": "a harbour at dawn", "duration": 5})
    made(stack, "tts", {"text": WORDS, "voice": "Wise_Woman"})
    log_in(page, stack)
    cards = page.locator("#gallery-grid > [data-status=succeeded]")
    expect(cards).to_have_count(2, timeout=60_000)

    video_card = page.locator("#gallery-grid > [data-kind=video_t2v]")
    video_card.get_by_role("link", name="Mix", exact=True).click()
    arrived(page, re.compile(r"/generate/mix/"))  # its script warns as the fields change
    expect(page.get_by_role("heading", name="Mix a voice-over into a video")).to_be_visible()
    page.get_by_label("Speech").select_option(index=1)
    page.get_by_label("Voice starts after (seconds)").fill("0.5")
    expect(page.locator("[data-mix-warning]")).to_be_visible()  # 5 s of video, ~2 of voice
    expect(page.locator("[data-mix-warning]")).to_contain_text("The video runs")
    page.get_by_label("When the lengths differ").select_option("pad")
    page.get_by_role("button", name="Make the mix").click()

    mix_card = page.locator("#gallery-grid > [data-kind=mix]")
    expect(mix_card).to_have_attribute("data-status", "succeeded", timeout=60_000)
    mix_id = mix_card.get_attribute("data-generation-id")
    page.goto(f"{stack.url}/generations/{mix_id}/")
    player = page.locator("video.media-video")
    expect(player.locator("track")).to_have_attribute("label", re.compile("approximate"))
    player.evaluate("(video) => { video.muted = true; return video.play(); }")
    page.wait_for_function("""() => {
      const video = document.querySelector("video.media-video");
      const track = video.textTracks[0];
      return video.currentTime > 0.7 && track && track.mode === "showing"
        && track.activeCues && track.activeCues.length > 0;
    }""", timeout=20_000)
    cue = player.evaluate("(video) => video.textTracks[0].activeCues[0].text")
    assert cue in WORDS
    page.screenshot(path=SCREENSHOT)
    assert problems == [], f"{problems}\n{stack.logs()}"
