from django.apps import AppConfig


class FinishingConfig(AppConfig):
    name = "studio.finishing"
    label = "finishing"
    verbose_name = "Finishing: mixes, sequences, subtitles, exports"

    def ready(self) -> None:
        from studio.finishing import tasks  # noqa: F401 (plugs each local kind's maker)
