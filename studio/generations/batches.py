"""One submission, many generations: a count, and alternatives written `{a|b|c}`.

`{dawn|dusk|night} harbour` makes three prompts; two such groups make every
combination; the count repeats each. A submission is one set, quoted and reserved
as a whole (views.submit), at most MAX_PER_SUBMISSION generations.
"""

import itertools
import re
from dataclasses import dataclass

from studio.multimodal import catalog

MAX_COUNT = 16
MAX_PER_SUBMISSION = 64
# A group: braces around at least two options separated by |, no braces inside.
ALTERNATIVES = re.compile(r"\{([^{}|]*(?:\|[^{}|]*)+)\}")


def expandable(kind: catalog.Kind) -> list[str]:
    """The parameters written as free text, where alternatives may stand."""
    return [p.name for p in kind.params
            if p.type is str and p.choices is None and not p.name.endswith("_url")]


def variants(text: str) -> list[str]:
    """Every combination of the text's alternatives, in reading order."""
    groups = ALTERNATIVES.findall(text)
    if not groups:
        return [text]
    pieces = ALTERNATIVES.split(text)  # literal, group, literal, group, ..., literal
    literals = pieces[::2]
    choices = [[option.strip() for option in group.split("|")] for group in groups]
    results = []
    for picked in itertools.product(*choices):
        parts = [literals[0]]
        for option, literal in zip(picked, literals[1:]):
            parts += [option, literal]
        results.append("".join(parts))
    return results


@dataclass(frozen=True)
class Plan:
    """What one submission makes: each generation's parameters, in order."""

    params: list[dict]

    @property
    def size(self) -> int:
        return len(self.params)


def combinations(kind: catalog.Kind, params: dict) -> int:
    """How many parameter sets the alternatives make, before the count."""
    total = 1
    for name in expandable(kind):
        value = params.get(name)
        if isinstance(value, str):
            total *= len(variants(value))
    return total


def expand(kind: catalog.Kind, params: dict, count: int) -> Plan:
    """Every combination of every free-text parameter's alternatives, `count` times."""
    names = [name for name in expandable(kind) if isinstance(params.get(name), str)]
    per_name = [variants(params[name]) for name in names]
    made = []
    for chosen in itertools.product(*per_name):
        one = {**params, **dict(zip(names, chosen))}
        made.extend(dict(one) for _ in range(count))
    return Plan(made)


def too_many(kind: catalog.Kind, params: dict, count: int) -> str:
    """The refusal when a submission would make more than the limit, else ""."""
    combos = combinations(kind, params)
    total = combos * count
    if total <= MAX_PER_SUBMISSION:
        return ""
    made = f"{combos} alternatives" if combos > 1 else "one prompt"
    times = f" × {count}" if count > 1 else ""
    return (f"This makes {total} generations ({made}{times}); at most "
            f"{MAX_PER_SUBMISSION} go in one submission.")
