from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "studio.api"
    label = "api"
    verbose_name = "REST API: tokens, idempotency, webhooks"

    def ready(self) -> None:
        from studio.api import tokens, webhooks
        from studio.teams.members import member_left
        webhooks.connect()
        member_left.connect(tokens.revoke_on_leaving, dispatch_uid="revoke_on_leaving")
