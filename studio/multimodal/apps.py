from django.apps import AppConfig


class MultimodalConfig(AppConfig):
    name = "studio.multimodal"
    verbose_name = "Multimodal API client"
