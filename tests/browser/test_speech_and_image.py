"""A person makes speech and an image in Chromium and watches them finish in place."""

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.ready import arrived, log_in_as
from tests.stack import Stack

pytestmark = pytest.mark.browser

PENDING = re.compile(r"^(queued|running)$")
SCREENSHOT = "/tmp/studio-gallery.png"


def log_in(page: Page, stack: Stack) -> None:
    log_in_as(page, stack, stack.username, stack.password)


def generate(page: Page, stack: Stack, slug: str, fields: dict[str, str]) -> None:
    page.goto(f"{stack.url}/generate/{slug}/")
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Generate").click()
    arrived(page, f"{stack.url}/")


def test_speech_and_image_finish_in_the_gallery_without_a_reload(stack: Stack,
                                                                 page: Page) -> None:
    problems: list[str] = []

    def record_console_error(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text} at {message.location['url']}")

    page.on("console", record_console_error)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))

    log_in(page, stack)
    generate(page, stack, "tts", {"Text": "A line spoken in the browser test."})
    speech = page.locator("article[data-kind=tts]")
    expect(speech).to_have_attribute("data-status", PENDING)
    generate(page, stack, "image", {"Prompt": "a red kite over green hills",
                                    "Width": "640", "Height": "512"})
    image = page.locator("article[data-kind=image]")
    expect(image).to_have_attribute("data-status", PENDING)
    expect(speech).to_have_attribute("data-status", PENDING)

    page.evaluate("window.__not_reloaded = true")
    stack.start_worker()
    expect(speech).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(image).to_have_attribute("data-status", "succeeded", timeout=30_000)
    assert page.evaluate("window.__not_reloaded") is True, "the gallery reloaded"
    expect(page.locator("#balance")).to_have_text(re.compile(r"^\d{1,3}(,\d{3})* credits$"))

    audio = speech.locator("audio").element_handle()
    page.wait_for_function("audio => audio.readyState >= 1 || audio.error", arg=audio)
    assert audio.evaluate("audio => audio.duration > 0 && audio.error === null")
    picture = image.locator("img")
    picture.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=picture.element_handle())
    assert "/thumbnail" in picture.evaluate("img => img.currentSrc")  # the light one
    picture.click()  # the viewer shows it full size
    full_size = page.locator("#viewer img.media-image")
    expect(page.locator("#viewer")).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=full_size.element_handle())
    assert full_size.evaluate("img => img.naturalWidth") == 640
    page.keyboard.press("Escape")
    expect(page.locator("#viewer")).to_be_hidden()

    page.screenshot(path=SCREENSHOT, full_page=True)
    assert problems == [], f"{problems}\n{stack.logs()}"
