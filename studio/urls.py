from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from studio import health
from studio.teams.login import ThrottledLoginView

urlpatterns = [
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("studio.teams.urls")),
    path("", include("studio.credits.urls")),
    path("", include("studio.generations.urls")),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("studio.sandbox.urls")))
