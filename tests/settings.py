"""Test settings: the example site, with the database chosen by ``DATABASE_URL``."""

import os
import tempfile

from example_site.settings import *  # noqa: F403
from example_site.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECRET_KEY = "tests-only"

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not shared in-memory SQLite: concurrency tests need real connections and locks.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"wagtail_guests_test_{os.getpid()}.sqlite3")
    }
else:
    # One test database per process, so parallel runs on one server never collide.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_wagtail_guests_{os.getpid()}"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
