from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "studio.sandbox"
    verbose_name = "Sandbox API"

    def ready(self) -> None:
        from studio.sandbox import handlers  # noqa: F401 (plugs each kind's handler)
