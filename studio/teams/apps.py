from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "studio.teams"
