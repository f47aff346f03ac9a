"""On a 390 x 844 phone the gallery starts on the first screen: the composer is one
line (the words and Generate) until it is used, and unfolds when it is."""

import pytest
from playwright.sync_api import expect

from tests.browser.world import PHONE, Contexts, World

pytestmark = pytest.mark.browser

FIRST_CARD_TOP = """() => document.querySelector('#gallery-grid > [data-generation-id]')
  .getBoundingClientRect().top"""


@pytest.mark.parametrize("role", ["member", "owner"])
def test_the_first_card_starts_in_the_upper_half_of_a_phone(contexts: Contexts,
                                                           studio_world: World, role: str):
    page = contexts.page(role, theme="light", width=PHONE["width"])
    page.goto(studio_world.address("/"))
    composer = page.locator("#composer")
    assert composer.bounding_box()["height"] < 90, "the composer is not folded to one line"
    expect(composer.get_by_role("button", name="Generate")).to_be_visible()
    assert page.evaluate(FIRST_CARD_TOP) < PHONE["height"] / 2
    page.close()


def test_the_folded_composer_unfolds_when_used_and_keeps_the_words(contexts: Contexts,
                                                                   studio_world: World):
    page = contexts.page("member", theme="light", width=PHONE["width"])
    page.goto(studio_world.address("/"))
    composer = page.locator("#composer")
    tabs = composer.get_by_role("tablist")
    expect(tabs).to_be_hidden()
    words = composer.locator("[data-shortcut-new]")
    words.click()
    expect(tabs).to_be_visible()
    expect(composer.get_by_text("Settings")).to_be_visible()
    words.fill("Good morning, and welcome aboard.")
    page.get_by_role("searchbox", name="Search").focus()
    expect(tabs).to_be_hidden()
    expect(words).to_have_value("Good morning, and welcome aboard.")
    page.close()


def test_a_wide_screen_never_folds_the_composer(contexts: Contexts, studio_world: World):
    page = contexts.page("member", theme="light")
    page.goto(studio_world.address("/"))
    expect(page.locator("#composer").get_by_role("tablist")).to_be_visible()
    page.close()
