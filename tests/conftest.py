"""Test setup: real PostgreSQL and Redis when reachable (TEST_DATABASE_URL, TEST_REDIS_URL,
set by scripts/run-tests.sh), SQLite and the in-process stand-in otherwise."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.admin_units.service import load_units
from api.app import create_app
from api.catalog.importer import DEFAULT_CATALOG, import_catalog, load_catalog_file
from api.kernel.database import db
from api.kernel.settings import Settings, normalise_database_url

# Under pytest-xdist (``-n 2``) each worker gets its own database and Redis database, so the
# workers never empty each other's tables or queues.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... or ""


def for_this_worker(database_url: str, redis_url: str) -> tuple[str, str]:
    if not XDIST_WORKER:
        return database_url, redis_url
    index = int(XDIST_WORKER.removeprefix("gw"))
    if database_url:
        parsed = make_url(normalise_database_url(database_url))
        database_url = parsed.set(database=f"{parsed.database}_{XDIST_WORKER}").render_as_string(
            hide_password=False
        )
    if redis_url:
        base, _, number = redis_url.rpartition("/")
        if not number.isdigit():
            base, number = redis_url.rstrip("/"), "0"
        redis_url = f"{base}/{(int(number) - index) % 16}"
    return database_url, redis_url


# Fixtures shared by several test packages live in tests/helpers; these modules hold fixtures.
pytest_plugins = [
    "tests.helpers.vneid",
    "tests.helpers.console",
    "tests.helpers.browser",
    "tests.helpers.bots",
]

TEST_DATABASE_URL, TEST_REDIS_URL = for_this_worker(
    os.environ.get("TEST_DATABASE_URL", ""), os.environ.get("TEST_REDIS_URL", "")
)


def pytest_report_header(config):  # noqa: ANN001
    return [
        f"database: {'PostgreSQL ' + TEST_DATABASE_URL if TEST_DATABASE_URL else 'SQLite (PostgreSQL tests SKIPPED)'}",
        f"redis: {TEST_REDIS_URL or 'in-process stand-in (Redis tests SKIPPED)'}",
    ]


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    skipped = []
    for item in items:
        if "postgres" in item.keywords and not TEST_DATABASE_URL:
            item.add_marker(
                pytest.mark.skip(reason="PostgreSQL not reachable (TEST_DATABASE_URL unset)")
            )
            skipped.append(item.nodeid)
        if "redis" in item.keywords and not TEST_REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="Redis not reachable (TEST_REDIS_URL unset)"))
            skipped.append(item.nodeid)
    if skipped:
        sys.stderr.write(
            f"\n!!! {len(skipped)} tests need PostgreSQL/Redis and are SKIPPED on this machine !!!\n"
        )


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Argon2 at production cost takes ~0.1 s a hash; tests use the same algorithm, cheaper."""
    from argon2 import PasswordHasher

    from api.auth import passwords

    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


def fresh_postgres(url: str) -> str:
    """Drop and create the test database so every run starts from migrations."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": parsed.database},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return url


def make_settings(database_url: str, redis_url: str = "", **overrides) -> Settings:
    overrides.setdefault("portal_push_secret", PUSH_SECRET)
    overrides.setdefault("portal_username", "dvc-connect")
    overrides.setdefault("portal_password", "sandbox-password")
    overrides.setdefault("portal_unit_code", "000.00.15.H12")
    return Settings.from_env(
        env={},
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key-for-the-suite-only",
        embedded_worker=False,
        log_level="WARNING",
        **overrides,
    )


PUSH_SECRET = "test-portal-push-secret"


def build_app(database_url: str, redis_url: str = "", **overrides):
    from flask_migrate import upgrade

    app = create_app(make_settings(database_url, redis_url, **overrides))
    with app.app_context():
        upgrade()
        import_catalog(load_catalog_file(DEFAULT_CATALOG), source="tests")
        load_units()
        db.session.commit()
    app.extensions["otp_sender"] = CapturingSender()
    return app


class CapturingSender:
    """Stands in for SMS in tests: keeps the last code sent to each phone."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.sent: list[tuple[str, str]] = []

    def send_code(self, phone: str, code: str, purpose: str, language: str) -> None:
        self.codes[phone] = code
        self.sent.append((phone, purpose))


# Reference data loaded once per session; every other table is emptied after each test.
KEEP_TABLES = {
    "alembic_version",
    "online_levels",
    "submission_channels",
    "implementing_levels",
    "fields",
    "procedures",
    "procedure_levels",
    "agencies",
    "subjects",
    "procedure_agencies",
    "procedure_subjects",
    "procedure_channels",
    "channel_fees",
    "procedure_steps",
    "required_documents",
    "procedure_results",
    "legal_bases",
    "catalog_revisions",
    "provinces",
    "communes",
    "reference_datasets",
    "dossier_statuses",
    "rating_indicators",
}


def empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in KEEP_TABLES:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return fresh_postgres(TEST_DATABASE_URL)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    return build_app(database_url, TEST_REDIS_URL)


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Each test starts with empty Redis; the catalog stays (tests that change it restore it)."""
    yield
    if "app" in request.fixturenames:
        application = request.getfixturevalue("app")
        with application.app_context():
            db.session.remove()
            empty_tables()
            application.extensions["redis"].flushdb()
            application.extensions["otp_sender"].codes.clear()


@pytest.fixture
def live_server(app):
    """The app on a real port, for tests where another process-like party calls us over HTTP."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def portal(app):
    """A fresh portal simulator on 127.0.0.1, with the app's gateway pointed at it."""
    import dataclasses

    from api.portal.gateway import PortalGateway
    from sandbox.portal_server import serve

    server, url = serve(dossier_count=20, seed=7)
    settings = dataclasses.replace(app.extensions["settings"], portal_base_url=url)
    app.extensions["portal_gateway"] = PortalGateway(settings, sleep=lambda _s: None)
    yield server.simulator
    app.extensions.pop("portal_gateway", None)
    server.shutdown()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield
        db.session.remove()
