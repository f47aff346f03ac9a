"""The OpenAPI document, checked by schemathesis with every check it has: it loads (and
so validates); property-based requests to every operation, with a real token, find no
500, no answer that breaks the document (status codes, content types, headers,
bodies), valid data accepted and invalid data refused; every link of the document is
followed from a real answer (a generation, a webhook, a comment, a set) to the operation
it names; and the stateful phase runs sampled sequences of linked calls."""

import copy
import functools
import io
import tempfile
import uuid
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.files.base import ContentFile
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings, strategies
from PIL import Image
from schemathesis.generation import GenerationMode

from studio.api import files, quota, tokens, waiting
from studio.api.v1 import api
from studio.generations import storage
from studio.generations.models import Generation
from studio.generations.states import Status
from studio.sandbox import video
from studio.wsgi import application

# Its operations are items that share one node id, which pytest-xdist runs as one:
# `make test` runs this module in a process of its own.
pytestmark = pytest.mark.serial

# Cases per operation (40 operations: at most 1,000), and runs of the stateful phase (up
# to 6 linked calls each): under a minute on this machine.
EXAMPLES = 25
STATEFUL_EXAMPLES = 40
SETTINGS = {"deadline": None, "derandomize": True,
            "suppress_health_check": [HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow, HealthCheck.filter_too_much]}


# Valid data must be accepted (2xx; or 401, 403, 404, 409, 429 as schemathesis allows),
# for every operation: see "what the document cannot say" below, and the images here.
@strategies.composite
def images(draw, image_format: str) -> bytes:
    """An image of a media type the upload takes, 64 px a side or more: what a file
    of that type holds (schemathesis would send random bytes)."""
    size = (draw(strategies.integers(64, 160)), draw(strategies.integers(64, 160)))
    colour = tuple(draw(strategies.integers(0, 255)) for _ in range(3))
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, image_format)
    return out.getvalue()


for media_type in files.IMAGE_TYPES:
    schemathesis.openapi.media_type(media_type, images(media_type.split("/")[1].upper()))


CURRENT = {}  # the token of the running test and the team's items, made by `bearer`


# --- what the document cannot say a value must be -------------------------------------
# A few rules cannot be written in JSON Schema: an id must name one of the team's items
# (a finished image or video, an uploaded file), a webhook's host must resolve to a
# public address, a storyboard's every scene must have words to say within the API's
# limits. Generated positive cases meet them here, as a client's real data would; what
# breaks them is a 422 naming the field (tests/api, tests/storyboards).

PUBLIC_HOOK = "https://203.0.113.7/hooks/studio"  # an address, so nothing resolves it
SCRIPT = "The harbour wakes at dawn.\n\nBoats drift out past the lighthouse."


def image_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (96, 64), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


SOURCES = {"tts": "video", "video_i2v": "image"}  # the media a kind's `source` names


def real_generation(case) -> None:
    if not isinstance(case.body, dict):
        return
    params, kind = case.body.get("params"), case.body.get("kind")
    if isinstance(params, dict) and kind in SOURCES:
        if "source" in params:
            params["source"] = CURRENT[SOURCES[kind]]
        if "file" in params:
            params["file"] = CURRENT["file"]
        if params.pop("image_url", None) is not None:  # the API would fetch it: no network
            params["source"] = CURRENT["image"]
    if "webhook" in case.body:
        case.body["webhook"] = PUBLIC_HOOK


def real_webhook(case) -> None:
    if isinstance(case.body, dict) and "url" in case.body:
        case.body["url"] = PUBLIC_HOOK


def real_storyboard(case) -> None:
    if isinstance(case.body, dict) and "script" in case.body:
        case.body["script"] = SCRIPT
        case.body["look"] = case.body.get("look", "")[:40]  # appended to each picture prompt


REAL_DATA = {"POST /api/v1/generations": real_generation,
             "POST /api/v1/webhooks": real_webhook,
             "POST /api/v1/storyboards": real_storyboard}


def positive(case) -> bool:
    return case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE


def map_case(context, case):
    """Positive cases only: a negative one must stay what the server refuses. Cases
    share their bodies' objects, so a body is copied before it changes."""
    if positive(case) and "image" in CURRENT and (
            make_real := REAL_DATA.get(case.operation.label)):
        case.body = copy.deepcopy(case.body)
        make_real(case)
    return case


class TokenAuth:
    """The bearer token as schemathesis's own auth, so its auth checks know it is real
    and probe the operations without it."""

    def get(self, case, context) -> str:
        return CURRENT.get("secret", "none yet")

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
        if "Idempotency-Key" in case.headers and positive(case):
            # A client's key names one request: the fuzzer's keys ("0", "a"...) meet
            # again with other bodies, which is the IETF draft's 422 (its own tests:
            # tests/api/test_rest_api.py). A key that breaks the document stays.
            case.headers["Idempotency-Key"] = uuid.uuid4().hex


def loaded() -> schemathesis.BaseSchema:
    """The document the studio serves at /api/v1/openapi.json, called in process, with
    this module's hook and auth."""
    loading = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
    loading.app = application
    loading.location = "/api/v1/openapi.json"
    loading.hook(map_case)
    loading.auth(refresh_interval=None)(TokenAuth)
    return loading


schema = loaded()


@pytest.fixture
def in_the_test_transaction():
    """Called in process, the app would close the database connection at the end of
    each request (PostgreSQL: the test's own transaction); Django's test client
    disconnects the same signals."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def steady(monkeypatch):
    """Answers that depend on the data alone, not on the wall clock: a generated
    `Prefer: wait=N` would hold each case N real seconds (nothing works the queue here,
    so a wait only ever runs out), and the per-second quota would answer 429 by how
    fast the machine is, which the stateful phase takes for flaky data."""
    monkeypatch.setattr(waiting, "MAX_WAIT", 0)
    monkeypatch.setattr(quota, "TOKEN_RATE_PER_SECOND", 1_000_000)


@pytest.fixture
def bearer(request, db, team_a, owner, steady):
    secret = tokens.create(team_a, owner, name="schemathesis",
                           scopes=["read", "generate", "admin"]).secret
    CURRENT.update(secret=secret, image=finished_image(team_a, owner).pk,
                   video=finished_video(team_a, owner).pk, file=uploaded_file(secret))
    # After the upload: Django's test client connects close_old_connections again
    # after each of its requests, which would close PostgreSQL's test transaction.
    request.getfixturevalue("in_the_test_transaction")
    yield
    CURRENT.clear()


def finished_image(team, author) -> Generation:
    image = Generation.objects.create(team=team, author=author, kind="image", cost=50,
                                      params={"prompt": "a harbour"},
                                      status=Status.SUCCEEDED, media_format="png",
                                      width=96, height=64)
    image.media.save(f"{image.pk}.png", ContentFile(image_bytes()))
    return image


@functools.cache
def clip() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return video.render_t2v("a harbour at dawn", 2, Path(folder)).path.read_bytes()


def finished_video(team, author) -> Generation:
    clip_item = Generation.objects.create(team=team, author=author, kind="video_t2v",
                                          cost=1000, params={"prompt": "a harbour at dawn"},
                                          status=Status.SUCCEEDED, media_format="mp4")
    clip_item.media.save(f"{clip_item.pk}.mp4", ContentFile(clip()), save=False)
    storage.describe_video(clip_item)
    clip_item.save()
    return clip_item


def uploaded_file(secret: str) -> int:
    sent = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        "/api/v1/files", image_bytes(), content_type="image/png")
    assert sent.status_code == 201, sent.content
    return sent.json()["id"]


@schema.parametrize()
@settings(max_examples=EXAMPLES, **SETTINGS)
def test_every_operation_answers_within_its_document(case, bearer):
    case.call_and_validate()  # every check schemathesis has


def test_the_stateful_phase_runs_linked_calls(bearer):
    """Sampled sequences of calls, some through links: what one call's state does to the
    next (every link is followed in the test below)."""
    workflow = schema.as_state_machine()
    workflow.run(settings=settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=6,
                                   **SETTINGS))
    assert Generation.objects.exists()  # valid creates were made and followed


# --- every link, followed -------------------------------------------------------------
# The stateful phase picks its links at random (10 of 59 in 150 runs): here each link
# of the document is followed once, from a real answer of its operation, with
# schemathesis's own link resolution and positive data, and every check on the answer.

SERVED = api.get_openapi_schema(path_prefix="/api/v1")
OPERATION_IDS = {f"{method.upper()} {path}": operation["operationId"]
                 for path, operations in SERVED["paths"].items()
                 for method, operation in operations.items()}
DECLARED_LINKS = {(f"{method.upper()} {path}", link["operationId"])
                  for path, operations in SERVED["paths"].items()
                  for method, operation in operations.items()
                  for answer in operation["responses"].values()
                  for link in answer.get("links", {}).values()}


def on_the_finished_image(operation) -> dict:
    """An operation on one generation acts on the team's finished image (so a vary
    makes a set); on a queued one, most answer 409."""
    return {"pk": CURRENT["image"]} if "{pk}" in operation.path and operation.path.startswith(
        "/api/v1/generations/") else {}


LAST = ("delete_generation", "delete_webhook", "delete_comment", "cancel_generation")


def follow_links(draw, operation, case, answer, walk: dict) -> None:
    walked = walk["schema"]
    operations = {each.label: each for each in (r.ok() for r in walked.get_all_operations())}
    candidates = walked.iter_link_candidates(operation=operation, case=case, response=answer,
                                             operations_by_label=operations,
                                             excluded_labels=set())
    candidates.sort(key=lambda candidate: OPERATION_IDS[candidate[0].label] in LAST)
    for target, overrides in candidates:
        link = (operation.label, OPERATION_IDS[target.label])
        linked = draw(target.as_strategy(GenerationMode.POSITIVE, auth_storage=walked.auth,
                                         **overrides))
        try:
            reply = linked.call_and_validate()
        except Exception as failure:  # every link's failure, not only the first one's
            walk["failures"].append(f"{link}: {failure}")
            continue
        if reply.status_code == 404:
            walk["failures"].append(f"{link}: 404, the link named no item")
        walk["followed"].add(link)
        if reply.status_code < 300 and target.label not in walk["sourced"]:
            walk["sourced"].add(target.label)
            walk["sources"].append((target, linked, reply))


def first_answers(draw, walk: dict) -> None:
    """A real answer (2xx) of each operation whose answers link."""
    for operation in (result.ok() for result in walk["schema"].get_all_operations()):
        if any(operation.label == source for source, _ in DECLARED_LINKS):
            for _ in range(20):  # a draw the quota or budget refuses: another one
                case = draw(operation.as_strategy(
                    GenerationMode.POSITIVE, auth_storage=walk["schema"].auth,
                    path_parameters=on_the_finished_image(operation) or None))
                try:
                    answer = case.call_and_validate()
                except Exception as failure:
                    walk["failures"].append(f"{operation.label}: {failure}")
                    continue
                if answer.status_code < 300:
                    walk["sourced"].add(operation.label)
                    walk["sources"].append((operation, case, answer))
                    break


def test_every_link_in_the_document_is_followed(bearer):
    walk = {"schema": loaded(),  # without the links a stateful phase inferred and added
            "sources": [], "sourced": set(), "followed": set(), "failures": []}

    @given(data=strategies.data())
    @settings(max_examples=1, phases=[Phase.generate], database=None, **SETTINGS)
    def walk_once(data):  # one draw of everything; a failure is collected, not replayed
        first_answers(data.draw, walk)
        while walk["sources"]:
            follow_links(data.draw, *walk["sources"].pop(0), walk)

    walk_once()
    assert walk["failures"] == []
    assert DECLARED_LINKS - walk["followed"] == set()
