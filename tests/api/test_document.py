"""The OpenAPI document is exactly the server: what it declares is what is taken and
answered, built from the catalog (the one source of every parameter's rule)."""

import pytest
from django.test import Client

from studio.api import tokens
from studio.api.service import UNKNOWN_FIELD
from studio.api.v1 import api
from studio.multimodal import catalog

SPEECH = {"kind": "tts", "params": {"text": "Hello.", "voice": "Wise_Woman"}}


@pytest.fixture(scope="module")
def document() -> dict:
    return api.get_openapi_schema(path_prefix="/api/v1")


@pytest.fixture
def writer(team_a, owner) -> Client:
    secret = tokens.create(team_a, owner, name="t", scopes=["read", "generate"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def create(http: Client, body: dict):
    return http.post("/api/v1/generations", body, content_type="application/json")


def schema_of(document: dict, name: str) -> dict:
    return document["components"]["schemas"][name]


def test_unknown_fields_are_refused_by_name(writer):
    misspelt = create(writer, {"kind": "tts", "params": {"text": "Hi.", "voise": "x"}})
    assert misspelt.status_code == 422
    assert misspelt.json()["errors"] == {"params.voise": [UNKNOWN_FIELD]}
    top_level = create(writer, {**SPEECH, "sync": True})
    assert top_level.status_code == 422 and set(top_level.json()["errors"]) == {"sync"}
    unknown_kind = create(writer, {"kind": "song", "params": {}})
    assert unknown_kind.status_code == 422 and "kind" in unknown_kind.json()["errors"]


def test_values_are_not_coerced_past_their_declared_type(writer):
    answer = create(writer, {"kind": "image", "params": {"prompt": "a fox", "width": "512"}})
    assert answer.status_code == 422 and "params.width" in answer.json()["errors"]
    assert create(writer, {**SPEECH, "count": 17}).json()["errors"].keys() == {"count"}


def test_params_are_one_schema_per_kind_with_the_catalogs_rules(document):
    body = document["paths"]["/api/v1/generations"]["post"]["requestBody"]
    union = body["content"]["application/json"]["schema"]
    assert union["discriminator"]["propertyName"] == "kind"
    assert set(union["discriminator"]["mapping"]) == set(catalog.KINDS)
    image = schema_of(document, "ImageParams")
    width = catalog.KINDS["image"].param("width")
    assert image["properties"]["width"]["type"] == "integer"
    assert (image["properties"]["width"]["minimum"],
            image["properties"]["width"]["maximum"]) == (width.min, width.max)
    assert image["additionalProperties"] is False
    voices = schema_of(document, "TtsParams")["properties"]["voice"]
    assert voices["enum"] == list(catalog.VOICES) and voices["default"] == "Wise_Woman"
    assert schema_of(document, "TtsParams")["required"] == ["text"]
    i2v = schema_of(document, "VideoI2VParams")
    assert i2v["oneOf"] == [{"required": ["image_url"]}, {"required": ["source"]},
                            {"required": ["file"]}]


def test_enums_for_kinds_statuses_lanes_and_roles(document):
    generation = schema_of(document, "GenerationOut")["properties"]
    assert generation["kind"]["enum"] == list(catalog.ALL_KINDS)
    assert generation["status"]["enum"] == ["queued", "running", "succeeded", "failed",
                                            "canceled"]
    assert generation["lane"]["enum"] == ["urgent", "normal", "background"]
    token = schema_of(document, "TokenUsageOut")["properties"]
    assert set(token["role"]["enum"]) == {"owner", "admin", "member", "viewer"}


def test_every_post_declares_idempotency_and_every_429_retry_after(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            if method == "post":
                assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
                success = next(a for code, a in answers.items() if code.startswith("2"))
                assert "Idempotent-Replayed" in success["headers"], path
            if "429" in answers:
                assert "Retry-After" in answers["429"]["headers"], path
            assert all("RateLimit" in a["headers"] for a in answers.values()), path
            problems = [a for code, a in answers.items() if int(code) >= 400]
            assert all(list(a["content"]) == ["application/problem+json"]
                       for a in problems if "content" in a), path


def test_media_declares_its_content_types_ranges_and_not_ready(document):
    media = document["paths"]["/api/v1/generations/{pk}/media"]["get"]["responses"]
    assert {"200", "206", "304", "409", "416"} <= set(media)
    assert {"audio/mpeg", "image/png", "video/mp4"} <= set(media["206"]["content"])
    assert "Content-Range" in media["206"]["headers"]


def test_operation_ids_are_the_names_a_client_calls(document):
    ids = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    assert {"create_generation", "get_generation", "list_generations",
            "cancel_generation", "download_generation_media", "list_kinds",
            "get_balance"} <= ids


def test_kinds_say_json_types_and_integers_as_integers(writer):
    answer = writer.get("/api/v1/kinds")
    kinds = answer.json()["items"]
    image = next(k for k in kinds if k["kind"] == "image")
    width = next(p for p in image["params"] if p["name"] == "width")
    assert width["type"] == "integer" and '"min": 512,' in answer.content.decode()
    assert {p["type"] for k in kinds for p in k["params"]} == {
        "string", "integer", "number"}


def test_what_a_create_answers_links_to_the_operations_on_it(document):
    created = document["paths"]["/api/v1/generations"]["post"]["responses"]["201"]
    assert {"get_generation", "cancel_generation", "download_generation_media"} <= set(
        created["links"])
    assert created["links"]["cancel_generation"]["parameters"] == {
        "pk": "$response.body#/id"}


def test_an_integer_may_be_written_whole_as_json_allows_and_a_key_not_empty(writer):
    assert create(writer, {**SPEECH, "count": 1.0}).status_code == 201
    empty_key = writer.post("/api/v1/generations", SPEECH, content_type="application/json",
                            headers={"Idempotency-Key": ""})
    assert empty_key.status_code == 400
    assert empty_key.json()["type"].endswith("/bad-idempotency-key")


def every_schema_class(root) -> list[type]:
    found = []
    for child in root.__subclasses__():
        found += [child, *every_schema_class(child)]
    return found


def test_no_two_schemas_share_a_name(document):
    """The document names each schema once: a second class of one name takes the first's
    place (the media link's answer was drawn as a share link's)."""
    from ninja import Schema
    ours = {cls for cls in every_schema_class(Schema) if cls.__module__.startswith("studio.")}
    names = [cls.__name__ for cls in ours]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []
