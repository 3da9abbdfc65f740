"""Bulk-import fixtures: the T98 profile (organisation key, 住民票コード, bulk threshold 1000), keys, a file."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "個人番号,氏名,氏名カナ,生年月日,性別,住所,住民票コード,年金証書番号"


@pytest.fixture
def org(activate, settings):
    settings.PROFILE_DIRS = [*settings.PROFILE_DIRS, FIXTURES]
    from tokutei.vault.keys import ensure_keys, reset_cache

    reset_cache()
    ensure_keys()
    return activate("bulkt")


@pytest.fixture
def clerk(org, make_user):
    return make_user("clerk", "clerk", tasks=["pension"])


@pytest.fixture
def pension_file(org):
    from tokutei.vault.models import SpecificFile

    return SpecificFile.objects.create(name="年金受給者ファイル", tasks=["pension"])


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(lines, encoding="utf-8") → path of a CSV with the standard header and these data lines."""

    def _write(lines: list[str], *, encoding: str = "utf-8", header: str = HEADER, name: str = "jlis.csv"):
        path = tmp_path / name
        path.write_bytes(("\r\n".join([header, *lines]) + "\r\n").encode(encoding))
        return path

    return _write


@pytest.fixture
def run_import(clerk, pension_file, tmp_path):
    from tokutei.bulk.services import import_jlis
    from tokutei.policy import Actor

    def _run(path, **kw):
        purpose = kw.pop("purpose", "pension")
        actor = kw.pop("actor", clerk)
        # The import command runs at the server's console: the console channel, for the declared task.
        kw["actor"] = actor if isinstance(actor, Actor) else Actor.console(actor, purpose=purpose)
        kw.setdefault("specific_file", pension_file)
        kw.setdefault("report_path", tmp_path / "rejects.csv")
        return import_jlis(path=path, **kw)

    return _run


def people(specific_file):
    from tokutei.vault.models import Person

    return Person.objects.filter(file=specific_file)


def stored_count(specific_file) -> int:
    """People committed for the file so far, visible or not: on PostgreSQL an unfinished import of a new
    file keeps its committed batches in the file's loading table until it completes."""
    from django.db import connection

    count = people(specific_file).count()
    if connection.vendor == "postgresql":
        table = f"vault_person_f{specific_file.pk}"
        with connection.cursor() as cur:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL AND NOT EXISTS "
                        "(SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(%s))", [table, table])
            if cur.fetchone()[0]:
                cur.execute(f"SELECT count(*) FROM {table}")
                count += cur.fetchone()[0]
    return count
