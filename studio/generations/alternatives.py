r"""One submission, many generations: a count, and alternatives written `{a|b|c}`.

`{dawn|dusk|night} harbour` makes three prompts; two such groups make every
combination; the count repeats each. A submission is one set, quoted and reserved
as a whole (submission.py), at most MAX_PER_SUBMISSION generations.

The text is read once into literal pieces and groups (`parse`), and the number of
generations is the product of the groups' sizes times the count: it is known, and a
submission above the limit refused, before a single combination is built. Braces
do not nest; a literal brace is written `\{` (its `}` then needs no backslash;
`\}` and, inside a group, `\|` also work); `{word}` with no `|` is literal too.
"""

import itertools
from dataclasses import dataclass

from studio.multimodal import catalog

MAX_COUNT = 16
MAX_PER_SUBMISSION = 64
ESCAPED = "{}|"
ESCAPES_HELP = r"Write \{ for a literal brace."
WORDS_HELP = r"{a|b} makes one generation of each; \{ is a literal brace."


class BraceError(ValueError):
    """Alternatives written wrongly: the message says where and how to fix it."""


Piece = str | tuple[str, ...]  # literal text, or a group's options


def parse(text: str) -> list[Piece]:
    """The text as literal pieces and groups of options, in reading order."""
    pieces: list[Piece] = []
    literal: list[str] = []
    group: list[list[str]] | None = None  # the options of an open group
    literal_open = 0  # \{ written and not yet closed: its } is literal too
    chars = iter(enumerate(text))
    for at, char in chars:
        if char == "\\" and text[at + 1:at + 2] in tuple(ESCAPED):
            escaped = next(chars)[1]
            (group[-1] if group is not None else literal).append(escaped)
            literal_open += escaped == "{" and group is None
        elif char == "}" and group is None and literal_open:
            literal.append(char)
            literal_open -= 1
        elif char == "{":
            if group is not None:
                raise BraceError(f"Braces cannot nest (at character {at + 1}): put "
                                 f"groups side by side, like {{a|b}} {{c|d}}. {ESCAPES_HELP}")
            group = [[]]
        elif char == "}":
            if group is None:
                raise BraceError(f"A }} at character {at + 1} closes no {{. {ESCAPES_HELP}")
            options = tuple("".join(option).strip() for option in group)
            if len(options) > 1:
                pieces += ["".join(literal), options]
                literal = []
            else:
                literal += ["{", *group[0], "}"]
            group = None
        elif char == "|" and group is not None:
            group.append([])
        else:
            (group[-1] if group is not None else literal).append(char)
    if group is not None:
        raise BraceError(f"A {{ is never closed: end the group with }}. {ESCAPES_HELP}")
    return [*pieces, "".join(literal)]


def how_many(text: str) -> int:
    """How many texts the alternatives make, without making them."""
    total = 1
    for piece in parse(text):
        if isinstance(piece, tuple):
            total *= len(piece)
    return total


def variants(text: str) -> list[str]:
    """Every combination of the text's alternatives, in reading order (call it only
    once `how_many` is within the limit)."""
    pieces = parse(text)
    choices = [piece if isinstance(piece, tuple) else (piece,) for piece in pieces]
    return ["".join(picked) for picked in itertools.product(*choices)]


@dataclass(frozen=True)
class Plan:
    """What one submission makes: each generation's parameters, in order."""

    params: list[dict]

    @property
    def size(self) -> int:
        return len(self.params)


def expandable(kind: catalog.Kind) -> list[str]:
    """The parameters written as free text, where alternatives may stand."""
    return [p.name for p in kind.params
            if p.type is str and p.choices is None and not p.name.endswith("_url")]


def written(kind: catalog.Kind, params: dict) -> list[str]:
    return [name for name in expandable(kind) if isinstance(params.get(name), str)]


def brace_errors(kind: catalog.Kind, params: dict) -> dict[str, str]:
    """Each free-text parameter whose alternatives are written wrongly, and why."""
    problems = {}
    for name in written(kind, params):
        try:
            parse(params[name])
        except BraceError as exc:
            problems[name] = str(exc)
    return problems


def combinations(kind: catalog.Kind, params: dict) -> int:
    """How many parameter sets the alternatives make, before the count."""
    total = 1
    for name in written(kind, params):
        total *= how_many(params[name])
    return total


def expand(kind: catalog.Kind, params: dict, count: int) -> Plan:
    """Every combination of every free-text parameter's alternatives, `count` times."""
    names = written(kind, params)
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
    made = f"{amount(combos)} alternatives" if combos > 1 else "one prompt"
    times = f" × {count}" if count > 1 else ""
    return (f"This makes {amount(total)} generations ({made}{times}); at most "
            f"{MAX_PER_SUBMISSION} go in one submission.")


def amount(number: int) -> str:
    return f"{number:,}" if number < 10**9 else "over a billion"
