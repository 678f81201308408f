"""gunicorn settings, read from the environment so one image fits every machine.

WEB_CONCURRENCY   worker processes (default: 2 x CPU cores + 1)
WEB_THREADS       threads per worker (default 1: sync workers, one request at a time each)
BIND              address to listen on (default 0.0.0.0:8000, as in the container)
WEB_TIMEOUT       seconds before a stuck worker is restarted (default 30)
WEB_GRACEFUL_TIMEOUT  seconds a stopping worker may finish its request (default 20; compose's
                  stop_grace_period is longer, so a stop never cuts a request short)
WEB_MAX_REQUESTS  recycle a worker after this many requests, 0 = never (default 0)
"""

import multiprocessing
import os

import gunicorn
import gunicorn.http.wsgi

workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("WEB_THREADS", 1))
bind = os.environ.get("BIND", "0.0.0.0:8000")
timeout = int(os.environ.get("WEB_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", 20))
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
# Load the app once in the master so workers share its memory pages (copy-on-write).
preload_app = True
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"

# Don't tell the world which server version runs here (the Server header says just "gunicorn").
gunicorn.SERVER = gunicorn.http.wsgi.SERVER = "gunicorn"
