"""WSGI entry point for gunicorn: `gunicorn newsroom.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

django_application = get_wsgi_application()

from articles.cache import CachedPagesFirst  # noqa: E402  (needs the apps loaded above)

application = CachedPagesFirst(django_application)
