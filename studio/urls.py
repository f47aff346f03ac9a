from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, register_converter

from studio import health
from studio.api.v1 import api
from studio.api.v1 import not_found as api_not_found
from studio.lib.converters import IdConverter
from studio.teams.login import ThrottledAdminAuthenticationForm, ThrottledLoginView

# Before the includes below: their paths use <id:...>.
register_converter(IdConverter, "id")

admin.site.login_form = ThrottledAdminAuthenticationForm  # the same pause as ours

urlpatterns = [
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("studio.teams.urls")),
    path("", include("studio.events.urls")),
    path("", include("studio.credits.urls")),
    path("api/v1/", api.urls),
    # [\s\S]: a path with a line break in it is an unknown API path too, not a page.
    re_path(r"^api/v1/(?P<rest>[\s\S]*)$", api_not_found),
    path("", include("studio.api.urls")),
    path("", include("studio.review.urls")),
    path("", include("studio.storyboards.urls")),
    path("", include("studio.finishing.urls")),  # before /generate/<slug>/
    path("", include("studio.generations.urls")),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("studio.sandbox.urls")))
