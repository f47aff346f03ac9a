"""Bad input to the team pages gets a 404, never a 500: a team that is no number,
and ids no database column can hold."""

import pytest
from django.urls import Resolver404, resolve

from studio.lib.converters import LARGEST_ID
from studio.teams.middleware import SESSION_KEY
from studio.teams.models import Membership, Role
from tests.teams.conftest import membership

PAST_BIGINT = str(LARGEST_ID + 1)
HUGE = "99999999999999999999"


@pytest.mark.parametrize("team", ["abc", "", "²", "-1", "1.5", HUGE, PAST_BIGINT])
def test_switching_to_a_team_that_is_no_id_is_a_404(owner_client, team):
    response = owner_client.post("/team/switch/", {"team": team})
    assert response.status_code == 404
    assert SESSION_KEY not in owner_client.session


def test_switching_to_a_team_by_its_id_still_works(owner_client, owner, team_a, team_b):
    Membership.objects.create(team=team_b, user=owner, role=Role.MEMBER)
    response = owner_client.post("/team/switch/", {"team": str(team_b.pk)})
    assert response.status_code == 302
    assert owner_client.session[SESSION_KEY] == team_b.pk


@pytest.mark.parametrize("url", ["/team/members/{}/role/", "/team/members/{}/cap/",
                                 "/team/members/{}/remove/",
                                 "/team/invitations/{}/revoke/"])
@pytest.mark.parametrize("number", [PAST_BIGINT, HUGE])
def test_member_or_invitation_id_past_a_bigint_is_a_404(owner_client, url, number):
    with pytest.raises(Resolver404):
        resolve(url.format(number))
    response = owner_client.post(url.format(number), {"role": "member", "monthly_cap": "5"})
    assert response.status_code == 404


def test_member_ids_still_reach_their_views(owner_client, teammate, team_a):
    url = f"/team/members/{membership(team_a, teammate).pk}/role/"
    assert owner_client.post(url, {"role": "admin"}).status_code == 302
    assert membership(team_a, teammate).role == Role.ADMIN
