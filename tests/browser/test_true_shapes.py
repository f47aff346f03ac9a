"""The gallery draws every item in its own shape: justified rows whose tiles keep the
media's aspect (nothing cropped, nothing moving as media loads), in the row size each
member chose. In the studio world, at 1440 and 390 px."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.world import PHONE, Contexts, World

pytestmark = pytest.mark.browser

FIRST = 12  # cards measured: the first rows, scrolled through so their media loads

# Each of the first finished cards: its tile's shape against its media's own
# (an image's natural size once loaded; a video's stored frame size), and whether
# the tile's height matches the other tiles of its row.
SHAPES = """(first) => {
  const grid = document.querySelector("#gallery-grid");
  const cards = [...grid.querySelectorAll(":scope > .card.status-succeeded")].slice(0, first);
  return cards.map((card) => {
    const tile = card.querySelector(".card-tile").getBoundingClientRect();
    const media = card.querySelector(".card-open > img:not(.card-waveform), .card-open > video");
    let natural = null;
    if (media && media.tagName === "IMG") natural = media.naturalWidth / media.naturalHeight;
    if (media && media.tagName === "VIDEO") natural = media.width / media.height;
    return {id: card.dataset.generationId, kind: card.dataset.kind, natural,
            drawn: tile.width / tile.height, top: Math.round(tile.top),
            height: tile.height,
            right: tile.right + (card.classList.contains("card-stack") ? 10 : 0)};
  });
}"""

# Where each of the first cards' tiles is on the page (not the screen).
PLACES = """(first) => [...document.querySelectorAll('#gallery-grid > .card')].slice(0, first)
  .map((card) => { const box = card.querySelector('.card-tile').getBoundingClientRect();
    return [card.id, Math.round(box.left), Math.round(box.top + window.scrollY),
            Math.round(box.width), Math.round(box.height)]; })"""
MEDIA = "**/generations/*/{media,thumbnail,poster}*"
# The first card's tile height, as an expression (transitions make it change over time).
TILE_HEIGHT = ("document.querySelector('#gallery-grid > .card .card-tile')"
               ".getBoundingClientRect().height")


def images_loaded(page: Page) -> None:
    """The first cards' pictures, each scrolled to (they load lazily) and decoded."""
    cards = page.locator("#gallery-grid > .card.status-succeeded")
    for number in range(FIRST):
        cards.nth(number).scroll_into_view_if_needed()
    page.wait_for_function("""(first) => [...document.querySelectorAll(
        '#gallery-grid > .card.status-succeeded')].slice(0, first)
      .flatMap((card) => [...card.querySelectorAll('img')])
      .every((image) => image.complete && image.naturalWidth > 0)""", arg=FIRST)


def shapes_on(page: Page, world: World) -> list[dict]:
    page.goto(world.address("/?status=succeeded"))
    images_loaded(page)
    page.evaluate("window.scrollTo(0, 0)")
    return page.evaluate(SHAPES, FIRST)


@pytest.mark.parametrize("width", [1440, PHONE["width"]])
def test_tiles_keep_their_medias_aspect_in_justified_rows(contexts: Contexts,
                                                          studio_world: World, width: int):
    page = contexts.page("member", theme="light", width=width)
    found = shapes_on(page, studio_world)
    measured = [card for card in found if card["natural"]]
    assert len(measured) >= 3, f"{found}"
    assert {card["kind"] for card in measured} >= {"image"}
    off = [card for card in measured if abs(card["drawn"] / card["natural"] - 1) > 0.03]
    assert not off, f"tiles not in their media's shape at {width} px: {off}"
    assert len({round(card["natural"], 2) for card in measured}) > 1, "all one shape"
    rows: dict[int, list[dict]] = {}
    for card in found:
        rows.setdefault(card["top"], []).append(card)
    full_rows = list(rows.values())[:-1]
    for row in full_rows:
        assert max(c["height"] for c in row) - min(c["height"] for c in row) < 1.5, row
    grid_right = page.locator("#gallery-grid").bounding_box()
    right_edge = grid_right["x"] + grid_right["width"]
    assert all(abs(max(c["right"] for c in row) - right_edge) < 2 for row in full_rows), (
        "a full row does not reach the grid's right edge")
    page.close()


@pytest.mark.parametrize("width", [1440, PHONE["width"]])
def test_cards_are_placed_before_their_media_arrives(contexts: Contexts, studio_world: World,
                                                     width: int):
    """The same places with every picture, poster and clip withheld as with them all
    loaded: nothing moves as media arrives."""
    page = contexts.page("member", theme="light", width=width)
    page.route(MEDIA, lambda route: route.abort())
    page.goto(studio_world.address("/?status=succeeded"))
    without = page.evaluate(PLACES, FIRST * 2)
    page.unroute(MEDIA)
    shapes_on(page, studio_world)
    assert page.evaluate(PLACES, FIRST * 2) == without
    page.close()


def test_a_members_row_size_is_kept_and_changes_the_rows(contexts: Contexts,
                                                         studio_world: World):
    context = contexts.new_context("member", theme="light")
    page = context.new_page()
    try:
        page.goto(studio_world.address("/?status=succeeded"))
        first = page.locator("#gallery-grid > .card").first
        medium = first.locator(".card-tile").bounding_box()["height"]
        page.get_by_text("Filters").click()
        with page.expect_response("**/gallery/density/"):
            page.get_by_role("radio", name="Large").check()
        expect(page.locator("#gallery-grid")).to_have_class("gallery-grid density-large")
        # A function, not an expression: polling an expression evals it, which the CSP refuses.
        page.wait_for_function(f"() => {TILE_HEIGHT} > {medium * 1.3}")
        with page.expect_response("**/gallery/density/"):
            page.get_by_role("radio", name="Small").check()
        page.reload()
        expect(page.locator("#gallery-grid")).to_have_class("gallery-grid density-small")
        page.get_by_text("Filters").click()
        expect(page.get_by_role("radio", name="Small")).to_be_checked()
        page.wait_for_function(f"() => {TILE_HEIGHT} < {medium * 0.8}")
    finally:  # the world is shared: the member's rows as they were
        if not page.get_by_role("radio", name="Medium").is_visible():
            page.get_by_text("Filters").click()
        with page.expect_response("**/gallery/density/"):
            page.get_by_role("radio", name="Medium").check()
        context.close()
