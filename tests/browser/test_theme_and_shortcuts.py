"""The theme follows the system until a person picks one with the switch, which the
next page remembers; the keyboard: the shortcuts sheet, `/` and `n`, the skip link,
and how few key presses reach the prompt and the first card."""

import contextlib
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.world import Contexts, World

pytestmark = [pytest.mark.browser, pytest.mark.pages]

PROMPT = "[data-shortcut-new]"
SEARCH = "[data-shortcut-search]"
FIRST_CARD = """() => [...document.querySelectorAll("[data-generation-id][data-kind][data-status]")]
  .find((card) => card.getBoundingClientRect().height > 0) || null"""
MOST_PRESSES_TO_PROMPT = 6
MOST_PRESSES_TO_FIRST_CARD = 12


@pytest.fixture
def fresh_page(contexts: Contexts) -> Iterator[Page]:
    """The member in a context of its own, with no theme cookie: the test may change it."""
    context = contexts.new_context("member")
    yield context.new_page()
    context.close()


LIGHTNESS = """() => {
  const pick = () => {
    for (const element of [document.body, document.documentElement]) {
      const colour = getComputedStyle(element).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== "transparent") return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const [red, green, blue] = pick().match(/[\\d.]+/g).slice(0, 3).map((part) => part / 255);
  const linear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue);
}"""


def background_lightness(page: Page, settles: str) -> float:
    """0 (black) to 1 (white): the relative luminance of the page's background once it
    settles ("light" above 0.6, "dark" below 0.2) or after 3 s; a change of theme runs
    a short transition and a repaint, which a loaded machine may take a while to show."""
    wanted = "> 0.6" if settles == "light" else "< 0.2"
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => ({LIGHTNESS})() {wanted}", timeout=3000)
    return page.evaluate(LIGHTNESS)


def served_theme(html: str) -> str:
    """The data-theme the server rendered on <html>, "" for none."""
    tag = re.search(r"<html[^>]*>", html)
    found = re.search(r'data-theme="(\w*)"', tag.group(0)) if tag else None
    return found.group(1) if found else ""


def stop_typing(page: Page) -> None:
    """Shortcuts are ignored while typing: take focus out of a field the page may
    have focused on load."""
    page.evaluate("document.activeElement && document.activeElement.blur()")


def test_theme_follows_the_system_preference(fresh_page: Page, studio_world: World) -> None:
    fresh_page.emulate_media(color_scheme="dark")
    fresh_page.goto(studio_world.address("/"))
    assert fresh_page.evaluate("document.documentElement.dataset.theme || ''") == ""
    assert background_lightness(fresh_page, "dark") < 0.2, "dark system, but the page is not dark"
    fresh_page.emulate_media(color_scheme="light")
    lightness = background_lightness(fresh_page, "light")
    assert lightness > 0.6, "light system, but the page is not light"


def test_theme_switch_cycles_system_light_dark_and_the_next_page_remembers(
        fresh_page: Page, studio_world: World) -> None:
    page = fresh_page
    page.emulate_media(color_scheme="dark")
    page.goto(studio_world.address("/"))
    switch = page.locator("[data-theme-switch]")
    html = page.locator("html")
    expect(switch).to_have_accessible_name(re.compile("system", re.I))

    switch.click()
    expect(html).to_have_attribute("data-theme", "light")
    expect(switch).to_have_accessible_name(re.compile("light", re.I))
    assert background_lightness(page, "light") > 0.6
    response = page.goto(studio_world.address("/credits/"))
    assert served_theme(response.text()) == "light"

    page.locator("[data-theme-switch]").click()
    expect(html).to_have_attribute("data-theme", "dark")
    assert background_lightness(page, "dark") < 0.2
    response = page.goto(studio_world.address("/"))
    assert served_theme(response.text()) == "dark"
    expect(page.locator("[data-theme-switch]")).to_have_accessible_name(
        re.compile("dark", re.I))

    page.emulate_media(color_scheme="light")
    page.locator("[data-theme-switch]").click()
    expect(html).not_to_have_attribute("data-theme", re.compile(".+"))
    assert background_lightness(page, "light") > 0.6, "back to the system's theme: light"
    response = page.goto(studio_world.address("/credits/"))
    assert served_theme(response.text()) == ""
    assert not [c for c in page.context.cookies() if c["name"] == "theme" and c["value"]]


def test_question_mark_opens_the_shortcuts_sheet_and_escape_closes_it(
        contexts: Contexts, studio_world: World) -> None:
    page = contexts.page("member")
    try:
        page.goto(studio_world.address("/"))
        stop_typing(page)
        sheet = page.locator("#shortcuts")
        page.keyboard.press("?")
        expect(sheet).to_be_visible()
        assert page.evaluate("document.getElementById('shortcuts')"
                             ".contains(document.activeElement)"), "focus stayed behind the sheet"
        page.keyboard.press("Escape")
        expect(sheet).to_be_hidden()
    finally:
        page.close()


def test_slash_focuses_the_gallery_search(contexts: Contexts, studio_world: World) -> None:
    page = contexts.page("member")
    try:
        page.goto(studio_world.address("/"))
        assert page.locator(SEARCH).count(), f"the gallery has no search marked {SEARCH}"
        stop_typing(page)
        page.keyboard.press("/")
        focused = page.evaluate(f"""() => {{
          const field = document.activeElement;
          return {{hook: field.matches('{SEARCH}'), tag: field.tagName.toLowerCase(),
                   searching: field.type === "search" || !!field.closest("[role=search]")}};
        }}""")
    finally:
        page.close()
    assert focused["hook"], f"`/` left the focus on a <{focused['tag']}>, not the search"
    assert focused["searching"], "the field `/` focuses is not a search field"


def test_n_focuses_the_composer_prompt(contexts: Contexts, studio_world: World) -> None:
    """Fails until the composer (another part of issue 12) marks its prompt with
    data-shortcut-new: then `n` writes a new prompt without leaving the gallery."""
    page = contexts.page("member")
    try:
        page.goto(studio_world.address("/"))
        assert page.locator(PROMPT).count(), (
            f"the gallery has no composer prompt marked {PROMPT} yet, so `n` cannot "
            "focus it (the composer is built by another part of issue 12)")
        stop_typing(page)
        page.keyboard.press("n")
        assert page.evaluate(f"document.activeElement.matches('{PROMPT}')"), \
            "`n` did not focus the composer prompt"
        assert page.url.endswith("/"), "`n` left the gallery"
    finally:
        page.close()


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
        contexts: Contexts, studio_world: World) -> None:
    page = contexts.page("member")
    try:
        page.goto(studio_world.address("/"))
        page.keyboard.press("Tab")
        first = page.evaluate("""() => { const e = document.activeElement;
          const box = e.getBoundingClientRect();
          return {href: e.getAttribute("href"), text: e.textContent.trim(),
                  shown: box.width > 1 && box.height > 1 && box.top >= 0}; }""")
        assert first["href"] == "#main", f"the first Tab stop is {first}, not the skip link"
        assert first["shown"], "the skip link is not visible when focused"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        page.close()


def presses_to_reach(page: Page, url: str, *, via_skip_link: bool) -> dict[str, int | None]:
    """Key presses from a fresh load until the prompt, and then an element of the
    first card, has the focus (None: not within 60 presses)."""
    page.goto(url)
    presses = 0
    if via_skip_link:
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        presses = 2
    reached: dict[str, int | None] = {"prompt": None, "first card": None}
    if page.evaluate(f"document.activeElement.matches('{PROMPT}')"):
        reached["prompt"] = presses  # focused on load
    for _ in range(60):
        page.keyboard.press("Tab")
        presses += 1
        where = page.evaluate(f"""() => {{ const card = ({FIRST_CARD})();
          return {{prompt: document.activeElement.matches('{PROMPT}'),
                   card: !!card && card.contains(document.activeElement)}}; }}""")
        if where["prompt"] and reached["prompt"] is None:
            reached["prompt"] = presses
        if where["card"] and reached["first card"] is None:
            reached["first card"] = presses
            break
    return reached


def test_few_key_presses_reach_the_prompt_and_the_first_card(
        contexts: Contexts, studio_world: World) -> None:
    """Counted the shorter of two ways from the top of the gallery: Tab after Tab,
    or the skip link (Tab, Enter) and then Tab."""
    page = contexts.page("member")
    try:
        url = studio_world.address("/")
        plain = presses_to_reach(page, url, via_skip_link=False)
        skipping = presses_to_reach(page, url, via_skip_link=True)
    finally:
        page.close()
    counts = f"Tab only: {plain}; by the skip link: {skipping}"

    def fewest(target: str) -> int | None:
        found = [n for n in (plain[target], skipping[target]) if n is not None]
        return min(found) if found else None

    prompt, card = fewest("prompt"), fewest("first card")
    assert prompt is not None and prompt <= MOST_PRESSES_TO_PROMPT, (
        f"the prompt takes more than {MOST_PRESSES_TO_PROMPT} presses ({counts})")
    assert card is not None and card <= MOST_PRESSES_TO_FIRST_CARD, (
        f"the first card's first action takes more than {MOST_PRESSES_TO_FIRST_CARD} "
        f"presses ({counts})")
