"""An outside link in Chromium: a member shares a clip with a passphrase; someone with
no account opens it in a fresh browser, gives the passphrase, plays the clip and
leaves a note at a moment, which the member then sees marked as from outside. A
revoked and an expired link show nothing but that they ended."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.ready import arrived
from tests.browser.test_mix import made
from tests.browser.test_speech_and_image import log_in
from tests.stack import Stack

pytestmark = pytest.mark.browser

PLAYED = """() => {
  const video = document.querySelector("video.media-video");
  return video && video.currentTime > 0.3;
}"""


def finished_clip(stack: Stack, page: Page) -> str:
    stack.start_worker()
    made(stack, "t2v", {"prompt": "a harbour at dawn", "duration": 5})
    log_in(page, stack)
    card = page.locator("#gallery-grid > [data-kind=video_t2v]")
    expect(card).to_have_attribute("data-status", "succeeded", timeout=60_000)
    return card.get_attribute("data-generation-id")


def make_link(page: Page, stack: Stack, clip_id: str, *, days: str = "7",
              passphrase: str = "") -> str:
    page.goto(f"{stack.url}/generations/{clip_id}/")
    form = page.locator("form.share-form")
    form.get_by_label("Ends after (days)").fill(days)
    form.get_by_label("Passphrase (optional)").fill(passphrase)
    form.get_by_role("button", name="Make a link").click()
    arrived(page, re.compile(rf"/generations/{clip_id}/"))
    return page.locator(".share-url-field").first.input_value()


def test_an_outsider_opens_a_passphrase_link_plays_and_leaves_a_note(
        stack: Stack, page: Page, browser: Browser) -> None:
    clip_id = finished_clip(stack, page)
    url = make_link(page, stack, clip_id, passphrase="harbour lights")
    assert re.fullmatch(rf"{re.escape(stack.url)}/s/[A-Za-z0-9_-]{{22,}}/", url)

    stranger = browser.new_context()  # no session: no account at all
    problems: list[str] = []
    outside = stranger.new_page()
    outside.on("pageerror", lambda error: problems.append(str(error)))
    outside.goto(url)
    expect(outside.locator("video")).to_have_count(0)
    outside.get_by_label("Passphrase").fill("harbour lights")
    outside.get_by_role("button", name="Open").click()
    player = outside.locator("video.media-video")
    expect(player).to_be_visible()
    player.evaluate("(video) => { video.muted = true; return video.play(); }")
    outside.wait_for_function(PLAYED, timeout=20_000)
    player.evaluate("(video) => { video.pause(); video.currentTime = 1.5; }")
    outside.get_by_label("Your name").fill("Cleo from the client")
    outside.get_by_label("Your note").fill("Could the boat come in sooner?")
    outside.get_by_role("button", name="Now: the player's time").click()
    expect(outside.get_by_label("At (seconds, optional)")).to_have_value("1.5")
    outside.get_by_role("button", name="Send the note").click()
    expect(outside.get_by_text("your note was sent")).to_be_visible()
    assert outside.locator("meta[name=robots]").get_attribute("content").startswith("noindex")
    expect(outside.locator(".topbar")).to_have_count(0)
    stranger.close()

    page.goto(f"{stack.url}/generations/{clip_id}/")
    note = page.locator(".comment.from-outside")
    expect(note).to_contain_text("Cleo from the client")
    expect(note).to_contain_text("from outside")
    expect(note).to_contain_text("0:01.5")
    expect(page.locator(".note-marker.from-outside[data-seek='1.5']")).to_be_attached()
    # opened with the passphrase, and again after the note
    expect(page.locator(".share-link").first).to_contain_text("2 views")
    assert problems == [], f"{problems}\n{stack.logs()}"


def test_a_revoked_and_an_expired_link_show_only_that_they_ended(
        stack: Stack, page: Page, browser: Browser) -> None:
    log_in(page, stack)
    clip_id = page.locator("#gallery-grid > [data-kind=video_t2v]").first.get_attribute(
        "data-generation-id")
    revoked = make_link(page, stack, clip_id)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".share-link").first.get_by_role("button", name="Revoke").click()
    expect(page.locator(".share-link").first).to_contain_text("Revoked")
    expiring = make_link(page, stack, clip_id, days="1")
    token = expiring.rstrip("/").rsplit("/", 1)[-1]
    stack.manage("shell", "-c", (
        "from studio.review import share; from studio.lib import clock; "
        "from datetime import timedelta; "
        f"link = share.found('{token}'); link.expires_at = clock.now() - timedelta(seconds=1); "
        "link.save()"))

    stranger = browser.new_context()
    outside = stranger.new_page()
    for url in (revoked, expiring):
        answer = outside.goto(url)
        assert answer.status == 410
        expect(outside.get_by_role("heading", name="This link has ended")).to_be_visible()
        expect(outside.locator("video, audio, img, form")).to_have_count(0)
    stranger.close()


def test_an_outsider_opens_a_board_link_plays_its_item_and_leaves_a_note_on_it(
        stack: Stack, page: Page, browser: Browser) -> None:
    log_in(page, stack)
    clips = page.locator("#gallery-grid > [data-kind=video_t2v][data-status=succeeded]")
    clip_id = (clips.first.get_attribute("data-generation-id") if clips.count()
               else finished_clip(stack, page))
    page.goto(f"{stack.url}/boards/")
    page.locator("form.board-create").get_by_label("Name").fill("For the client")
    page.get_by_role("button", name="Make the board").click()
    arrived(page, re.compile(r"/boards/\d+/$"))
    board_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    stack.manage("shell", "-c", (
        "from studio.review import boards; from studio.review.models import Board; "
        "from studio.generations.models import Generation; "
        f"board = Board.objects.get(pk={board_id}); "
        f"boards.put_on(board, [Generation.objects.get(pk={clip_id})], None)"))
    page.reload()
    form = page.locator("form.share-form")
    form.get_by_label("Ends after (days)").fill("3")
    form.get_by_role("button", name="Make a link").click()
    arrived(page, re.compile(rf"/boards/{board_id}/"))
    url = page.locator(".share-url-field").first.input_value()
    assert re.fullmatch(rf"{re.escape(stack.url)}/s/[A-Za-z0-9_-]{{22,}}/", url)

    stranger = browser.new_context()  # no session: no account at all
    problems: list[str] = []
    outside = stranger.new_page()
    outside.on("pageerror", lambda error: problems.append(str(error)))
    outside.goto(url)
    expect(outside.get_by_role("heading", name="For the client", level=1)).to_be_visible()
    expect(outside.locator(".topbar")).to_have_count(0)
    item = outside.locator(f"#item-{clip_id}")
    player = item.locator("video.media-video")
    expect(player).to_be_visible()
    player.evaluate("(video) => { video.muted = true; return video.play(); }")
    outside.wait_for_function(PLAYED, timeout=20_000)
    player.evaluate("(video) => { video.pause(); video.currentTime = 1.5; }")
    item.get_by_text("Leave a note on item 1").click()
    item.get_by_label("Your name").fill("Cleo from the client")
    item.get_by_label("Your note").fill("This one, please")
    item.get_by_role("button", name="Now: the player's time").click()
    expect(item.get_by_label("At (seconds, optional)")).to_have_value("1.5")
    item.get_by_role("button", name="Send the note").click()
    expect(outside.get_by_text("your note was sent")).to_be_visible()
    stranger.close()

    page.goto(f"{stack.url}/generations/{clip_id}/")
    note = page.locator(".comment.from-outside", has_text="This one, please")
    expect(note).to_contain_text("Cleo from the client")
    expect(note).to_contain_text("0:01.5")
    page.goto(f"{stack.url}/boards/{board_id}/")
    expect(page.locator(".share-link").first).to_contain_text("2 views")
    assert problems == [], f"{problems}\n{stack.logs()}"
