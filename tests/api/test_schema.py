"""The OpenAPI document, checked by schemathesis: it loads (and so validates), and
property-based requests to every operation, with a real token, find no 500 and no
answer that breaks the document (status codes, content types, bodies)."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from studio.api import tokens, waiting
from studio.api.v1 import api
from studio.wsgi import application

# Its operations are items that share one node id, which pytest-xdist runs as one:
# `make test` runs this module in a process of its own.
pytestmark = pytest.mark.serial

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def loaded() -> schemathesis.BaseSchema:
    """The document the studio serves at /api/v1/openapi.json, called in process."""
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
    schema.app = application
    schema.location = "/api/v1/openapi.json"
    return schema


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
def no_waiting(monkeypatch):
    """A generated `Prefer: wait=N` would hold each case N real seconds: nothing works
    on the queue here, so a wait only ever runs out."""
    monkeypatch.setattr(waiting, "MAX_WAIT", 0)


@pytest.fixture
def bearer(db, team_a, owner, in_the_test_transaction, no_waiting) -> dict:
    secret = tokens.create(team_a, owner, name="schemathesis",
                           scopes=["read", "generate", "admin"]).secret
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_every_operation_answers_within_its_document(case, bearer):
    case.headers = {**(case.headers or {}), **bearer}
    case.call_and_validate(checks=CHECKS)
