from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "studio.credits"

    def ready(self) -> None:
        from studio.credits import balance  # noqa: F401  (its event shaper)
