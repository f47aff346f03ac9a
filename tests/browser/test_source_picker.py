"""The image-to-video form's source picker is a small gallery: tiles in their
pictures' own shapes that never overlap, found by typing, paged past the newest 24,
and chosen by keyboard. In the studio world, at 1440 and 390 px."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.world import PHONE, Contexts, World

pytestmark = pytest.mark.browser

TILES = """(grid) => [...grid.querySelectorAll('.source-tile:not(.source-none)')].map((tile) => {
  const box = tile.getBoundingClientRect();
  const image = tile.querySelector('img');
  return {left: box.left, top: box.top, right: box.right, bottom: box.bottom,
          drawn: box.width / box.height,
          stored: image.width && image.height ? image.width / image.height : null};
})"""


def picker_of(contexts: Contexts, world: World, width: int) -> tuple[Page, object]:
    page = contexts.page("member", theme="light", width=width)
    page.goto(world.address("/generate/i2v/"))
    return page, page.locator("[data-source-grid]")


def overlapping(tiles: list[dict]) -> list[tuple[dict, dict]]:
    return [(a, b) for n, a in enumerate(tiles) for b in tiles[n + 1:]
            if a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1
            and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1]


@pytest.mark.parametrize("width", [1440, 800, PHONE["width"]])
def test_tiles_keep_their_shape_and_never_overlap(contexts: Contexts, studio_world: World,
                                                  width: int):
    page, grid = picker_of(contexts, studio_world, width)
    tiles = grid.evaluate(TILES)
    assert len(tiles) == 24
    assert not overlapping(tiles), f"tiles overlap at {width} px"
    off = [t for t in tiles if t["stored"] and abs(t["drawn"] / t["stored"] - 1) > 0.03]
    assert not off, f"tiles not in their picture's shape at {width} px: {off}"
    expect(grid.locator(".tile-aspect", has_text="3:2").first).to_be_visible()
    none = grid.locator(".source-none")
    expect(none).to_be_visible()
    assert none.bounding_box()["height"] > 40, "the None tile is squashed"
    page.close()


def test_typing_finds_and_older_pictures_are_a_click_away(contexts: Contexts,
                                                          studio_world: World):
    page, grid = picker_of(contexts, studio_world, 1440)
    tiles = grid.locator(".source-tile:not(.source-none)")
    expect(tiles).to_have_count(24)
    grid.get_by_role("button", name="Show older images").click()
    expect(tiles).not_to_have_count(24)
    assert tiles.count() > 24 and not overlapping(grid.evaluate(TILES))
    page.get_by_label("Find in the gallery by its words").fill("lighthouse")
    expect(tiles).to_have_count(1)
    expect(grid).to_contain_text("an orange lighthouse on a basalt cliff")
    page.get_by_label("Find in the gallery by its words").fill("no picture is called this")
    expect(grid).to_contain_text("No image matches")
    page.close()


def test_the_picker_is_chosen_by_keyboard(contexts: Contexts, studio_world: World):
    page, grid = picker_of(contexts, studio_world, 1440)
    none = grid.get_by_role("radio", name="None")
    expect(none).to_be_checked()
    none.focus()
    page.keyboard.press("ArrowRight")
    first = grid.locator(".source-tile:not(.source-none) input").first
    expect(first).to_be_checked()
    expect(first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(grid.locator(".source-tile:not(.source-none) input").nth(1)).to_be_checked()
    page.close()
