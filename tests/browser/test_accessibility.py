"""axe-core on every page and state of the list (pages.py), in the light and the dark
theme, at 1440 px: a violation of any rule, of any impact, fails the page, naming the
rule, what it asks for and the elements that break it.

A page is visited once: every rule in the light theme, then the rules whose verdict a
theme can change in the dark one (the others read the page's structure, which the
theme leaves as it is)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.pages import PAGE_NAMES, PAGES, PageSpec
from tests.browser.world import Contexts, World

pytestmark = [pytest.mark.browser, pytest.mark.pages]

AXE = Axe()
NODES_SHOWN = 8
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
# The dark theme at once: without transitions, the next style read has its colours
# (waiting for them to run their course hung now and then: a stalled timeline).
# A constructed sheet: the page's CSP refuses a <style> element.
DARK = """() => {
  const still = new CSSStyleSheet();
  still.replaceSync("*, *::before, *::after { transition: none !important; }");
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, still];
  document.documentElement.dataset.theme = "dark";
}"""


def violations_on(page: Page, rules: list[str] | None = None) -> list[dict]:
    """axe-core's default rules (WCAG 2.x A and AA, and its best practices), or some."""
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    return AXE.run(page, options=options).response["violations"]


def described(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} "
                     f"[{len(violation['nodes'])} element(s)] {violation['helpUrl']}")
        for node in violation["nodes"][:NODES_SHOWN]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").splitlines()
            why = summary[1].strip() if len(summary) > 1 else ""
            lines.append(f"    {target}" + (f"  ({why})" if why else ""))
        if len(violation["nodes"]) > NODES_SHOWN:
            lines.append(f"    ... and {len(violation['nodes']) - NODES_SHOWN} more")
    return "\n".join(lines)


@pytest.mark.parametrize("spec", PAGES, ids=PAGE_NAMES)
def test_page_has_no_accessibility_violations(spec: PageSpec, contexts: Contexts,
                                              studio_world: World) -> None:
    page = contexts.page(spec.role, theme="light")
    try:
        spec.visit(page, studio_world)
        found = {"light": violations_on(page)}
        page.evaluate(DARK)
        found["dark"] = violations_on(page, COLOUR_RULES)
    finally:
        page.close()
    failures = [f"{spec.name} ({spec.path} as {spec.role}, {theme} theme): "
                f"{len(violations)} axe rule(s) violated\n{described(violations)}"
                for theme, violations in found.items() if violations]
    assert not failures, "\n".join(failures)
