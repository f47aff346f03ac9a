"""Database ids as people send them: in URL paths (`<id:pk>`) and in query strings.

A number no id column can hold must not reach the database: Django answers "no
match" for it in `pk=` lookups, but in `pk__in=` and raw SQL SQLite raises
OverflowError and PostgreSQL DataError, a 500 instead of a 404. So views never see one.
"""

import re

# The widest id column of any backend we run on: a signed 64-bit bigint.
LARGEST_ID = 2**63 - 1
ID_DIGITS = "[0-9]{1,19}"
_ID = re.compile(ID_DIGITS)


def parse_id(value: str) -> int | None:
    """The id `value` spells in ASCII digits, or None when no row could have it."""
    if not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if number <= LARGEST_ID else None


class IdConverter:
    """`<id:pk>`: like `<int:pk>`, but a number past a bigint does not match (a 404)."""

    regex = ID_DIGITS

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"{value} is larger than any id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
