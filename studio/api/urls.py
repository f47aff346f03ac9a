from django.urls import path

from studio.api import pages

urlpatterns = [
    path("account/tokens/", pages.token_list, name="api_tokens"),
    path("account/tokens/<id:pk>/revoke/", pages.token_revoke, name="api_token_revoke"),
    path("team/webhooks/", pages.webhook_list, name="api_webhooks"),
    path("team/webhooks/<id:pk>/<str:action>/", pages.webhook_action,
         name="api_webhook_action"),
]
