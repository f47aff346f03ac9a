"""One shape for each thing: every list `{items, next}` paged by `cursor` and `limit`;
one timestamp format; absolute URLs; a generation's set, timings and links wherever it
is shown."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from studio.api import tokens
from studio.api.models import WebhookEndpoint
from studio.api.v1 import api
from studio.generations.models import Generation

SPEECH = {"kind": "tts", "params": {"text": "Hello.", "voice": "Wise_Woman"}}
RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def admin(team_a, owner) -> Client:
    secret = tokens.create(team_a, owner, name="t",
                           scopes=["read", "generate", "admin"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def create(http: Client, body=SPEECH) -> dict:
    return http.post("/api/v1/generations", body, content_type="application/json").json()


def every_page(http: Client, path: str, limit: int) -> list[list]:
    pages, url = [], f"{path}?limit={limit}"
    while url:
        answer = http.get(url).json()
        assert set(answer) == {"items", "next"} and len(answer["items"]) <= limit
        pages.append(answer["items"])
        url = answer["next"]
        assert url is None or url.startswith("http://testserver/api/v1/")
    return pages


def test_every_list_operation_is_items_and_next_with_cursor_and_limit():
    document = api.get_openapi_schema(path_prefix="/api/v1")
    answers = {(path, method): op["responses"]["200"].get("content", {}).get(
        "application/json", {}).get("schema", {}) for path, ops in document["paths"].items()
        for method, op in ops.items() if "200" in op["responses"]}
    assert not [where for where, schema in answers.items() if schema.get("type") == "array"]
    lists = [(path, document["paths"][path][method]) for (path, method), schema
             in answers.items() if schema.get("$ref", "").endswith("Page")]
    assert {"/api/v1/kinds", "/api/v1/generations", "/api/v1/credits/ledger",
            "/api/v1/webhooks", "/api/v1/webhooks/{pk}/deliveries", "/api/v1/problems",
            "/api/v1/generations/{pk}/comments"} <= {path for path, _ in lists}
    for path, operation in lists:
        page = document["components"]["schemas"][operation["responses"]["200"]["content"][
            "application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"items", "next"}
        assert {"cursor", "limit"} <= {p["name"] for p in operation["parameters"]}, path


def test_lists_page_to_the_end_by_their_next_urls(admin, team_a):
    made = [create(admin)["id"] for _ in range(3)]
    assert [len(p) for p in every_page(admin, "/api/v1/kinds", 2)] == [2, 2, 1]
    pages = every_page(admin, "/api/v1/generations", 2)
    assert [g["id"] for page in pages for g in page] == made[::-1]
    for n in range(3):
        WebhookEndpoint.objects.create(team=team_a, url=f"https://h{n}.example/",
                                       events=["generation.succeeded"], secret="whsec_x")
    assert [len(p) for p in every_page(admin, "/api/v1/webhooks", 2)] == [2, 1]
    for text in ("one", "two", "three"):
        admin.post(f"/api/v1/generations/{made[0]}/comments", {"text": text},
                   content_type="application/json")
    comments = every_page(admin, f"/api/v1/generations/{made[0]}/comments", 2)
    assert [c["text"] for page in comments for c in page] == ["one", "two", "three"]
    assert every_page(admin, "/api/v1/credits/ledger", 2) == [[]]
    hook = WebhookEndpoint.objects.first().pk
    assert every_page(admin, f"/api/v1/webhooks/{hook}/deliveries", 2) == [[]]


def test_a_generation_shows_its_set_timings_and_links_everywhere(admin):
    made = create(admin, {**SPEECH, "count": 2})
    shown = admin.get(f"/api/v1/generations/{made['id']}").json()
    listed = admin.get("/api/v1/generations").json()["items"]
    for generation in (made, shown, *listed):
        assert generation["set"]["size"] == 2 and len(generation["set"]["ids"]) == 2
        assert generation["started_at"] is None and generation["finished_at"] is None
        assert generation["timings"] == {"waited_ms": None, "ran_ms": None, "total_ms": None}
        at = f"http://testserver/api/v1/generations/{generation['id']}"
        assert generation["links"] == {"self": at, "cancel": f"{at}/cancel", "media": None}
    canceled = admin.post(made["links"]["cancel"]).json()
    assert canceled["links"]["cancel"] is None and RFC3339_MS.match(canceled["finished_at"])
    assert canceled["timings"]["waited_ms"] is None and canceled["timings"]["total_ms"] >= 0


def test_timings_are_the_waits_and_the_run_in_whole_milliseconds(admin):
    made = create(admin)
    created = Generation.objects.get(pk=made["id"]).created_at
    Generation.objects.filter(pk=made["id"]).update(
        started_at=created + timedelta(seconds=1.25),
        finished_at=created + timedelta(seconds=4.5))
    shown = admin.get(f"/api/v1/generations/{made['id']}").json()
    assert shown["timings"] == {"waited_ms": 1250, "ran_ms": 3250, "total_ms": 4500}


def test_one_timestamp_format_everywhere(admin):
    made = create(admin)
    Generation.objects.filter(pk=made["id"]).update(expected_start_at=None)
    assert RFC3339_MS.match(made["created_at"])
    assert RFC3339_MS.match(admin.get(f"/api/v1/generations/{made['id']}").json()[
        "created_at"])
    assert RFC3339_MS.match(admin.get("/api/v1/tokens/me").json()["created_at"])
