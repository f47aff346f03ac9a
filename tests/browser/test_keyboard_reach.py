"""By keyboard alone, from the top of the gallery: the prompt within 6 Tabs and the
first card's own link within 10, whatever the person's role (the top bar differs)."""

import pytest
from playwright.sync_api import expect

from tests.browser.world import Contexts, World

pytestmark = pytest.mark.browser

PROMPT_TABS, FIRST_CARD_TABS = 6, 10

# Where focus is: "prompt", "first-card-link", "first-card" (inside the first card),
# or a short name of the element, for the message when a count is over.
FOCUSED = """() => {
  const element = document.activeElement;
  const first = document.querySelector("#gallery-grid > [data-generation-id]");
  if (element.matches("[data-shortcut-new]")) return "prompt";
  if (first && element.matches(".card-open") && first.contains(element)) return "first-card-link";
  if (first && first.contains(element)) return "first-card";
  return element.tagName.toLowerCase() + " " + (element.getAttribute("aria-label")
    || element.textContent.trim().replace(/\\s+/g, " ").slice(0, 30));
}"""


def tabs_until(page, wanted: str, most: int = 25) -> tuple[int | None, list[str]]:
    seen = []
    for count in range(1, most + 1):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
        if seen[-1] == wanted:
            return count, seen
    return None, seen


def fresh(page, world: World, path: str) -> None:
    page.goto(world.address(path))
    page.locator("html[data-ready]").wait_for(state="attached")


@pytest.mark.parametrize("role", ["owner", "admin", "member", "viewer"])
def test_the_prompt_and_the_first_card_are_a_few_tabs_away(contexts: Contexts,
                                                           studio_world: World, role: str):
    """The gallery as it opens: its newest cards are still being made."""
    page = contexts.page(role, theme="light")
    if role != "viewer":  # a viewer has no composer
        fresh(page, studio_world, "/")
        count, seen = tabs_until(page, "prompt")
        assert count is not None and count <= PROMPT_TABS, f"{role}: {seen}"
    fresh(page, studio_world, "/")
    count, seen = tabs_until(page, "first-card")
    assert count is not None and count <= FIRST_CARD_TABS, f"{role}: {seen}"
    page.close()


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_a_finished_cards_own_link_comes_first_and_opens_the_viewer(
        contexts: Contexts, studio_world: World, role: str):
    """Finished work only, the filter shown as a chip: still within 10 Tabs, and the
    first stop in the card is the card itself, not its star."""
    page = contexts.page(role, theme="light")
    fresh(page, studio_world, "/?status=succeeded")
    count, seen = tabs_until(page, "first-card-link")
    assert count is not None and count <= FIRST_CARD_TABS, f"{role}: {seen}"
    assert "first-card" not in seen, f"{role}: focus was in the card before its link: {seen}"
    page.keyboard.press("Enter")
    page.locator("dialog#viewer[open]").wait_for()
    page.close()


def test_the_top_bar_is_one_stop_walked_with_the_arrow_keys(contexts: Contexts,
                                                            studio_world: World):
    page = contexts.page("admin", theme="light")
    fresh(page, studio_world, "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_accessible_name("Gallery")
    page.keyboard.press("ArrowRight")
    expect(focused).to_have_accessible_name("Boards")
    page.keyboard.press("End")
    expect(focused).to_have_accessible_name("Account of adam")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")  # round to the last
    expect(focused).to_have_accessible_name("Account of adam")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # back into the bar: where the person left it
    expect(focused).to_have_accessible_name("Account of adam")
    page.close()
