"""The benchmark's framework floor (bench/floor_urls.py): the cold settings, its own URLs.

Used only by bench/run.sh.
"""

from bench.cold_settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
