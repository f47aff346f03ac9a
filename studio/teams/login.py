"""Django's login, with a pause after repeated failures for one name from one address."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError


def throttle_key(request, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request else ""
    return f"login-failures:{username.lower()[:150]}:{address}"


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.data.get("username", "")
        key = throttle_key(self.request, username)
        if cache.get(key, 0) >= settings.STUDIO_LOGIN_ATTEMPTS:
            minutes = settings.STUDIO_LOGIN_PAUSE_SECONDS // 60
            raise ValidationError(f"Too many failed attempts for this name. Wait {minutes} "
                                  "minutes, or ask a team admin to reset your password.",
                                  code="throttled")
        try:
            return super().clean()
        except ValidationError:
            count_failure(key)
            raise


def count_failure(key: str) -> None:
    if not cache.add(key, 1, settings.STUDIO_LOGIN_PAUSE_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, settings.STUDIO_LOGIN_PAUSE_SECONDS)


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm
