"""The studio's settings as the page checks serve it: DEBUG off, so a 403 or a 404 is
the studio's own page and not Django's debug page, with static files read straight
from static/ (no collectstatic into the checkout)."""

from studio.settings import *  # noqa: F403
from studio.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
