from django.urls import path

from studio.teams import views

urlpatterns = [
    path("team/switch/", views.switch_team, name="switch_team"),
    path("team/settings/", views.team_settings, name="team_settings"),
]
