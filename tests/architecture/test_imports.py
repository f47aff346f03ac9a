"""The direction of the code: no import cycle between apps or between modules.

Every import counts, also those inside functions (a deferred import hides a cycle,
it does not remove it), and a module named in a dotted string (a task handed over by
name) counts for the direction. Migrations are history and are left out.
"""

import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "studio"
# Which app may import which: each only from those listed before it.
LAYERS = ["lib", "multimodal", "sandbox", "teams", "events", "credits", "generations",
          "finishing", "review", "storyboards", "api", "project"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def imported(path: Path, known: dict[str, Path]) -> set[str]:
    """The studio modules `path` imports, wherever in it the import stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else "project"


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(path, known) - {name} for name, path in known.items()}


def test_no_module_imports_itself_round_a_cycle(graph):
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        pytest.fail(f"import cycle: {' -> '.join(cycle.args[1])}")


def test_apps_depend_one_way(graph):
    wrong = defaultdict(set)
    for module, targets in graph.items():
        for target in targets:
            source_app, target_app = app_of(module), app_of(target)
            if LAYERS.index(target_app) > LAYERS.index(source_app):
                wrong[f"{source_app} -> {target_app}"].add(f"{module} -> {target}")
    assert not wrong, dict(wrong)


def test_credits_knows_nothing_of_generations(graph):
    assert not {t for m, ts in graph.items() if app_of(m) == "credits" for t in ts
                if app_of(t) == "generations"}


def named_by_string(path: Path, known: dict[str, Path]) -> set[str]:
    """The studio modules `path` names in a dotted string ("studio.app.module.func", as
    django-q2 tasks and settings are named): a dependency no import shows."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.startswith("studio."):
            name = node.value
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != "studio":  # "studio.requests": a logger, not a module
                found.add(name)
    return found


def test_no_app_names_one_above_it_in_a_string():
    known = modules()
    wrong = {f"{module} -> {target}"
             for module, path in known.items() for target in named_by_string(path, known)
             if LAYERS.index(app_of(target)) > LAYERS.index(app_of(module))}
    assert not wrong, sorted(wrong)
