"""Team scoping is enforced, not stated: no query filters on a team by hand.

Every list of team data goes through `Model.objects.for_team(team)` (studio.lib.
team_scope), reached from a page through studio.teams.scoping. A `.filter(team=...)`
(or `team_id=`, `generation__team=`...) anywhere else in the studio is a second way
in, and this test names it.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERIES = {"filter", "exclude", "get"}  # a write keyed by its team (get_or_create) is no list
# The sandbox stands in for the API: its rows belong to API accounts, not teams.
OUTSIDE = ("migrations", "sandbox")
ALLOWED = {Path("studio/lib/team_scope.py")}


def team_lookups(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in QUERIES:
            for keyword in node.keywords:
                words = (keyword.arg or "").split("__")
                if "team" in words or "team_id" in words:
                    yield node.lineno, keyword.arg


def hand_written_team_filters() -> list[str]:
    found = []
    for path in sorted((ROOT / "studio").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if any(part in OUTSIDE for part in relative.parts) or relative in ALLOWED:
            continue
        found += [f"{relative}:{line} {arg}="
                  for line, arg in team_lookups(ast.parse(path.read_text()))]
    return found


def test_no_query_filters_on_a_team_by_hand():
    assert hand_written_team_filters() == []
