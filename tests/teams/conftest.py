"""Team A's admin (ada), on top of the shared world in tests/conftest.py."""

import pytest

from studio.teams.models import Membership, Role
from tests.conftest import logged_in, member_of


@pytest.fixture
def team_admin(team_a):
    return member_of(team_a, "ada", Role.ADMIN)


@pytest.fixture
def team_admin_client(team_admin):
    return logged_in(team_admin)


def membership(team, user) -> Membership:
    return Membership.objects.get(team=team, user=user)
