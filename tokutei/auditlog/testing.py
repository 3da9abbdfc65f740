"""Test support for apps whose transactional tests write log entries.

The append-only triggers refuse the ``DELETE``/``TRUNCATE`` that Django's test teardown uses to empty the
database after a ``transactional_db`` test. This pytest hook lifts the triggers just for that teardown
flush, as a DBA would, and puts them back afterwards. Enabled for the whole suite by
``pytest_plugins = ["tokutei.auditlog.testing"]`` in the root conftest.py.
"""

from __future__ import annotations

import pytest


def _transactional(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if names & {"transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))


def _has_log(connection) -> bool:
    """The test database exists: a test skipped before its database was set up (a browser test without
    chromium) has nothing to guard, and creating the triggers there would fail on a missing table."""
    return "auditlog_entry" in connection.introspection.table_names()


def _blocker(item: pytest.Item):
    from pytest_django.plugin import blocking_manager_key

    return item.config.stash[blocking_manager_key]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    transactional = _transactional(item)
    if transactional:
        from django.db import connection

        from tokutei.auditlog import guards

        with _blocker(item).unblock():
            if _has_log(connection):
                guards.drop(connection)
    yield
    # Django's flush emits post_migrate, which re-installs the triggers (apps.py); this is a second net.
    # After the last test the test database is already gone (nextitem is None): nothing to do.
    if transactional and nextitem is not None:
        from django.db import connection

        from tokutei.auditlog import guards

        with _blocker(item).unblock():
            if _has_log(connection):
                guards.install(connection)
