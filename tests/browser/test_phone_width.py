"""Every page and state of the list (pages.py) on a 390 px wide screen: nothing
scrolls sideways, and a gallery shows its first card on the first screen."""

import pytest
from playwright.sync_api import Page

from tests.browser.pages import PAGES, PageSpec
from tests.browser.world import PHONE, Contexts, World

pytestmark = [pytest.mark.browser, pytest.mark.pages]

# The elements whose right edge is past the screen and that widen the document: not
# inside a box that clips or scrolls its overflow, nor fixed to the screen. The
# furthest out first, each with a path a page owner can find it by.
OVERFLOWING = """() => {
  const screen = window.innerWidth;
  const contained = (element) => {
    for (let box = element; box && box !== document.documentElement; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.position === "fixed") return true;
      if (box !== element && style.overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (element) => element.tagName.toLowerCase()
    + (element.id ? "#" + element.id : "")
    + [...element.classList].slice(0, 3).map((c) => "." + c).join("");
  const path = (element) => {
    const parts = [];
    for (let e = element; e && e !== document.body && parts.length < 5; e = e.parentElement) {
      parts.unshift(name(e));
    }
    return parts.join(" > ");
  };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if ((box.width === 0 && box.height === 0) || box.right <= screen + 0.5) continue;
    if (contained(element)) continue;
    found.push({path: path(element), right: Math.round(box.right),
                width: Math.round(box.width),
                text: (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60)});
  }
  found.sort((a, b) => b.right - a.right);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: screen,
          widest: found.slice(0, 3), count: found.length};
}"""

FIRST_CARD = """() => {
  const cards = [...document.querySelectorAll("[data-generation-id][data-kind][data-status]")];
  const card = cards.find((c) => c.getBoundingClientRect().height > 0);
  return card ? {top: Math.round(card.getBoundingClientRect().top),
                 id: card.dataset.generationId, screen: window.innerHeight} : null;
}"""


def phone_page(spec: PageSpec, contexts: Contexts, world: World) -> Page:
    page = contexts.page(spec.role, theme="light", width=PHONE["width"])
    spec.visit(page, world)
    return page


@pytest.mark.parametrize("spec", PAGES, ids=[spec.name for spec in PAGES])
def test_page_does_not_scroll_sideways_on_a_phone(spec: PageSpec, contexts: Contexts,
                                                  studio_world: World) -> None:
    page = phone_page(spec, contexts, studio_world)
    try:
        found = page.evaluate(OVERFLOWING)
    finally:
        page.close()
    widest = "\n".join(f"    {e['path']}: right edge at {e['right']} px, {e['width']} px "
                       f"wide ({e['text']!r})" for e in found["widest"])
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{spec.name} ({spec.path} as {spec.role}) is {found['scrollWidth']} px wide on a "
        f"{found['innerWidth']} px screen; {found['count']} element(s) stick out, "
        f"the furthest:\n{widest or '    (none found: a pseudo-element or a margin?)'}")


@pytest.mark.parametrize("spec", [spec for spec in PAGES if spec.gallery],
                         ids=[spec.name for spec in PAGES if spec.gallery])
def test_gallery_shows_its_first_card_on_the_first_phone_screen(
        spec: PageSpec, contexts: Contexts, studio_world: World) -> None:
    page = phone_page(spec, contexts, studio_world)
    try:
        card = page.evaluate(FIRST_CARD)
    finally:
        page.close()
    assert card is not None, f"{spec.name}: no card with data-generation-id is shown"
    assert card["top"] < card["screen"], (
        f"{spec.name}: the first card (#{card['id']}) starts {card['top']} px down, below "
        f"the first screen ({card['screen']} px high) of a {PHONE['width']} px phone")
