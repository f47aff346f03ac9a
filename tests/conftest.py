"""The shared world: team A (owner, teammate, viewer), team B (outsider), a sandbox."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.test import Client

from studio.multimodal.client import MultimodalClient
from studio.sandbox.models import SandboxAccount
from studio.teams.models import Membership, Role, Team

# Fixtures through which a test reaches a database (pytest-django refuses the database
# to every other test, so a test without one behaves the same on either engine).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences",
                     "django_db_serialized_rollback", "live_server"}

PASSWORD = "correct horse battery"
TOKEN_A = "sbx_team_a_token_0001"
TOKEN_B = "sbx_team_b_token_0002"


@pytest.fixture(autouse=True)
def _fast_and_private(settings, tmp_path, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # django-q2 reads its settings once at import: run tasks inline in the test.
    monkeypatch.setattr("django_q.conf.Conf.SYNC", True)
    settings.STUDIO_BALANCE_MAX_AGE = None  # pages must not call the API in tests
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Each test starts with an empty cache: without Redis it is a database table
    (settings.CACHES), which the flush after a transactional test leaves alone."""
    uses_db = {"_django_db_helper", "live_server"} & set(request.fixturenames)
    if uses_db or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")
        cache.clear()
        caches["cards"].clear()


def make_user(username: str):
    return get_user_model().objects.create_user(username, password=PASSWORD)


def make_team(name: str, token: str, *, tier: str = "premium", credits: int = 100_000):
    team = Team(name=name, tier=tier)
    team.api_token = token
    team.save()
    SandboxAccount.provision(token, tier=tier, label=name, credits=credits)
    return team


@pytest.fixture
def team_a(db):
    return make_team("Team A", TOKEN_A)


@pytest.fixture
def team_b(db):
    return make_team("Team B", TOKEN_B)


def member_of(team, username: str, role: str):
    user = make_user(username)
    Membership.objects.create(team=team, user=user, role=role)
    return user


@pytest.fixture
def owner(team_a):
    return member_of(team_a, "olivia", Role.OWNER)


@pytest.fixture
def teammate(team_a):
    return member_of(team_a, "tom", Role.MEMBER)


@pytest.fixture
def viewer(team_a):
    return member_of(team_a, "vera", Role.VIEWER)


@pytest.fixture
def outsider(team_b):
    return member_of(team_b, "otto", Role.OWNER)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return logged_in(owner)


@pytest.fixture
def teammate_client(teammate):
    return logged_in(teammate)


@pytest.fixture
def viewer_client(viewer):
    return logged_in(viewer)


@pytest.fixture
def outsider_client(outsider):
    return logged_in(outsider)


@pytest.fixture
def sandbox_url(live_server, settings):
    """The sandbox over a real loopback socket, and the teams pointed at it."""
    url = f"{live_server.url}/sandbox"
    settings.SANDBOX_URL = settings.DEFAULT_API_URL = url
    return url


@pytest.fixture
def api(sandbox_url, team_a):
    with MultimodalClient(sandbox_url, TOKEN_A, timeout=30) as client:
        yield client


class FakeClock:
    """The clock the dispatcher and the sandbox read, moved only by the test."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)

    def advance_to(self, moment) -> None:
        self.now = max(self.now, moment)


@pytest.fixture
def fake_clock(monkeypatch):
    from django.utils import timezone

    clock = FakeClock(timezone.now())
    monkeypatch.setattr("studio.lib.clock.now", clock)
    return clock


def on_servers() -> bool:
    """`make test`'s second run: PostgreSQL and Redis instead of SQLite."""
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def differs_by_engine(item: pytest.Item) -> bool:
    """Whether a test can behave differently on PostgreSQL + Redis than on SQLite.

    Tests without a database behave the same on both. Browser tests judge what a page
    does in the browser; what their server does with the database is covered on both
    engines by the tests below them and by the e2e tests, which run real processes.
    """
    if item.get_closest_marker("one_engine"):
        return False
    if item.get_closest_marker("servers") or item.get_closest_marker("e2e"):
        return True
    if item.get_closest_marker("browser"):
        return False
    return bool(item.get_closest_marker("django_db")
                or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the second run, only the tests whose outcome can depend on the engine."""
    if not on_servers():
        return
    same = [item for item in items if not differs_by_engine(item)]
    if same:
        config.hook.pytest_deselected(items=same)
        items[:] = [item for item in items if differs_by_engine(item)]
