# The newsroom web image: gunicorn serving Django, static files collected at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# pg_dump and pg_restore for `manage.py backup` / `restore`. pg_dump must be at least as new as
# the server (postgres:16 in docker-compose.yml); the command checks and says so if not.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code changes don't reinstall them.
COPY pyproject.toml README.md ./
COPY newsroom/ newsroom/
COPY accounts/ accounts/
COPY articles/ articles/
RUN pip install .

COPY manage.py gunicorn.conf.py ./
COPY templates/ templates/
COPY static/ static/

# collectstatic only needs settings to load: a throwaway key, never used at run time.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-real-key python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app newsroom \
    && mkdir -p /app/var/media \
    && chown -R newsroom /app/var

USER newsroom
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi"]
