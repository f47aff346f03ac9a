"""One timestamp format for every answer and every webhook: RFC 3339 in UTC with
milliseconds, `2026-12-07T17:30:00.000Z`."""

from datetime import UTC, datetime


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
