"""The OpenAPI document, checked by schemathesis with every check it has: it loads (and
so validates); property-based requests to every operation, with a real token, find no
500, no answer that breaks the document (status codes, content types, headers,
bodies), valid data accepted and invalid data refused; and the stateful phase follows
the document's links from what it creates (a generation, a webhook, a comment) to the
operations on it."""

import uuid

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from studio.api import quota, tokens, waiting
from studio.api.v1 import api
from studio.generations.models import Generation
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
# except where the document cannot say all a value must be: an uploaded image must
# decode and be 64 px a side or more, and a `source` or `file` id must be one of the
# team's, and a webhook's host must resolve to a public address, and each scene of a
# storyboard's script must have words to say within the API's limits: those are a 422
# naming the field.
CONFIG = SchemathesisConfig.from_dict({"operations": [{
    "include-operation-id": ["create_generation", "upload_file", "create_webhook",
                             "create_storyboard"],
    "checks": {"positive_data_acceptance": {"expected-statuses": [
        "2xx", "401", "403", "404", "409", "422", "429"]}}}]})


def loaded() -> schemathesis.BaseSchema:
    """The document the studio serves at /api/v1/openapi.json, called in process."""
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"),
                                            config=CONFIG)
    schema.app = application
    schema.location = "/api/v1/openapi.json"
    return schema


schema = loaded()
CURRENT = {}  # the token of the running test, made by the `bearer` fixture


@schema.auth(refresh_interval=None)
class TokenAuth:
    """The bearer token as schemathesis's own auth, so its auth checks know it is real
    and probe the operations without it."""

    def get(self, case, context) -> str:
        return CURRENT.get("secret", "none yet")

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
        if "Idempotency-Key" in case.headers:
            # A client's key names one request: the fuzzer's keys ("0", "a"...) meet
            # again with other bodies, which is the IETF draft's 422 (its own tests:
            # tests/api/test_rest_api.py).
            case.headers["Idempotency-Key"] = uuid.uuid4().hex


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
def bearer(db, team_a, owner, in_the_test_transaction, steady):
    CURRENT["secret"] = tokens.create(team_a, owner, name="schemathesis",
                                      scopes=["read", "generate", "admin"]).secret
    yield
    CURRENT.clear()


@schema.parametrize()
@settings(max_examples=EXAMPLES, **SETTINGS)
def test_every_operation_answers_within_its_document(case, bearer):
    case.call_and_validate()  # every check schemathesis has


def test_the_stateful_phase_follows_every_link(bearer):
    workflow = schema.as_state_machine()
    workflow.run(settings=settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=6,
                                   **SETTINGS))
    assert Generation.objects.exists()  # valid creates were made and followed
