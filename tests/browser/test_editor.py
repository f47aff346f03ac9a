"""The join and mix editors in Chromium: clips chosen, reordered by drag, trimmed and
crossfaded on a timeline, previewed in the page, then made; a voice-over placed on
the mix's timeline and previewed at its offset."""

import io
import re

import av
import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import JOIN_EDITOR
from tests.browser.ready import arrived
from tests.browser.test_speech_and_image import log_in
from tests.browser.world import Contexts, World
from tests.stack import Stack, csrf_post, running_stack

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/studio-editor-{}.png"
CLIPS = {"a red lighthouse": 2, "a green forest": 3, "a blue harbour": 4}  # seconds


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest):
    """Room for this module's clips in one minute (the documented limit is one)."""
    yield from running_stack(request, start_worker=False,
                             env={"STUDIO_RATE_LIMITS": "video_t2v=10/60,tts=10/60"})


def made(stack: Stack, slug: str, fields: dict) -> None:
    client = stack.login_client()
    try:
        response = csrf_post(client, f"/generate/{slug}/", fields)
        assert response.status_code == 302, response.text[:1000]
    finally:
        client.close()


def order_of(page: Page) -> list[str]:
    return page.locator("[data-join-list] > [data-clip]").evaluate_all(
        "rows => rows.map(row => row.dataset.generationId)")


def drag(page: Page, source, target) -> None:
    """Press on `source`, move across to `target`'s middle, release (pointer events)."""
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def seconds_of_stored_file(stack: Stack, generation_id: str) -> float:
    client = stack.login_client()
    try:
        body = client.get(f"/generations/{generation_id}/media").content
    finally:
        client.close()
    with av.open(io.BytesIO(body)) as container:
        stream = container.streams.video[0]
        return float(stream.duration * stream.time_base)


def test_clips_joined_on_the_timeline_are_previewed_then_made_as_trimmed(
        stack: Stack, page: Page) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    stack.start_worker()
    for prompt, seconds in CLIPS.items():
        made(stack, "t2v", {"prompt": prompt, "duration": seconds})
    log_in(page, stack)
    expect(page.locator("#gallery-grid > [data-status=succeeded]")).to_have_count(
        3, timeout=90_000)

    page.goto(f"{stack.url}/generate/sequence/")
    expect(page.get_by_role("heading", name="Join clips into one video")).to_be_visible()
    for prompt in CLIPS:  # the picker, newest first: harbour, forest, lighthouse
        page.get_by_label(re.compile(prompt)).check()
    page.get_by_role("button", name="Add the ticked clips").click()
    arrived(page, re.compile(r"/generate/sequence/"))
    blocks = page.locator("[data-timeline] .timeline-block")
    expect(blocks).to_have_count(3)
    harbour, forest, lighthouse = order_of(page)

    drag(page, blocks.nth(2), blocks.nth(0))  # the lighthouse first
    expect(page.locator("[data-join-list] > [data-clip]").first).to_have_attribute(
        "data-generation-id", lighthouse)
    assert order_of(page) == [lighthouse, harbour, forest]

    harbour_row = page.locator(f"[data-clip][data-generation-id='{harbour}']")
    edge, width = blocks.nth(1).locator("[data-trim=out]").bounding_box(), (
        blocks.nth(1).bounding_box()["width"])
    page.mouse.move(edge["x"] + edge["width"] / 2, edge["y"] + edge["height"] / 2)
    page.mouse.down()  # its end dragged a third of the way back: trimmed by hand
    page.mouse.move(edge["x"] - width / 3, edge["y"] + edge["height"] / 2, steps=6)
    page.mouse.up()
    trimmed = float(harbour_row.get_by_label("Out (s)", exact=True).input_value())
    assert 0.5 < trimmed < 4, "dragging the block's end did not trim it"
    harbour_row.get_by_label("In (s)", exact=True).fill("0.5")
    harbour_row.get_by_label("Out (s)", exact=True).fill("3")
    forest_row = page.locator(f"[data-clip][data-generation-id='{forest}']")
    forest_row.get_by_label("Crossfade in (s)").fill("1")
    expected = 2 + 2.5 + 3 - 1
    expect(page.locator("[data-join-total]")).to_have_text(f"{expected:.1f} s")
    expect(blocks.nth(2)).to_contain_text("Crossfade 1 s")
    expect(blocks.nth(1)).to_contain_text("Cut")

    page.get_by_role("button", name="Preview").click()
    page.wait_for_function("""() => {
      const form = document.querySelector("[data-join-form]");
      const playing = [...form.querySelectorAll("[data-preview-player]")]
        .some(video => !video.paused && video.currentTime > 0.3);
      const head = parseFloat(form.querySelector("[data-playhead]").style.left);
      return form.dataset.previewState === "playing" && playing && head > 3;
    }""", timeout=20_000)
    page.wait_for_function(  # on into the second clip, which starts 0.5 s in
        "() => Number(document.querySelector('[data-join-form]').dataset.previewAt) > 2.3",
        timeout=20_000)
    page.screenshot(path=SCREENSHOT.format("join"))
    page.get_by_role("button", name="Stop").click()

    page.get_by_role("button", name="Join 3 clips").click()
    arrived(page, f"{stack.url}/")
    card = page.locator("#gallery-grid > [data-kind=sequence]")
    expect(card).to_have_attribute("data-status", "succeeded", timeout=90_000)
    seconds = seconds_of_stored_file(stack, card.get_attribute("data-generation-id"))
    assert seconds == pytest.approx(expected, abs=0.15)
    assert problems == [], f"{problems}\n{stack.logs()}"


def test_the_mix_editor_places_the_voice_by_drag_and_previews_it_at_its_offset(
        stack: Stack, page: Page) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    stack.start_worker()
    made(stack, "t2v", {"prompt": "a quiet pier", "duration": 5})
    made(stack, "tts", {"text": "The pier waits. The boats come home at dusk, one by one.",
                        "voice": "Wise_Woman"})  # seconds of voice: room to look
    log_in(page, stack)
    video_card = page.locator("#gallery-grid > [data-kind=video_t2v]").first
    expect(page.locator("#gallery-grid > [data-kind=tts][data-status=succeeded]")).to_have_count(
        1, timeout=90_000)
    expect(video_card).to_have_attribute("data-status", "succeeded", timeout=90_000)
    video_card.get_by_role("link", name="Mix", exact=True).click()
    arrived(page, re.compile(r"/generate/mix/"))
    page.get_by_label("Speech").select_option(index=1)
    voice = page.locator("[data-mix-voice-block]")
    expect(voice).to_be_visible()

    voice.scroll_into_view_if_needed()
    box = page.locator("[data-mix-voice-track]").bounding_box()
    start = voice.bounding_box()
    page.mouse.move(start["x"] + 5, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 5 + box["width"] * 0.2, start["y"] + start["height"] / 2,
                    steps=6)
    page.mouse.up()
    offset = float(page.get_by_label("Voice starts after (seconds)").input_value())
    assert offset > 0.5, "dragging the voice did not move its offset"
    page.get_by_label("Voice starts after (seconds)").fill("1.5")
    page.get_by_label("When the lengths differ").select_option("hold")
    page.get_by_label(re.compile("Voice volume")).fill("0.5")
    expect(page.locator("[data-mix-volume-shown]")).to_have_text("0.50")

    page.get_by_role("button", name="Preview").click()
    before = page.evaluate("""() => {
      const video = document.querySelector("[data-mix-player]");
      const voice = document.querySelector("[data-mix-voice]");
      return new Promise(done => {
        const look = () => video.currentTime > 0.5
          ? done({video: video.currentTime, voicePaused: voice.paused,
                  voiceAt: voice.currentTime})
          : requestAnimationFrame(look);
        look();
      });
    }""")
    assert before["video"] < 1.5 and before["voicePaused"] and before["voiceAt"] == 0
    page.wait_for_function("""() => {
      const video = document.querySelector("[data-mix-player]");
      const voice = document.querySelector("[data-mix-voice]");
      const head = parseFloat(document.querySelector("[data-mix-form] [data-playhead]").style.left);
      return !voice.paused && voice.currentTime > 0.3 && voice.volume === 0.5
        && Math.abs(video.currentTime - 1.5 - voice.currentTime) < 0.35 && head > 20;
    }""", timeout=20_000)
    page.screenshot(path=SCREENSHOT.format("mix"))
    page.get_by_role("button", name="Stop").click()

    page.get_by_role("button", name="Make the mix").click()
    arrived(page, f"{stack.url}/")
    mix_card = page.locator("#gallery-grid > [data-kind=mix]")
    expect(mix_card).to_have_attribute("data-status", "succeeded", timeout=60_000)
    assert problems == [], f"{problems}\n{stack.logs()}"


def test_without_javascript_the_join_editor_still_reorders_and_keeps_what_was_typed(
        contexts: Contexts, studio_world: World) -> None:
    context = contexts.new_context("member", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(studio_world.address(JOIN_EDITOR))
        first, second, third = order_of(page)
        rows = page.locator("[data-join-list] > [data-clip]")
        rows.nth(1).get_by_label("Out (s)", exact=True).fill("1.5")
        rows.first.get_by_role("button", name=re.compile("^Later")).click()
        expect(rows.first).to_have_attribute("data-generation-id", second)
        assert order_of(page) == [second, first, third]
        expect(rows.first.get_by_label("In (s)", exact=True)).to_have_value("0.5")
        expect(rows.first.get_by_label("Out (s)", exact=True)).to_have_value("1.5")
        expect(rows.nth(2).get_by_label("Crossfade in (s)")).to_have_value("0.5")
    finally:
        context.close()


def test_a_preview_whose_clip_cannot_be_played_stops_and_says_so(
        contexts: Contexts, studio_world: World) -> None:
    page = contexts.page("member")
    try:
        page.route(re.compile(r"/generations/\d+/media$"), lambda route: route.abort())
        page.goto(studio_world.address(JOIN_EDITOR))
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("[data-preview-clock]")).to_have_text(
            "This could not be played here; it can still be made.")
        expect(page.locator("[data-join-form]")).to_have_attribute(
            "data-preview-state", "stopped")
    finally:
        page.close()
