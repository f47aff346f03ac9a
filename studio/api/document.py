"""The OpenAPI document made to say what the server does beyond what the operations'
types tell django-ninja: problems as application/problem+json, the quota's headers
on every answer, Retry-After on a 429, `Idempotency-Key` on every POST and
`Idempotent-Replayed` on its answers, media's content types and ranges, and that no
text holds a NUL character (studio/api/nul.py refuses one anywhere)."""

from studio.api import idempotency, quota
from studio.api.nul import NO_NUL
from studio.generations.models import CONTENT_TYPES

PROBLEM = "application/problem+json"
HEADERS = {
    "RateLimit": {"description": "Where the token stands in its quota (IETF draft "
                                 "RateLimit header fields): `\"token\";r=<remaining>;"
                                 "t=<seconds to reset>`.",
                  "schema": {"type": "string"}},
    "RateLimit-Policy": {"description": "The token's quota: `\"token\";q=<requests>;"
                                        "w=<window seconds>`.",
                         "schema": {"type": "string",
                                    "example": f'"{quota.POLICY}";'
                                               f"q={quota.TOKEN_RATE_PER_SECOND};"
                                               f"w={quota.WINDOW_SECONDS}"}},
    "Retry-After": {"description": "Seconds to wait before sending again.",
                    "schema": {"type": "integer", "minimum": 0}},
    idempotency.REPLAYED: {"description": "`true` when this is the kept answer to an "
                                          "earlier request with the same Idempotency-Key.",
                           "schema": {"type": "string", "enum": ["true", "false"]}},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Send the same key with the same request to have it done once: the "
                   "first answer is kept for 24 hours and replayed (with "
                   "`Idempotent-Replayed: true`); another request under a used key is "
                   "a 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY}}

RANGED = [
    {"name": "Range", "in": "header", "required": False,
     "description": "One range, `bytes=<first>-<last>` (or `bytes=-<suffix length>`): "
                    "answered with 206, or 416 past the file's end.",
     "schema": {"type": "string", "pattern": r"^bytes=(\d+-\d*|-\d+)$",
                "example": "bytes=0-1023"}},
    {"name": "If-None-Match", "in": "header", "required": False,
     "description": "The ETag of a copy you hold: 304 when it is this file.",
     "schema": {"type": "string"}},
]


# What an answer's `id` names, by its schema: the operations on `/<resource>/{pk}` it
# links to (OpenAPI links, which a client or a stateful fuzzer follows). Only the answers
# that bring a client the resource link: a creation's (201) and a read's; an action's
# answer (cancel, pause...) names what the client already holds.
LINKED = {"GenerationOut": "/api/v1/generations/{pk}", "WebhookOut": "/api/v1/webhooks/{pk}",
          "SetProgressOut": "/api/v1/sets/{pk}", "CommentOut": "/api/v1/comments/{pk}"}


def finish(schema: dict) -> dict:
    components = schema.setdefault("components", {})
    components["headers"] = HEADERS
    components.setdefault("schemas", {})
    add_links(schema["paths"])
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            operation["responses"] = merged(operation.get("responses", {}))
            for code, answer in operation["responses"].items():
                describe_answer(method, int(code), answer)
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            if "206" in operation["responses"]:
                operation.setdefault("parameters", []).extend(RANGED)
    without_nul(schema)
    return schema


NOT_BLANK = r"\S"
NOT_BLANK_NOR_NUL = r"^[^\x00]*[^\s\x00][^\x00]*$"


def without_nul(node) -> None:
    """Every free text of the document (no enum, no binary) says it holds no NUL."""
    if isinstance(node, list):
        for each in node:
            without_nul(each)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and "enum" not in node and "const" not in node \
            and node.get("format") != "binary":
        pattern = node.get("pattern")
        if pattern is None:
            node["pattern"] = NO_NUL
        elif pattern == NOT_BLANK:
            node["pattern"] = NOT_BLANK_NOR_NUL
    for key, inner in node.items():
        if key not in ("example", "examples", "default"):
            without_nul(inner)


def add_links(paths: dict) -> None:
    for operations in paths.values():
        for method, operation in operations.items():
            for code, answer in operation.get("responses", {}).items():
                ref = answer.get("content", {}).get("application/json", {}).get(
                    "schema", {}).get("$ref", "")
                target = LINKED.get(ref.rsplit("/", 1)[-1])
                if target and (str(code) == "201" or (method == "get" and str(code) == "200")):
                    answer["links"] = links_to(paths, target)


def links_to(paths: dict, resource: str) -> dict:
    return {operation["operationId"]: {
        "operationId": operation["operationId"],
        "parameters": {"pk": "$response.body#/id"}}
        for path, operations in paths.items() if path.startswith(resource)
        for operation in operations.values()}


def merged(responses: dict) -> dict:
    """django-ninja's answers (int codes) with an operation's `openapi_extra` ones
    (str codes) for the same status, as one answer per status."""
    answers: dict[str, dict] = {}
    for code, answer in responses.items():
        answers.setdefault(str(code), {}).update(answer)
    return dict(sorted(answers.items()))


def describe_answer(method: str, code: int, answer: dict) -> None:
    content = answer.get("content", {})
    if code >= 400 and "application/json" in content:
        answer["content"] = {PROBLEM: content["application/json"]}
    headers = answer.setdefault("headers", {})
    for name in ("RateLimit", "RateLimit-Policy"):
        headers[name] = {"$ref": f"#/components/headers/{name}"}
    if code in (429, 503) or (code == 409 and method == "post"):
        headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    if method == "post" and code < 500:
        headers[idempotency.REPLAYED] = {
            "$ref": f"#/components/headers/{idempotency.REPLAYED}"}


def media_answers(head: bool = False) -> dict:
    """The answers of an operation that serves a generation's file (a HEAD's have its
    headers and no body)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    files = {} if head else {content_type: binary
                             for content_type in sorted(set(CONTENT_TYPES.values()))}
    ranged = {"Content-Range": {"schema": {"type": "string"},
                                "description": "bytes <first>-<last>/<size>"},
              "Accept-Ranges": {"schema": {"type": "string", "enum": ["bytes"]}},
              "ETag": {"schema": {"type": "string"}}}
    whole = {"description": "The whole file.", "headers": {
        k: ranged[k] for k in ("Accept-Ranges", "ETag")}}
    part = {"description": "The bytes a `Range: bytes=<first>-<last>` asked for.",
            "headers": ranged}
    if files:
        whole["content"] = part["content"] = files
    return {
        "200": whole,
        "206": part,
        "304": {"description": "Not modified: the `If-None-Match` ETag is this file's."},
        "416": {"description": "The range is past the file's end; `Content-Range: "
                               "bytes */<size>` says its size.",
                "content": {PROBLEM: {"schema": {"$ref":
                                                 "#/components/schemas/ProblemOut"}}},
                "headers": {"Content-Range": ranged["Content-Range"]}},
    }
