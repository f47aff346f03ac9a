"""CSV exports streamed row by row, safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def safe(value: object) -> object:
    """Text a spreadsheet would run as a formula is prefixed with a quote; numbers
    (a refund's negative credits) pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows_as_csv(header: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe(cell) for cell in row])


def streamed(header: list[str], rows: Iterable[list[object]],
             filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows_as_csv(header, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
