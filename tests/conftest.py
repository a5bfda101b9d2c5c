"""Shared fixtures. Plain factory functions live in ``tests/factories.py``."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """The rate limit lives in the cache: each test starts with a fresh one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_root(db):
    """The default Site, with its root page replaced by a demo ContentPage."""
    from tests.factories import make_site_root

    return make_site_root()
