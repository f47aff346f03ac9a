"""The members page: roles, monthly caps, removal, and the audit line for each."""

from studio.teams.models import AuditEvent, Membership, Role
from tests.conftest import member_of
from tests.teams.conftest import membership

Action = AuditEvent.Action


def role_url(team, user) -> str:
    return f"/team/members/{membership(team, user).pk}/role/"


def cap_url(team, user) -> str:
    return f"/team/members/{membership(team, user).pk}/cap/"


def remove_url(team, user) -> str:
    return f"/team/members/{membership(team, user).pk}/remove/"


def test_members_page_lists_everyone_with_role_and_cap(team_admin_client, owner, teammate,
                                                       viewer, team_a):
    Membership.objects.filter(user=teammate).update(monthly_cap=250)
    html = team_admin_client.get("/team/members/").content.decode()
    for name in ("olivia", "tom", "vera", "ada"):
        assert f'data-member="{name}"' in html
    assert 'value="250"' in html
    assert "Owner" in html and "Viewer" in html


def test_admin_promotes_a_member_to_admin_and_it_is_audited(team_admin_client, team_admin,
                                                            teammate, team_a):
    response = team_admin_client.post(role_url(team_a, teammate), {"role": "admin"})
    assert response.status_code == 302 and response.url == "/team/members/"
    assert membership(team_a, teammate).role == Role.ADMIN
    event = AuditEvent.objects.get(action=Action.ROLE_CHANGED)
    assert event.team == team_a and event.actor == team_admin
    assert event.summary == "Changed tom's role from member to admin"


def test_setting_the_same_role_writes_no_audit_event(team_admin_client, teammate, team_a):
    team_admin_client.post(role_url(team_a, teammate), {"role": "member"})
    assert not AuditEvent.objects.filter(action=Action.ROLE_CHANGED).exists()


def test_no_one_can_be_made_owner_through_the_role_form(owner_client, teammate, team_a):
    response = owner_client.post(role_url(team_a, teammate), {"role": "owner"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert membership(team_a, teammate).role == Role.MEMBER


def test_admin_cannot_change_the_owners_role(team_admin_client, owner, team_a):
    assert team_admin_client.post(role_url(team_a, owner), {"role": "viewer"}).status_code == 403
    assert membership(team_a, owner).role == Role.OWNER


def test_admin_can_demote_another_admin(team_admin_client, team_a):
    other = member_of(team_a, "alex", Role.ADMIN)
    team_admin_client.post(role_url(team_a, other), {"role": "viewer"})
    assert membership(team_a, other).role == Role.VIEWER


def test_admin_who_demotes_themselves_lands_on_the_gallery(team_admin_client, team_admin, team_a):
    response = team_admin_client.post(role_url(team_a, team_admin), {"role": "member"})
    assert response.status_code == 302 and response.url == "/"
    assert membership(team_a, team_admin).role == Role.MEMBER
    assert team_admin_client.get("/team/members/").status_code == 403


def test_last_owner_cannot_demote_themselves(owner_client, owner, team_a):
    response = owner_client.post(role_url(team_a, owner), {"role": "admin"})
    assert response.status_code == 400
    assert "last owner" in response.content.decode()
    assert membership(team_a, owner).role == Role.OWNER


def test_one_of_two_owners_can_step_down(owner_client, owner, team_a):
    member_of(team_a, "oscar", Role.OWNER)
    owner_client.post(role_url(team_a, owner), {"role": "admin"})
    assert membership(team_a, owner).role == Role.ADMIN


def test_setting_a_monthly_cap_is_saved_and_audited(team_admin_client, teammate, team_a):
    response = team_admin_client.post(cap_url(team_a, teammate), {"monthly_cap": "500"})
    assert response.status_code == 302
    assert membership(team_a, teammate).monthly_cap == 500
    event = AuditEvent.objects.get(action=Action.BUDGET_CHANGED)
    assert event.summary == "Set tom's monthly cap to 500 credits"
    assert event.details == {"member": "tom", "old": None, "new": 500}


def test_clearing_a_monthly_cap_removes_it(team_admin_client, teammate, team_a):
    Membership.objects.filter(user=teammate).update(monthly_cap=500)
    team_admin_client.post(cap_url(team_a, teammate), {"monthly_cap": ""})
    assert membership(team_a, teammate).monthly_cap is None
    assert AuditEvent.objects.get().summary == "Removed tom's monthly cap"


def test_bad_cap_is_shown_beside_the_field_and_kept(team_admin_client, teammate, team_a):
    response = team_admin_client.post(cap_url(team_a, teammate), {"monthly_cap": "-5"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="field-error"' in html and "greater than or equal to 0" in html
    assert 'value="-5"' in html
    assert membership(team_a, teammate).monthly_cap is None
    assert not AuditEvent.objects.exists()


def test_admin_cannot_cap_the_owner(team_admin_client, owner, team_a):
    assert team_admin_client.post(cap_url(team_a, owner), {"monthly_cap": "1"}).status_code == 403
    assert membership(team_a, owner).monthly_cap is None


def test_admin_removes_a_member_and_it_is_audited(team_admin_client, team_admin, teammate, team_a):
    response = team_admin_client.post(remove_url(team_a, teammate))
    assert response.status_code == 302 and response.url == "/team/members/"
    assert not Membership.objects.filter(team=team_a, user=teammate).exists()
    event = AuditEvent.objects.get(action=Action.MEMBER_REMOVED)
    assert event.actor == team_admin and event.summary == "Removed tom (member) from the team"


def test_removed_member_loses_access_to_the_team(team_admin_client, teammate_client,
                                                 teammate, team_a):
    team_admin_client.post(remove_url(team_a, teammate))
    assert "You are not in a team yet" in teammate_client.get("/").content.decode()


def test_admin_cannot_remove_the_owner(team_admin_client, owner, team_a):
    assert team_admin_client.post(remove_url(team_a, owner)).status_code == 403
    assert Membership.objects.filter(team=team_a, user=owner).exists()


def test_last_owner_cannot_remove_themselves(owner_client, owner, team_a):
    response = owner_client.post(remove_url(team_a, owner), follow=True)
    assert "last owner" in response.content.decode()
    assert membership(team_a, owner).role == Role.OWNER
    assert not AuditEvent.objects.exists()


def test_owner_can_leave_when_another_owner_remains(owner_client, owner, team_a):
    member_of(team_a, "oscar", Role.OWNER)
    response = owner_client.post(remove_url(team_a, owner))
    assert response.status_code == 302 and response.url == "/"
    assert not Membership.objects.filter(team=team_a, user=owner).exists()
    assert AuditEvent.objects.get().summary == "olivia left the team"


def test_owner_sees_transfer_and_delete_links_admin_does_not(owner_client, team_admin_client):
    assert "/team/transfer/" in owner_client.get("/team/members/").content.decode()
    html = team_admin_client.get("/team/members/").content.decode()
    assert "/team/transfer/" not in html and "/team/delete/" not in html


def test_admin_gets_no_forms_for_the_owners_row(team_admin_client, owner, team_a):
    html = team_admin_client.get("/team/members/").content.decode()
    assert role_url(team_a, owner) not in html and remove_url(team_a, owner) not in html
