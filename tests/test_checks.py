"""System checks: stable ids for bad settings and a risky SQLite configuration."""

import pytest
from django.core import checks
from django.test import override_settings

from wagtail_guests.checks import check_settings, check_sqlite_transaction_mode

SQLITE = "django.db.backends.sqlite3"


def ids(messages):
    return [message.id for message in messages]


def test_the_test_settings_pass_every_check():
    messages = checks.run_checks()
    assert [m for m in messages if m.id.startswith("wagtail_guests.")] == []


@pytest.mark.parametrize("value", [(10, 600), [5, 60]])
def test_a_valid_rate_limit_passes(value):
    with override_settings(WAGTAIL_GUESTS_RATE_LIMIT=value):
        assert check_settings() == []


@pytest.mark.parametrize("value", [10, (10,), (10, 0), (-1, 60), ("10", "600"), None])
def test_a_bad_rate_limit_is_an_error(value):
    with override_settings(WAGTAIL_GUESTS_RATE_LIMIT=value):
        messages = check_settings()
    assert ids(messages) == ["wagtail_guests.E001"]
    assert messages[0].level == checks.ERROR


@pytest.mark.parametrize("value", [0, -3, "9", None])
def test_a_bad_tag_limit_is_an_error(value):
    with override_settings(WAGTAIL_GUESTS_MAX_TAGS_PER_GUEST=value):
        assert ids(check_settings()) == ["wagtail_guests.E002"]


def databases(engine, **options):
    return {"default": {"ENGINE": engine, "NAME": "db.sqlite3", "OPTIONS": options}}


# Overriding DATABASES warns that open connections keep the old settings: the check only reads
# the settings, so that is what we want here.
reads_database_settings = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


@reads_database_settings
@pytest.mark.parametrize(
    "db",
    [
        databases(SQLITE),
        databases(SQLITE, transaction_mode="DEFERRED", timeout=20),
        {"default": {"ENGINE": SQLITE, "NAME": "db.sqlite3"}},
    ],
    ids=["no-options", "deferred", "no-options-key"],
)
def test_sqlite_without_immediate_transactions_is_a_warning(db):
    with override_settings(DATABASES=db):
        messages = check_sqlite_transaction_mode()

    assert ids(messages) == ["wagtail_guests.W001"]
    assert messages[0].level == checks.WARNING
    assert "database is locked" in messages[0].msg
    assert "IMMEDIATE" in messages[0].hint


@reads_database_settings
@pytest.mark.parametrize(
    "db",
    [
        databases(SQLITE, transaction_mode="IMMEDIATE", timeout=20),
        databases(SQLITE, transaction_mode="immediate"),
        databases(SQLITE, transaction_mode="EXCLUSIVE"),
        databases("django.db.backends.postgresql"),
    ],
    ids=["immediate", "immediate-lowercase", "exclusive", "postgresql"],
)
def test_immediate_sqlite_or_another_database_passes(db):
    with override_settings(DATABASES=db):
        assert check_sqlite_transaction_mode() == []


@reads_database_settings
def test_the_warning_shows_in_the_check_command():
    with override_settings(DATABASES=databases(SQLITE)):
        assert "wagtail_guests.W001" in ids(checks.run_checks())
