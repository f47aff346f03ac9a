from django.apps import AppConfig


class FinishingConfig(AppConfig):
    name = "studio.finishing"
    label = "finishing"
    verbose_name = "Finishing: mixes, sequences, subtitles, exports"
