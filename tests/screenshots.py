"""`make screenshots`: every page and state of tests/browser/pages.py at 1440 and
390 px wide, in the light and the dark theme, into screenshots/ (named so they sort
by page: gallery-full--1440--dark.png), with an index.html that shows them all on
one page for review at a glance.

It serves its own studio world (tests/browser/world.py: a fresh database and media
folder in a temporary directory), so no studio needs to be running:

    python -m tests.screenshots [NAME_PREFIX ...]

A page whose state could not be reached (a dialog that did not open) is still
photographed as it was, and the index says what went wrong.
"""

from __future__ import annotations

import html
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from playwright.sync_api import Error, Page, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.pages import PAGES, PageSpec
from tests.browser.world import DESKTOP, PHONE, THEMES, Contexts, WorldServer
from tests.stack import ROOT

OUT = ROOT / "screenshots"
WIDTHS = (DESKTOP["width"], PHONE["width"])
SETTLE_MS = 5_000


@dataclass(frozen=True)
class Shot:
    spec: PageSpec
    width: int
    theme: str
    problem: str

    @property
    def file(self) -> str:
        return f"{self.spec.name}--{self.width}--{self.theme}.png"


def main(prefixes: list[str]) -> None:
    pages = [spec for spec in PAGES if not prefixes or spec.name.startswith(tuple(prefixes))]
    OUT.mkdir(exist_ok=True)
    for old in [*OUT.glob("*.png"), OUT / "index.html"]:
        old.unlink(missing_ok=True)
    began = time.monotonic()
    server = WorldServer()
    with server as world, sync_playwright() as playwright:
        print(f"studio world ready in {server.ready_seconds:.1f}s at {world.url}", flush=True)
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        contexts = Contexts(browser, world)
        shots = []
        for spec in pages:
            for width in WIDTHS:
                for theme in THEMES:
                    shots.append(photograph(contexts, spec, width, theme))
            problems = {shot.problem for shot in shots[-4:] if shot.problem}
            print(f"  {spec.name}" + (f"  PROBLEM: {' / '.join(problems)}" if problems
                                      else ""), flush=True)
        contexts.close()
        browser.close()
    (OUT / "index.html").write_text(index(shots))
    print(f"{len(shots)} screenshots in {time.monotonic() - began:.0f}s: "
          f"{OUT / 'index.html'}")


def photograph(contexts: Contexts, spec: PageSpec, width: int, theme: str) -> Shot:
    page = contexts.page(spec.role, theme=theme, width=width)
    problem = ""
    try:
        try:
            spec.visit(page, contexts.world)
        except (AssertionError, Error) as error:
            problem = str(error).strip().splitlines()[0][:300]
        dialog_open = page.locator("dialog[open]").count() > 0
        if dialog_open:
            images_loaded(page, "dialog[open] img")
        else:
            load_every_image(page)
        shot = Shot(spec, width, theme, problem)
        # A dialog covers the screen, not the page: photograph what is on screen.
        page.screenshot(path=OUT / shot.file, full_page=not dialog_open)
        return shot
    finally:
        page.close()


def load_every_image(page: Page) -> None:
    """Scroll through the page so lazy images load, then back to the top. A page
    that will not settle is photographed as it is: what did not load shows."""
    with suppress(Error):
        page.evaluate("""async () => {
          for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {
            window.scrollTo(0, y);
            await new Promise((done) => setTimeout(done, 30));
          }
          window.scrollTo(0, 0);
          await document.fonts.ready;
        }""")
    images_loaded(page, "img")


def images_loaded(page: Page, selector: str) -> None:
    with suppress(Error):
        page.wait_for_function(
            "(selector) => [...document.querySelectorAll(selector)].every((i) => i.complete)",
            arg=selector, timeout=SETTLE_MS)


def index(shots: list[Shot]) -> str:
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = []
    for spec in dict.fromkeys(shot.spec for shot in shots):
        mine = [shot for shot in shots if shot.spec is spec]
        problems = sorted({shot.problem for shot in mine if shot.problem})
        figures = "".join(
            f'<figure class="w{shot.width}"><a href="{shot.file}"><img src="{shot.file}" '
            f'alt="{html.escape(spec.name)} at {shot.width} px, {shot.theme} theme" '
            f'loading="lazy"></a><figcaption>{shot.width} px · {shot.theme}</figcaption>'
            f"</figure>" for shot in mine)
        notes = "".join(f'<p class="problem">{html.escape(problem)}</p>'
                        for problem in problems)
        sections.append(
            f'<section id="{spec.name}"><h2><a href="#{spec.name}">{spec.name}</a> '
            f'<span>{html.escape(spec.path)} · as {spec.role}'
            f'{f" · {spec.status}" if spec.status != 200 else ""}</span></h2>'
            f"{notes}<div class=\"row\">{figures}</div></section>")
    contents = " ".join(f'<a href="#{spec.name}">{spec.name}</a>'
                        for spec in dict.fromkeys(shot.spec for shot in shots))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Studio screenshots</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; background: #f4f4f5; color: #18181b; }}
nav {{ display: flex; flex-wrap: wrap; gap: 4px 12px; margin-bottom: 24px; }}
section {{ margin: 0 0 40px; }}
h2 {{ font-size: 18px; margin: 0 0 8px; }}
h2 span {{ font-weight: normal; color: #52525b; font-size: 14px; }}
.row {{ display: flex; gap: 16px; align-items: flex-start; overflow-x: auto; }}
figure {{ margin: 0; }} figcaption {{ color: #52525b; font-size: 12px; }}
img {{ display: block; border: 1px solid #d4d4d8; object-fit: cover; object-position: top;
       background: #fff; height: 420px; }}
.w1440 img {{ width: 480px; }} .w390 img {{ width: 175px; }}
.problem {{ color: #b91c1c; margin: 0 0 8px; }}
</style></head><body>
<h1>Studio screenshots</h1>
<p>{len(shots)} screenshots of {len(sections)} pages and states, made {made} by
<code>make screenshots</code>. Click one for the full page.</p>
<nav>{contents}</nav>
{"".join(sections)}
</body></html>
"""


if __name__ == "__main__":
    main(sys.argv[1:])
