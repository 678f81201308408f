"""The benchmark's "fully cold" origin: the project's settings with no cache of any kind.

Every request renders every story fragment, the navigation and the banner afresh, as the first
reader after a purge or a crawler walking the archive does. Used only by bench/run.sh.
"""

from newsroom.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
