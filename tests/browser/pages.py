"""Every page and state a person can reach, listed once, each with the role that sees
it. The accessibility checks, the phone-width check and `make screenshots` all walk
this list: a new page is added here and nowhere else.

A path may name the world's rows in {braces} (see world.World.ids). A `state` brings
the loaded page to the state named (a dialog open, a form sent back with errors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.browser.world import ROLES, World

PENDING_UI_SECONDS = 10_000  # ms a state's dialog or error may take to appear


@dataclass(frozen=True)
class PageSpec:
    name: str  # sorts by page: "gallery-busy", "detail-image", "team-members"
    path: str
    role: str  # one of world.ROLES
    status: int = 200
    state: Callable[[Page], None] | None = None
    gallery: bool = False  # a gallery with cards: its first card is on the first screen

    def visit(self, page: Page, world: World) -> None:
        """Load the page as its role and bring it to its state."""
        url = world.address(self.path)
        response = page.goto(url)
        assert response is not None and response.status == self.status, (
            f"{self.name}: {url} answered {response and response.status}, "
            f"expected {self.status}")
        if self.state:
            self.state(page)


# --- states ---------------------------------------------------------------------------


def viewer_of(media: str) -> Callable[[Page], None]:
    """Open the gallery's viewer on the first finished card of `media` (image,
    video, audio)."""
    kinds = {"image": "[data-kind=image]", "video": "[data-kind^=video_]",
             "audio": "[data-kind=tts]"}[media]

    def open_viewer(page: Page) -> None:
        card = page.locator(f"[data-generation-id]{kinds}[data-status=succeeded]")
        card.first.locator("[data-viewer-open]").first.click()
        viewer = page.locator("dialog[open]")
        expect(viewer, "the viewer did not open").to_be_visible(timeout=PENDING_UI_SECONDS)
        expect(viewer.locator("img, video, audio").first,
               "the viewer shows no media").to_be_attached(timeout=PENDING_UI_SECONDS)

    open_viewer.__name__ = f"open_viewer_on_{media}"
    return open_viewer


def open_image_settings(page: Page) -> None:
    """The composer on Image with its Settings open: shape, size, style, the library."""
    page.locator("[data-shortcut-new]").first.focus()  # a phone's composer unfolds
    page.get_by_role("tab", name="Image", exact=True).click()
    panel = page.locator("#compose-panel-image")
    panel.locator("details[data-settings] > summary").click()
    expect(panel.get_by_role("radio", name="16:9")).to_be_visible(timeout=PENDING_UI_SECONDS)


def open_library(page: Page) -> None:
    page.locator("[data-shortcut-new]").first.focus()  # a phone's composer unfolds
    page.get_by_role("tab", name="Library").click()
    expect(page.locator("#compose-panel-library")).to_be_visible(timeout=PENDING_UI_SECONDS)


def open_source_picker(page: Page) -> None:
    """The image-to-video form's gallery of pictures to animate."""
    expect(page.locator("[data-source-grid]").first).to_be_visible(timeout=PENDING_UI_SECONDS)


def open_shortcuts(page: Page) -> None:
    page.locator("body").press("?")
    expect(page.locator("#shortcuts")).to_be_visible(timeout=PENDING_UI_SECONDS)


def send_empty_prompt(page: Page) -> None:
    """Send the form with its prompt emptied, past the browser's own checks, so the
    server's errors show."""
    prompt = page.locator("main [name=prompt]").first
    prompt.fill("")
    prompt.evaluate("field => { field.form.noValidate = true; field.form.requestSubmit(); }")
    expect(page.locator("main [aria-invalid=true], main .field-error").first,
           "no error shown").to_be_visible(timeout=PENDING_UI_SECONDS)


def send_board_without_name(page: Page) -> None:
    form = page.locator("form.board-create")
    form.evaluate("form => { form.noValidate = true; form.requestSubmit(); }")
    expect(page.locator("#board-name-error")).to_be_visible(timeout=PENDING_UI_SECONDS)


def send_storyboard_without_script(page: Page) -> None:
    page.get_by_label("Title").fill("An empty film")
    page.locator("form.storyboard-create").evaluate(
        "form => { form.noValidate = true; form.requestSubmit(); }")
    expect(page.locator("#storyboard-script-error")).to_be_visible(timeout=PENDING_UI_SECONDS)


def empty_a_narration(page: Page) -> None:
    """A narration emptied in place: the error beside it, from the server."""
    narration = page.locator(".scene-row textarea[name=narration]").first
    narration.fill("")
    narration.dispatch_event("change")
    expect(page.locator(".scene-row .field-error").first).to_be_visible(
        timeout=PENDING_UI_SECONDS)


def wrong_passphrase(page: Page) -> None:
    page.get_by_label("Passphrase").fill("not the passphrase")
    page.get_by_role("button", name="Open").click()
    expect(page.locator(".field-error").first).to_be_visible(timeout=PENDING_UI_SECONDS)


def open_bell(page: Page) -> None:
    page.locator("#bell summary").click()
    expect(page.locator("#bell .bell-panel")).to_be_visible(timeout=PENDING_UI_SECONDS)


def fail_login(page: Page) -> None:
    page.get_by_label("Username").fill("mia")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".field-error").first).to_be_visible(timeout=PENDING_UI_SECONDS)


def preview_playing(form: str) -> Callable[[Page], None]:
    """The editor's Preview playing, half a second into what would be made."""

    def preview(page: Page) -> None:
        page.locator(f"{form} [data-preview-play]").click()
        page.wait_for_function(
            f"() => Number(document.querySelector('{form}').dataset.previewAt) > 0.5",
            timeout=PENDING_UI_SECONDS)

    preview.__name__ = f"preview_{form.strip('[]').replace('-', '_')}"
    return preview


def send_a_trim_past_the_end(page: Page) -> None:
    """The join sent with its first clip's Out past that clip's end."""
    page.locator("[data-clip]").first.get_by_label("Out (s)", exact=True).fill("99")
    page.locator("[data-join-form] button.primary").click()
    expect(page.locator("[data-clip] .field-error").first,
           "no error beside the clip").to_be_visible(timeout=PENDING_UI_SECONDS)


# --- the list -------------------------------------------------------------------------

# Three clips, the second trimmed, the third crossfaded into.
JOIN_EDITOR = ("/generate/sequence/?ids={video_t2v}&ids={video_cogvideox}&ids={video_i2v}"
               "&trim_in=&trim_in=0.5&trim_in=&trim_out=&trim_out=&trim_out="
               "&crossfade=&crossfade=&crossfade=0.5")

PAGES: list[PageSpec] = [
    # The gallery: the main team's newest work is queued, running, failed, canceled.
    PageSpec("gallery-busy", "/", "member", gallery=True),
    PageSpec("gallery-full", "/?status=succeeded", "member", gallery=True),
    PageSpec("gallery-filtered", "/?kind=image&starred=on&q=a", "member", gallery=True),
    PageSpec("gallery-no-match", "/?q=nothing+is+called+this", "member"),
    PageSpec("gallery-as-viewer", "/", "viewer", gallery=True),
    PageSpec("gallery-empty", "/", "empty"),
    PageSpec("viewer-image", "/", "member", state=viewer_of("image")),
    PageSpec("viewer-video", "/", "member", state=viewer_of("video")),
    PageSpec("viewer-speech", "/", "member", state=viewer_of("audio")),
    PageSpec("shortcuts", "/", "member", state=open_shortcuts),
    PageSpec("composer-image-settings", "/", "member", state=open_image_settings),
    PageSpec("composer-library", "/", "member", state=open_library),
    PageSpec("prompt-library", "/prompts/", "member"),
    PageSpec("boards", "/boards/", "member"),
    PageSpec("boards-empty", "/boards/", "empty"),
    PageSpec("boards-create-errors", "/boards/", "member", state=send_board_without_name),
    PageSpec("board", "/boards/{board}/", "member", gallery=True),
    PageSpec("board-by-date", "/boards/{board}/?order=date", "viewer", gallery=True),
    PageSpec("gallery-reviewed", "/?review=approved", "member", gallery=True),
    # Storyboards: the list, a strip part made and part changed, one being made.
    PageSpec("storyboards", "/storyboards/", "member"),
    PageSpec("storyboards-empty", "/storyboards/", "empty"),
    PageSpec("storyboards-create-errors", "/storyboards/", "member",
             state=send_storyboard_without_script),
    PageSpec("storyboard", "/storyboards/{storyboard}/", "member"),
    PageSpec("storyboard-narration-error", "/storyboards/{storyboard}/", "member",
             state=empty_a_narration),
    PageSpec("storyboard-making", "/storyboards/{storyboard_making}/", "member"),
    PageSpec("storyboard-as-viewer", "/storyboards/{storyboard}/", "viewer"),
    PageSpec("storyboard-film", "/storyboards/{storyboard_film}/", "member"),
    PageSpec("film-card", "/?kind=film", "member", gallery=True),
    PageSpec("detail-film", "/generations/{film}/", "member"),
    # A form per kind; text to video on a standard team says why it is not offered.
    PageSpec("generate-tts", "/generate/tts/", "member"),
    PageSpec("generate-image", "/generate/image/", "member"),
    PageSpec("generate-image-errors", "/generate/image/", "member", state=send_empty_prompt),
    PageSpec("generate-image-as-viewer", "/generate/image/", "viewer"),
    PageSpec("generate-i2v", "/generate/i2v/", "member", state=open_source_picker),
    PageSpec("generate-t2v", "/generate/t2v/", "member"),
    PageSpec("generate-t2v-standard-team", "/generate/t2v/", "empty"),
    PageSpec("generate-cogvideox", "/generate/cogvideox/", "member"),
    # Detail of each kind and state.
    PageSpec("detail-image", "/generations/{image}/", "member"),
    PageSpec("detail-tts", "/generations/{tts}/", "member"),
    PageSpec("detail-i2v", "/generations/{video_i2v}/", "member"),
    PageSpec("detail-t2v", "/generations/{video_t2v}/", "member"),
    PageSpec("detail-cogvideox", "/generations/{video_cogvideox}/", "member"),
    PageSpec("detail-queued", "/generations/{queued}/", "member"),
    PageSpec("detail-running", "/generations/{rendering}/", "member"),
    PageSpec("detail-failed", "/generations/{failed}/", "member"),
    PageSpec("detail-trashed", "/generations/{trashed}/", "admin"),
    PageSpec("export-by-the-worker", "/generations/{image}/exports/webp/", "member"),
    PageSpec("mix", "/generate/mix/?source={video_t2v}&speech={tts}", "member"),
    PageSpec("join", "/generate/sequence/?ids={video_t2v}&ids={video_cogvideox}", "member"),
    PageSpec("join-empty", "/generate/sequence/", "member"),
    PageSpec("join-editor-preview", JOIN_EDITOR, "member",
             state=preview_playing("[data-join-form]")),
    PageSpec("join-editor-errors", JOIN_EDITOR, "member", state=send_a_trim_past_the_end),
    PageSpec("mix-preview", "/generate/mix/?source={video_i2v}&speech={tts}&offset=0.3",
             "member", state=preview_playing("[data-mix-form]")),
    PageSpec("approvals", "/approvals/", "admin"),
    PageSpec("api-tokens", "/account/tokens/", "member"),
    PageSpec("team-webhooks", "/team/webhooks/", "admin"),
    PageSpec("compare", "/compare/?{compare}", "member"),
    PageSpec("compare-refused", "/compare/?ids={image}", "member", status=400),
    PageSpec("credits", "/credits/", "owner"),
    PageSpec("credits-empty", "/credits/", "empty"),
    PageSpec("trash", "/trash/", "admin"),
    PageSpec("team-settings", "/team/settings/", "admin"),
    PageSpec("team-members", "/team/members/", "admin"),
    PageSpec("team-invitations", "/team/invitations/", "admin"),
    PageSpec("team-audit", "/team/audit/", "admin"),
    PageSpec("team-transfer", "/team/transfer/", "owner"),
    PageSpec("team-delete", "/team/delete/", "owner"),
    PageSpec("bell-open", "/credits/", "member", state=open_bell),
    PageSpec("notifications", "/notifications/", "member"),
    PageSpec("notifications-empty", "/notifications/", "viewer"),
    PageSpec("notifications-by-email", "/notifications/settings/", "admin"),
    PageSpec("activity", "/activity/", "viewer"),
    PageSpec("activity-filtered", "/activity/?member=mia&kind=finished", "member"),
    PageSpec("activity-empty", "/activity/", "empty"),
    # An outside link, as someone with no account sees it.
    PageSpec("shared-item", "/s/{share}/", "anonymous"),
    PageSpec("shared-passphrase", "/s/{share_locked}/", "anonymous"),
    PageSpec("shared-passphrase-wrong", "/s/{share_locked}/", "anonymous",
             state=wrong_passphrase),
    PageSpec("shared-ended", "/s/{share_ended}/", "anonymous", status=410),
    PageSpec("shared-board", "/s/{share_board}/", "anonymous"),
    PageSpec("invite", "/invite/{invitation}/", "anonymous"),
    PageSpec("invite-expired", "/invite/{expired_invitation}/", "anonymous", status=410),
    PageSpec("login", "/accounts/login/", "anonymous"),
    PageSpec("login-failed", "/accounts/login/", "anonymous", state=fail_login),
    PageSpec("no-team", "/", "stranger"),
    PageSpec("error-403", "/team/settings/", "member", status=403),
    PageSpec("error-404", "/generations/999999/", "member", status=404),
]

PAGE_NAMES = [spec.name for spec in PAGES]
assert len(set(PAGE_NAMES)) == len(PAGE_NAMES), "page names must be unique"
assert {spec.role for spec in PAGES} <= set(ROLES), "a page's role must be one of ROLES"
