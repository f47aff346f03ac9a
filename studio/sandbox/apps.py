from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "studio.sandbox"
    verbose_name = "Sandbox API"
