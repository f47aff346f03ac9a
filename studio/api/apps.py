from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "studio.api"
    label = "api"
    verbose_name = "REST API: tokens, idempotency, webhooks"

    def ready(self) -> None:
        from studio.api import webhooks
        webhooks.connect()
