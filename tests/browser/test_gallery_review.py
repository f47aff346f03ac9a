"""A member finds, reviews and reuses work in the gallery, in Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ready import arrived
from tests.browser.test_speech_and_image import generate, log_in
from tests.stack import Stack

pytestmark = pytest.mark.browser


def make_image(page: Page, stack: Stack, prompt: str) -> None:
    generate(page, stack, "image", {"Prompt": prompt, "Width": "512", "Height": "512"})
    card = page.locator("article[data-kind=image]").filter(has_text=prompt)
    expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)


def test_filter_star_compare_viewer_and_remix(stack: Stack, page: Page) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    stack.start_worker()
    log_in(page, stack)
    make_image(page, stack, "an orange lighthouse")
    make_image(page, stack, "a violet forest")
    page.evaluate("window.__not_reloaded = true")

    forest = page.locator("article").filter(has_text="a violet forest")
    forest.locator("button.star").click()
    expect(forest.locator("button.star")).to_have_attribute("aria-pressed", "true")

    page.locator("summary", has_text="Filters").click()
    starred = page.get_by_role("checkbox", name="Starred by me")
    starred.check()
    arrived(page, re.compile(r"starred=on"))
    expect(page.locator("article[data-generation-id]")).to_have_count(1)
    expect(page.locator("article[data-generation-id]")).to_contain_text("a violet forest")
    page.get_by_role("link", name="Remove the filter Starred by me").click()
    expect(page.locator("article[data-generation-id]")).to_have_count(2)
    expect(starred).not_to_be_checked()
    expect(page).not_to_have_url(re.compile(r"starred=on"))
    page.get_by_label("Search").fill("lighthouse")
    arrived(page, re.compile(r"q=lighthouse"))
    expect(page.locator("article[data-generation-id]")).to_have_count(1)
    assert page.evaluate("window.__not_reloaded") is True, "filtering reloaded the page"
    page.go_back()
    expect(page.get_by_label("Search")).to_have_value("")

    page.goto(f"{stack.url}/")
    lighthouse = page.locator("article").filter(has_text="an orange lighthouse")
    lighthouse.locator("img").click()
    expect(page.locator("#viewer")).to_be_visible()
    expect(page.locator("#viewer .viewer-text")).to_have_text("an orange lighthouse")
    page.keyboard.press("Escape")

    for card in page.locator("article[data-kind=image]").all():
        card.locator("input[name=ids]").check()
    page.locator("[data-selection-compare]").click()
    arrived(page, re.compile(r"/compare/\?"))
    expect(page.locator("img")).to_have_count(2)

    page.goto(f"{stack.url}/")
    lighthouse.get_by_role("link", name="Remix").click()
    arrived(page, re.compile(r"/generate/image/\?"))
    expect(page.get_by_label("Prompt")).to_have_value("an orange lighthouse")
    expect(page.get_by_label("Width")).to_have_value("512")
    assert problems == [], problems
