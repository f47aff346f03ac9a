"""A member makes work from the gallery's composer in Chromium, never leaving the page."""

import base64
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.ready import arrived
from tests.browser.test_speech_and_image import log_in
from tests.stack import Stack, running_stack

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/studio-composer.png"
PROMPT = "a paper boat on a moonlit pond"
MOTION = "the boat drifts slowly to the left"
SCRIPT = ("The keeper climbs the stairs once more, lamp in hand, and counts each step. "
          * 80)[:6000]
BALANCE = 97_524
# The balance as the API last said it (no worker runs yet to ask it).
SET_BALANCE = f"""
from django.utils import timezone
from studio.teams.models import Team
Team.objects.filter(name="E2E Team").update(credits_remaining={BALANCE},
                                            credits_as_of=timezone.now())
"""
VIEWER, VIEWER_PASSWORD = "vera", "vera-views-only-1"
ADD_VIEWER = f"""
from django.contrib.auth import get_user_model
from studio.teams.models import Membership, Team
user = get_user_model().objects.create_user({VIEWER!r}, password={VIEWER_PASSWORD!r})
Membership.objects.create(team=Team.objects.get(name="E2E Team"), user=user, role="viewer")
"""


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest):
    """Room for this module's images and videos in one minute: the API's limits (five
    images a minute) are not what it tests, and waiting for them took 40 s."""
    yield from running_stack(request, start_worker=False, env={
        "STUDIO_RATE_LIMITS": "image=60/60,video_i2v=60/60"})


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


DROP = """(zone, [name, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const files = new DataTransfer();
  files.items.add(new File([bytes], name, {type: "image/png"}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: files, bubbles: true, cancelable: true}));
}"""


def number(text: str) -> int:
    return int(text.replace(",", ""))


def cost_and_balance_after(panel) -> tuple[int, int]:
    form = panel.locator("form")
    return (number(panel.locator("[data-cost]:not(input)").inner_text()),
            number(form.get_attribute("data-balance-before")))


def test_compose_an_image_then_animate_it_without_leaving_the_gallery(stack: Stack,
                                                                      page: Page) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    stack.manage("shell", "-c", SET_BALANCE)
    log_in(page, stack)
    page.evaluate("window.__not_reloaded = true")

    # Image: the prompt, its cost and the balance after it, a setting, Ctrl+Enter.
    page.get_by_role("tab", name="Image", exact=True).click()
    panel = page.locator("#compose-panel-image")
    expect(panel).to_be_visible()
    prompt = panel.get_by_label("Prompt")
    prompt.fill(PROMPT)
    expect(panel.locator("[data-cost]:not(input)")).to_have_text("50")
    cost, before = cost_and_balance_after(panel)
    assert before == BALANCE  # nothing reserved yet
    expect(panel.locator("[data-balance-after]")).to_have_text(f"{before - cost:,}")
    panel.get_by_text("Settings").click()
    panel.get_by_label("Width").fill("640")
    panel.get_by_label("Height").fill("512")
    expect(panel.locator("[data-settings-digest]")).to_have_text("Width 640 · Height 512")
    prompt.press("Control+Enter")

    first_card = page.locator("#gallery-grid > [data-generation-id]").first
    expect(first_card).to_have_attribute("data-kind", "image")
    expect(first_card).to_contain_text(PROMPT)
    expect(page.locator("#composer-status")).to_contain_text("Queued Image #")
    prompt = panel.get_by_label("Prompt")  # the panel came back: cleared, settings kept
    expect(prompt).to_have_value("")
    expect(prompt).to_be_focused()
    expect(panel.get_by_label("Width")).to_have_value("640")
    expect(page.locator("#gallery-empty")).to_have_count(0)
    assert page.evaluate("window.__not_reloaded") is True, "the gallery reloaded"

    stack.start_worker()
    expect(first_card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(page.locator(f"#gallery-grid > #{first_card.get_attribute('id')}")).to_have_count(1)

    # The tab is remembered; the arrow keys move between tabs; the image is in the grid.
    page.reload()
    image_tab = page.get_by_role("tab", name="Image", exact=True)
    expect(image_tab).to_have_attribute("aria-selected", "true")
    image_tab.focus()
    page.keyboard.press("ArrowRight")
    i2v_tab = page.get_by_role("tab", name="Image to video")
    expect(i2v_tab).to_be_focused()
    expect(i2v_tab).to_have_attribute("aria-selected", "true")
    panel = page.locator("#compose-panel-i2v")
    expect(panel).to_be_visible()
    panel.get_by_label("Motion prompt").fill(MOTION)

    # A file, chosen or dropped in, shows its name and a preview; one source at a time.
    chosen_name = panel.locator("[data-drop-name]")
    panel.get_by_label("Or upload an image").set_input_files(files=[
        {"name": "harbour.png", "mimeType": "image/png", "buffer": png((40, 90, 160))}])
    expect(chosen_name).to_contain_text("harbour.png")
    expect(panel.locator("[data-drop-preview]")).to_be_visible()
    panel.locator("[data-drop-zone]").evaluate(
        DROP, ["dropped.png", base64.b64encode(png((200, 60, 40))).decode()])
    expect(chosen_name).to_contain_text("dropped.png")
    expect(panel.get_by_role("radio", name="None", exact=True)).to_be_checked()
    tile = panel.get_by_role("radio", name=PROMPT)
    tile.check()
    expect(tile).to_be_checked()
    expect(chosen_name).to_have_text("")  # the gallery image replaced the file

    # The cost follows the provider; so does the balance after.
    cost_shown = panel.locator("[data-cost]:not(input)")
    after = panel.locator("[data-balance-after]")
    expect(cost_shown).to_have_text("400")
    _, before = cost_and_balance_after(panel)
    panel.get_by_text("Settings").click()
    for provider, cost in (("seedance", 520), ("sora2", 800), ("wan22", 400)):
        panel.get_by_label(provider).check()
        expect(cost_shown).to_have_text(str(cost))
        expect(after).to_have_text(f"{before - cost:,}")
    panel.get_by_role("button", name="Generate").click()

    video_card = page.locator("#gallery-grid > [data-generation-id]").first
    expect(video_card).to_have_attribute("data-kind", "video_i2v")
    expect(video_card).to_contain_text(MOTION)
    expect(panel.get_by_label("Motion prompt")).to_have_value("")
    expect(panel.get_by_role("radio", name=PROMPT)).to_be_checked()  # the source is kept
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert problems == [], f"{problems}\n{stack.logs()}"


def test_a_script_over_the_limit_is_counted_refused_and_kept(stack: Stack, page: Page) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, stack)
    page.get_by_role("tab", name="Speech").click()
    panel = page.locator("#compose-panel-tts")
    text = panel.get_by_label("Text")
    assert len(SCRIPT.strip()) == 6000
    text.fill(SCRIPT)
    counter = panel.locator(".char-count")
    expect(counter).to_contain_text("6,000 / 5,000 · 1,000 over")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    expect(text).to_have_value(SCRIPT)  # nothing cut on the way in

    text.press("Control+Enter")
    error = panel.locator("#compose-tts-text-error")
    expect(error).to_contain_text("1,000 over the limit of 5,000")
    text = panel.get_by_label("Text")
    expect(text).to_have_value(SCRIPT)
    expect(text).to_be_focused()
    expect(text).to_have_attribute("aria-describedby", re.compile(r"compose-tts-text-error"))
    expect(page.locator("#composer-status")).to_contain_text("Not queued")

    text.fill(SCRIPT[:4200])
    expect(panel.locator(".char-count")).to_contain_text("4,200 / 5,000")
    expect(panel.locator(".char-count")).not_to_have_class(re.compile(r"\bover\b"))
    # The browser logs the refusal's 400 itself; nothing else may go wrong.
    problems = [p for p in problems if "status of 400" not in p]
    assert problems == [], f"{problems}\n{stack.logs()}"


def test_a_viewer_sees_no_composer(stack: Stack, browser: Browser) -> None:
    stack.manage("shell", "-c", ADD_VIEWER)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{stack.url}/accounts/login/")
        page.get_by_label("Username").fill(VIEWER)
        page.get_by_label("Password").fill(VIEWER_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        arrived(page, f"{stack.url}/")
        expect(page.locator("#gallery-grid")).to_be_attached()
        expect(page.locator("#composer")).to_have_count(0)
        expect(page.get_by_role("tab")).to_have_count(0)
        expect(page.locator("textarea")).to_have_count(0)
        page.goto(f"{stack.url}/generate/image/")
        expect(page.locator("main .notice").first).to_contain_text("not generate")
        expect(page.locator("main form textarea")).to_have_count(0)
    finally:
        context.close()


STYLED = """
from django.contrib.auth import get_user_model
from studio.generations.models import Generation
from studio.teams.models import Team
team = Team.objects.get(name="E2E Team")
for style in ("ink wash", "ink wash", "paper-craft"):
    Generation.objects.create(team=team, author=get_user_model().objects.get(username="e2e"),
                              kind="image", cost=50, status="canceled", state="canceled",
                              params={"prompt": "earlier", "style": style})
"""


def test_shape_and_size_set_the_pixels_and_style_offers_the_teams_styles(
        stack: Stack, page: Page) -> None:
    stack.manage("shell", "-c", STYLED)
    log_in(page, stack)
    page.get_by_role("tab", name="Image", exact=True).click()
    panel = page.locator("#compose-panel-image")
    panel.get_by_text("Settings").click()
    width, height = panel.get_by_label("Width"), panel.get_by_label("Height")
    panel.get_by_text("16:9", exact=True).click()
    expect(width).to_have_value("1024")
    expect(height).to_have_value("576")
    panel.get_by_text("Medium", exact=True).click()
    expect(width).to_have_value("1536")
    expect(height).to_have_value("896")
    expect(panel.locator("[data-settings-digest]")).to_have_text("16:9 · Medium")
    panel.get_by_text("9:16", exact=True).click()
    expect(width).to_have_value("896")
    width.fill("700")
    expect(panel.get_by_role("radio", name="Custom")).to_be_checked()
    expect(panel.locator("[data-settings-digest]")).to_have_text("Width 700 · Height 1536")
    offered = panel.get_by_label("Style").evaluate(
        "(field) => [...field.list.options].map((option) => option.value)")
    assert offered == ["ink wash", "paper-craft"]


def test_vary_and_the_prompt_library_from_the_gallery(stack: Stack, page: Page) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, stack)
    page.get_by_role("tab", name="Image", exact=True).click()
    panel = page.locator("#compose-panel-image")
    panel.get_by_label("Prompt").fill("a kite over green hills")
    panel.get_by_text("Settings").click()
    panel.get_by_text("3:2", exact=True).click()
    panel.get_by_label("Keep in the team's library as").fill("Kite")
    panel.get_by_role("button", name="Save to the library").click()
    expect(page.locator("#composer-status")).to_contain_text("“Kite” is in the team")
    expect(panel.get_by_label("Prompt")).to_have_value("a kite over green hills")
    panel.get_by_label("Prompt").press("Control+Enter")
    card = page.locator("#gallery-grid > [data-generation-id]").first
    expect(card).to_contain_text("a kite over green hills")
    stack.start_worker()
    expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)

    card.hover()
    card.get_by_role("button", name="Vary: 4 more like it").click()
    arrived(page, f"{stack.url}/")
    varied = re.compile(r"4 variations of Image #\d+ queued as set")
    expect(page.get_by_text(varied)).to_be_visible()
    expect(page.locator("#gallery-grid > .card-stack").first).to_contain_text("Set of 4")

    page.get_by_role("tab", name="Library").click()
    library = page.locator("#compose-panel-library")
    find = library.get_by_placeholder("Find a saved prompt")
    find.fill("green kite")
    expect(library.get_by_text("Kite", exact=True)).to_be_visible()
    find.fill("lighthouse")
    expect(library.get_by_text("No saved prompt matches.")).to_be_visible()
    find.fill("kite")
    library.get_by_role("button", name="Use “Kite”").click()
    arrived(page, re.compile(r"compose=image"))
    expect(panel.get_by_label("Prompt")).to_have_value("a kite over green hills")
    panel.get_by_text("Settings").click()
    expect(panel.get_by_role("radio", name="3:2")).to_be_checked()
    expect(page.locator("#compose-panel-library")).to_contain_text("Used 1 time")
    # The variations are made like any set (and the worker is done before the stack stops).
    expect(page.locator("#gallery-grid > .card-stack").first).to_contain_text(
        "4 of 4 finished", timeout=60_000)
    assert problems == [], f"{problems}\n{stack.logs()}"
