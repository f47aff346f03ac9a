"""The viewer for looking closely, in the studio world: Fit and 100 %, zoom by wheel
and z, drag to look around; downloads as a labelled list of separate choices; on a
phone its own controls never cover the media or the player."""

import re
from itertools import pairwise

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import viewer_of
from tests.browser.world import PHONE, Contexts, World

pytestmark = pytest.mark.browser

# Where an element is drawn, once any transition of it has run (the test's reduced
# motion still gives every change a 1 ms transition).
BOX = """async (element) => {
  await Promise.all(element.getAnimations().map((animation) => animation.finished));
  const b = element.getBoundingClientRect();
  return [b.left, b.top, b.width, b.height];
}"""


def opened_on(contexts: Contexts, world: World, media: str, width: int = 1440) -> Page:
    page = contexts.page("member", theme="dark", width=width)
    page.goto(world.address("/?status=succeeded"))
    viewer_of(media)(page)
    return page


def picture(page: Page):
    image = page.locator("#viewer img.media-image")
    page.wait_for_function("(i) => i.complete && i.naturalWidth > 0", arg=image.element_handle())
    return image


def test_z_and_the_buttons_go_between_fit_and_actual_pixels(contexts: Contexts,
                                                            studio_world: World):
    page = opened_on(contexts, studio_world, "image", PHONE["width"])
    image = picture(page)
    natural = image.evaluate("(i) => i.naturalWidth")
    fitted = image.evaluate(BOX)[2]
    assert fitted < natural - 50, "the picture already shows at its own size"
    page.keyboard.press("z")
    expect(page.get_by_role("button", name="100 %")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#viewer [data-zoom-level]")).to_have_text("100 %")
    assert abs(image.evaluate(BOX)[2] - natural) < 2
    page.get_by_role("button", name="Fit").click()
    expect(page.get_by_role("button", name="Fit")).to_have_attribute("aria-pressed", "true")
    assert abs(image.evaluate(BOX)[2] - fitted) < 2
    page.get_by_role("button", name="100 %").click()
    assert abs(image.evaluate(BOX)[2] - natural) < 2
    page.close()


def test_the_wheel_zooms_where_it_points_and_a_drag_looks_around(contexts: Contexts,
                                                                  studio_world: World):
    page = opened_on(contexts, studio_world, "image")
    image = picture(page)
    left, top, width, height = image.evaluate(BOX)
    page.mouse.move(left + width / 4, top + height / 4)
    page.mouse.wheel(0, -400)
    expect(page.locator("#viewer [data-zoom-level]")).to_have_text(re.compile(r"\d+ %"))
    zoomed = image.evaluate(BOX)
    assert zoomed[2] > width * 1.5
    # The spot under the pointer stays under it: a quarter across, a quarter down.
    assert abs((left + width / 4 - zoomed[0]) / zoomed[2] - 0.25) < 0.01
    assert abs((top + height / 4 - zoomed[1]) / zoomed[3] - 0.25) < 0.01
    page.mouse.move(left + width / 2, top + height / 2)
    page.mouse.down()
    page.mouse.move(left + width / 2 + 60, top + height / 2 + 30, steps=4)
    page.mouse.up()
    dragged = image.evaluate(BOX)
    assert abs(dragged[0] - zoomed[0] - 60) < 2 and abs(dragged[1] - zoomed[1] - 30) < 2
    page.keyboard.press("z")  # back to Fit
    expect(page.get_by_role("button", name="Fit")).to_have_attribute("aria-pressed", "true")
    assert abs(image.evaluate(BOX)[2] - width) < 2
    page.close()


def test_downloads_are_a_labelled_list_of_separate_choices(contexts: Contexts,
                                                          studio_world: World):
    page = opened_on(contexts, studio_world, "image")
    page.locator("#viewer .download-menu > summary").click()
    choices = page.get_by_role("list", name="Download image")
    expect(choices).to_be_visible()
    links = choices.get_by_role("link")
    names = [link.inner_text().split("\n")[0].strip() for link in links.all()]
    assert names[:4] == ["Original", "PNG", "JPEG", "WebP"], names
    boxes = [link.evaluate(BOX) for link in links.all()]
    assert all(b[1] >= a[1] + a[3] - 1 for a, b in pairwise(boxes)), (
        "choices overlap or run together on one line")
    page.close()


@pytest.mark.parametrize("media", ["audio", "video", "image"])
def test_on_a_phone_the_viewers_controls_never_cover_the_media(contexts: Contexts,
                                                               studio_world: World,
                                                               media: str):
    page = opened_on(contexts, studio_world, media, PHONE["width"])
    shown = page.locator("#viewer [data-viewer-stage] :is(audio, video, img.media-image)").first
    expect(shown).to_be_visible()
    left, top, width, height = shown.evaluate(BOX)
    controls = page.locator("#viewer :is(.viewer-nav, .viewer-top button, .viewer-zoom)")
    for number in range(controls.count()):
        c_left, c_top, c_width, c_height = controls.nth(number).evaluate(BOX)
        apart = (c_left + c_width <= left or left + width <= c_left
                 or c_top + c_height <= top or top + height <= c_top)
        assert apart, f"{media}: a control covers the media: {controls.nth(number)}"
    page.close()
