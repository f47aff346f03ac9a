"""axe-core on every page and state of the list (pages.py), in the light and the dark
theme, at 1440 px: a violation of any rule, of any impact, fails the page, naming the
rule, what it asks for and the elements that break it."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.pages import PAGE_NAMES, PAGES, PageSpec
from tests.browser.world import THEMES, Contexts, World

pytestmark = [pytest.mark.browser, pytest.mark.pages]

AXE = Axe()
NODES_SHOWN = 8


def violations_on(page: Page) -> list[dict]:
    """axe-core's default rules (WCAG 2.x A and AA, and its best practices)."""
    return AXE.run(page).response["violations"]


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


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("spec", PAGES, ids=PAGE_NAMES)
def test_page_has_no_accessibility_violations(spec: PageSpec, theme: str,
                                              contexts: Contexts,
                                              studio_world: World) -> None:
    page = contexts.page(spec.role, theme=theme)
    try:
        spec.visit(page, studio_world)
        violations = violations_on(page)
    finally:
        page.close()
    assert not violations, (
        f"{spec.name} ({spec.path} as {spec.role}, {theme} theme): "
        f"{len(violations)} axe rule(s) violated\n{described(violations)}")
