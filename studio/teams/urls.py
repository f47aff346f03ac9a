from django.urls import path

from studio.teams import views

urlpatterns = [
    path("team/switch/", views.switch_team, name="switch_team"),
    path("team/settings/", views.team_settings, name="team_settings"),
    path("team/members/", views.member_list, name="team_members"),
    path("team/members/<id:pk>/role/", views.member_role, name="member_role"),
    path("team/members/<id:pk>/cap/", views.member_cap, name="member_cap"),
    path("team/members/<id:pk>/remove/", views.member_remove, name="member_remove"),
    path("team/invitations/", views.invitation_list, name="team_invitations"),
    path("team/invitations/<id:pk>/revoke/", views.invitation_revoke,
         name="invitation_revoke"),
    path("team/transfer/", views.transfer_ownership, name="transfer_ownership"),
    path("team/delete/", views.delete_team, name="delete_team"),
    path("team/audit/", views.audit_trail, name="audit"),
    path("team/audit/export.csv", views.audit_export, name="audit_export"),
    path("invite/<str:token>/", views.invite, name="invite"),
]
