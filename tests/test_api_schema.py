"""Schemathesis fuzzes the read API from its own OpenAPI schema, on a real gunicorn server."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory
from tests.servers import Gunicorn

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors_or_schema_mismatches(
    committed_db, live_server_db_url, static_root, tmp_path
):
    # committed_db: the server sees the rows, and the migrations' rows (groups) come back.
    section = SectionFactory(name="Politics", slug="politics")
    for n in range(3):
        story = ArticleFactory(
            published=True, section=section, authors=[AuthorFactory()], tag_names=[f"Tag {n}"]
        )
        CorrectionFactory(article=story)
    with Gunicorn(
        live_server_db_url,
        STATIC_ROOT=static_root,
        CACHE_DIR=str(tmp_path / "cache"),
        API_ANONYMOUS_RATE="100000/min",
    ) as server:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"http://127.0.0.1:{server.port}/api/v1/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                "15",
                "--workers",
                "1",
                "--seed",
                "1",
                "--no-shrink",
                "--generation-database",
                "none",
                "--request-timeout",
                "10",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
