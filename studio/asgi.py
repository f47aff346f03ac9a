import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
# The web process (and only it) lends PostgreSQL connections from a pool: see settings.
os.environ.setdefault("STUDIO_DB_POOL", "10")
application = get_asgi_application()
