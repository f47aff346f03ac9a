"""NUL characters refused at the door of the API: PostgreSQL stores no NUL in text nor
`\\u0000` in JSON, so a NUL anywhere in a query parameter or a JSON body would reach
the database as a crash. Django's form fields refuse them the same way
(ProhibitNullCharactersValidator); the API's document declares it on every free text
(document.without_nul)."""

import json

NO_NUL = r"^[^\x00]*$"  # a JSON Schema pattern: any text without a NUL


def where_nul(request) -> str:
    """Where the request holds a NUL ("the query parameter `member`", "`params.text`"),
    or "" when it holds none."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return f"the query parameter `{name.replace(chr(0), '')}`"
    if request.content_type != "application/json" or b"\\u0000" not in request.body:
        return ""
    try:
        found = json.loads(request.body)
    except ValueError:
        return ""  # the view's own parser says what is wrong with it
    path = nul_path(found, "")
    return f"`{path or 'the body'}`" if path is not None else ""


def nul_path(value, at: str) -> str | None:
    """The dotted path of the first string holding a NUL in `value`, or None."""
    if isinstance(value, str):
        return at if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        if isinstance(key, str) and "\x00" in key:
            return f"{at}.{key!r}".lstrip(".")
        found = nul_path(inner, f"{at}.{key}".lstrip("."))
        if found is not None:
            return found
    return None
