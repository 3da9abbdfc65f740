"""/healthz, `tokutei check` and the administrators' banner: healthy, then each way of turning unhealthy."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tokutei.auditlog.services import record
from tokutei.ops.health import run_checks

from .fixtures import *  # noqa: F403 - the fixtures of this app

pytestmark = pytest.mark.django_db


def statuses(response) -> dict[str, str]:
    return {c["key"]: c["status"] for c in response.json()["checks"]}


def test_healthz_answers_ok_without_signing_in_and_without_personal_data(client, keys, org, settings):
    settings.AUDIT_DISK_MIN_FREE_BYTES, settings.AUDIT_DISK_MIN_FREE_PERCENT = 1, 0.0
    record(action="staff.sign_in")
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"
    assert set(statuses(response)) == {"database", "log_writable", "keys", "disk", "checkpoint", "shredding"}
    from tokutei.ops.models import Probe

    assert not Probe.objects.exists()  # the write probe was rolled back


def test_other_addresses_get_the_status_word_only(client, keys, org, settings):
    settings.HEALTH_DETAIL_IPS = ["10.0.0.9"]
    settings.AUDIT_DISK_MIN_FREE_BYTES, settings.AUDIT_DISK_MIN_FREE_PERCENT = 1, 0.0
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_disk_floor_turns_it_unhealthy(client, keys, org, settings):
    settings.AUDIT_DISK_MIN_FREE_BYTES = 1 << 60
    response = client.get("/healthz")
    assert response.status_code == 503
    assert statuses(response)["disk"] == "fail"


def test_missing_key_files_turn_it_unhealthy(client, keys, org, settings):
    settings.AUDIT_DISK_MIN_FREE_BYTES, settings.AUDIT_DISK_MIN_FREE_PERCENT = 1, 0.0
    for path in (keys / "vault" / "master").iterdir():
        path.unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert statuses(response)["keys"] == "fail"


def test_an_overdue_checkpoint_warns(client, keys, org, settings):
    settings.AUDIT_DISK_MIN_FREE_BYTES, settings.AUDIT_DISK_MIN_FREE_PERCENT = 1, 0.0
    settings.HEALTH_CHECKPOINT_MAX_AGE_HOURS = 0.0
    record(action="staff.sign_in")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "warn"
    assert statuses(response)["checkpoint"] == "warn"
    from tokutei.auditlog.checkpoints import checkpoint

    checkpoint(reason="manual")
    assert statuses(client.get("/healthz"))["checkpoint"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_a_log_that_cannot_be_written_turns_it_unhealthy(client, keys, org, settings):
    settings.AUDIT_DISK_MIN_FREE_BYTES, settings.AUDIT_DISK_MIN_FREE_PERCENT = 1, 0.0
    connection.ensure_connection()
    with connection.cursor() as cur:  # the database refuses writes, as a full or read-only one does
        if connection.vendor == "postgresql":
            cur.execute("SET default_transaction_read_only = on")
        else:
            cur.execute("PRAGMA query_only = ON")
    try:
        checks = {c.key: c.status for c in run_checks()}
        assert checks["log_writable"] == "fail" and checks["database"] == "ok"
    finally:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SET default_transaction_read_only = off")
            else:
                cur.execute("PRAGMA query_only = OFF")


def test_tokutei_check_exits_with_the_monitoring_code(keys, org, settings):
    settings.AUDIT_DISK_MIN_FREE_BYTES, settings.AUDIT_DISK_MIN_FREE_PERCENT = 1, 0.0
    out = io.StringIO()
    with pytest.raises(SystemExit) as ok:
        call_command("health", stdout=out)
    assert ok.value.code == 0 and "総合: OK" in out.getvalue()
    settings.AUDIT_DISK_MIN_FREE_BYTES = 1 << 60
    out = io.StringIO()
    with pytest.raises(SystemExit) as bad:
        call_command("health", "--json", stdout=out)
    assert bad.value.code == 2 and '"status": "fail"' in out.getvalue()


def test_the_sysadmin_sees_a_loud_banner_and_the_clerk_does_not(client, keys, sysadmin, clerk, settings):
    settings.AUDIT_DISK_MIN_FREE_BYTES = 1 << 60
    client.force_login(sysadmin)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "稼働状態に異常があります" in page and "ディスクの空きが下限を下回りました" in page
    assert "バックアップの記録がありません" in page
    client.force_login(clerk)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "稼働状態" not in page


@pytest.mark.parametrize("value", ["ture", "2", "enabled"])
def test_a_boolean_setting_with_another_value_stops_start_up(monkeypatch, value):
    from tokutei.settings import env_bool

    monkeypatch.setenv("TOKUTEI_SECURE", value)
    with pytest.raises(ImproperlyConfigured, match="TOKUTEI_SECURE"):
        env_bool("TOKUTEI_SECURE")
    for word, expected in (("Yes", True), ("off", False), ("1", True), ("0", False)):
        monkeypatch.setenv("TOKUTEI_SECURE", word)
        assert env_bool("TOKUTEI_SECURE") is expected


def test_the_checkpoint_check_asks_once_per_lane_however_long_the_log(keys, org, settings, django_assert_max_num_queries):
    """A monitoring system polls /healthz every minute: its cost must not grow with the log. (It once read
    the lanes with a DISTINCT that the log's ordering turned into one row, and one query, per entry.)"""
    from tokutei.ops.health import check_checkpoint

    settings.AUDIT_CHECKPOINT_EVERY = 10_000
    for _ in range(60):
        record(action="staff.sign_in")
    with django_assert_max_num_queries(6):
        result = check_checkpoint()
    assert result.status == "ok"
    assert "時間前" in result.message  # the oldest unsigned entry was found
