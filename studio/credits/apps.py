from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "studio.credits"
