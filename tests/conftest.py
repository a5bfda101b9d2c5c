"""Shared fixtures. Plain factory functions live in ``tests/factories.py``."""

import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _clear_cache():
    """The rate limit lives in the cache: each test starts with a fresh one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reset_language():
    """A test that rendered in French must not leave the next one in French."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _data_migrations_after_flush(request, _django_db_helper):
    """Give transactional tests what the data migrations made and a flush removed.

    A transactional test (``transaction=True``, the live server) empties every table when it
    ends, and the next test would find no preset tags, no "Guest managers" group, no page tree.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        from tests.factories import restore_data_migrations

        restore_data_migrations()
    yield


@pytest.fixture
def site_root(db):
    """The default Site, with its root page replaced by a demo ContentPage."""
    from tests.factories import make_site_root

    return make_site_root()


def pytest_report_header(config):
    """Say which database this run uses: the suite runs on SQLite and on PostgreSQL."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine} (test database {database['TEST']['NAME']})"


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """End the run's other sessions on the PostgreSQL test database before it is dropped.

    A thread of the browser tests' live server can still hold a connection when the session
    ends; PostgreSQL then refuses to drop the database and every run would leave one behind.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
