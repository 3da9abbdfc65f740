"""A crash or kill between batches loses nothing and doubles nothing: the same file resumes.

Each batch is its own atomic block; inside the test's transaction those are savepoints, which behave the
same way (a batch released before the crash stays, a batch that failed inside rolls back). The operation
log's append-only triggers forbid the flush that transactional tests would need.
"""

from __future__ import annotations

import pytest

from tokutei.bulk import synthetic
from tokutei.bulk.models import ImportJob
from tokutei.bulk.services import ImportStopped
from tokutei.core.errors import Refused
from tokutei.policy import Actor

from .conftest import people, stored_count


def crash_after(k):
    def hook(batch_no):
        if batch_no == k:
            raise ImportStopped(f"simulated crash after batch {k}")
    return hook


def test_it_resumes_after_a_crash_with_every_good_row_exactly_once(run_import, tmp_path, pension_file):
    from tokutei.vault.codec import decrypt_person_fields

    path = tmp_path / "jlis.csv"
    stats = synthetic.generate(path, rows=230, bad=23, seed=3)
    with pytest.raises(ImportStopped):
        run_import(path, batch_size=40, after_batch=crash_after(3))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.batches == 3
    loaded_before = stored_count(pension_file)
    assert loaded_before == job.loaded > 0

    result = run_import(path, batch_size=40)
    assert result.resumed
    assert result.loaded == stats.good
    assert result.rejected == stats.bad_total
    numbers = [decrypt_person_fields(p.data, file_id=pension_file.pk)["my_number"] for p in people(pension_file)]
    assert len(numbers) == len(set(numbers)) == stats.good
    report = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(report) == 1 + stats.bad_total  # no reject line written twice
    lines = [int(r.split(",")[0]) for r in report[1:]]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMPLETED and job.attempts == 2


def test_a_batch_that_failed_inside_its_transaction_leaves_nothing(run_import, tmp_path, pension_file,
                                                                   monkeypatch):
    from tokutei.bulk import sinks

    path = tmp_path / "jlis.csv"
    stats = synthetic.generate(path, rows=100, bad=0, seed=4)
    real_write = sinks.VaultSink.write
    calls = {"n": 0}

    def failing_write(self, prepared):
        calls["n"] += 1
        real_write(self, prepared)  # the rows are written ...
        if calls["n"] == 2:
            raise RuntimeError("disk full")  # ... and then the transaction fails

    monkeypatch.setattr(sinks.VaultSink, "write", failing_write)
    with pytest.raises(RuntimeError):
        run_import(path, batch_size=30)
    assert stored_count(pension_file) == 30
    assert ImportJob.objects.get().loaded == 30
    monkeypatch.setattr(sinks.VaultSink, "write", real_write)
    result = run_import(path, batch_size=30)
    assert result.loaded == stats.good == people(pension_file).count()


def test_parallel_workers_load_the_same_rows_and_resume(run_import, tmp_path, pension_file):
    from tokutei.vault.codec import decrypt_person_fields

    path = tmp_path / "jlis.csv"
    stats = synthetic.generate(path, rows=400, bad=40, seed=5, encoding="cp932")
    with pytest.raises(ImportStopped):
        run_import(path, batch_size=50, workers=2, after_batch=crash_after(2))
    result = run_import(path, batch_size=50, workers=2)
    assert (result.loaded, result.rejected) == (stats.good, stats.bad_total)
    numbers = [decrypt_person_fields(p.data, file_id=pension_file.pk)["my_number"] for p in people(pension_file)]
    assert len(set(numbers)) == len(numbers) == stats.good
    lines = [int(r.split(",")[0]) for r in (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert lines == sorted(lines) and len(lines) == stats.bad_total


def test_a_new_file_shows_its_people_only_when_the_import_completes(run_import, tmp_path, pension_file, clerk,
                                                                    make_terminal):
    """PostgreSQL loads a new file into its own partition: until the import completes nobody is shown
    and nobody can be added; then everyone at once (SQLite shows each batch as it commits)."""
    from django.db import connection

    from tokutei.vault.services import intake_person

    path = tmp_path / "jlis.csv"
    stats = synthetic.generate(path, rows=120, bad=0, seed=6)
    with pytest.raises(ImportStopped):
        run_import(path, batch_size=50, after_batch=crash_after(1))
    staged = connection.vendor == "postgresql"
    assert people(pension_file).count() == (0 if staged else 50)
    pension_file.refresh_from_db()
    assert pension_file.bulk_loading is staged
    if staged:
        with pytest.raises(Refused) as refused:
            intake_person(actor=Actor(user=clerk, terminal=make_terminal()[0], purpose="pension"), file=pension_file,
                          values={"my_number": synthetic.my_number(9999), "name": "後藤 一", "pension_no": "X1"},
                          channel="jlis")
        assert "一括取込" in str(refused.value)
    result = run_import(path, batch_size=50)
    assert result.loaded == stats.good == people(pension_file).count()
    pension_file.refresh_from_db()
    assert not pension_file.bulk_loading


def test_a_second_import_into_a_file_goes_through_the_person_table(run_import, write_csv, tmp_path,
                                                                   pension_file):
    first = tmp_path / "first.csv"
    synthetic.generate(first, rows=60, bad=0, seed=7)
    assert run_import(first, batch_size=25).loaded == 60
    second = tmp_path / "second.csv"
    stats = synthetic.generate(second, rows=80, bad=0, seed=8, start=60)
    result = run_import(second, batch_size=25, report_path=tmp_path / "r2.csv")
    assert result.loaded == stats.good
    assert people(pension_file).count() == 60 + stats.good


def test_another_file_cannot_start_while_an_interrupted_import_is_loading_the_file(run_import, tmp_path,
                                                                                   pension_file):
    from django.db import connection

    first = tmp_path / "first.csv"
    synthetic.generate(first, rows=120, bad=0, seed=9)
    with pytest.raises(ImportStopped):
        run_import(first, batch_size=50, after_batch=crash_after(1))
    second = tmp_path / "second.csv"
    synthetic.generate(second, rows=30, bad=0, seed=10, start=500)
    if connection.vendor != "postgresql":
        assert run_import(second, report_path=tmp_path / "r2.csv").loaded == 30  # nothing is loaded on the side
        return
    with pytest.raises(Refused) as refused:
        run_import(second, report_path=tmp_path / "r2.csv")
    assert "完了していない一括取込" in str(refused.value)
    assert run_import(first, batch_size=50).loaded == 120
    assert run_import(second, report_path=tmp_path / "r2.csv").loaded == 30
    assert people(pension_file).count() == 150


def test_an_abandoned_import_leaves_the_file_open_and_can_start_again(run_import, tmp_path, pension_file, clerk):
    """取消: an interrupted import given up. Rows nobody saw (PostgreSQL's loading table) are discarded;
    rows already written through the person table (SQLite) stay; either way the file takes people again."""
    from django.db import connection

    from tokutei.auditlog.models import Entry
    from tokutei.bulk.services import abandon_import

    path = tmp_path / "jlis.csv"
    stats = synthetic.generate(path, rows=120, bad=0, seed=13)
    with pytest.raises(ImportStopped):
        run_import(path, batch_size=50, after_batch=crash_after(1))
    job = abandon_import(job_id=ImportJob.objects.get().pk, actor=Actor.console(clerk))
    assert job.status == ImportJob.Status.ABANDONED
    pension_file.refresh_from_db()
    assert not pension_file.bulk_loading
    staged = connection.vendor == "postgresql"
    assert stored_count(pension_file) == (0 if staged else 50)
    entry = Entry.objects.filter(action="bulk.abandon").get()
    assert entry.details["discarded"] == (50 if staged else 0)
    with pytest.raises(Refused):
        abandon_import(job_id=job.pk, actor=Actor.console(clerk))  # once only
    result = run_import(path, batch_size=50)
    assert not result.resumed
    assert people(pension_file).count() == stats.good


def test_the_command_abandons_a_job_and_says_so(run_import, tmp_path, pension_file, clerk):
    import io

    from django.core.management import CommandError, call_command

    path = tmp_path / "jlis.csv"
    synthetic.generate(path, rows=80, bad=0, seed=14)
    with pytest.raises(ImportStopped):
        run_import(path, batch_size=40, after_batch=crash_after(1))
    job = ImportJob.objects.get()
    out = io.StringIO()
    call_command("import_jlis", abandon=job.pk, user=clerk.username, stdout=out)
    assert f"取込 #{job.pk}" in out.getvalue() and "取り消しました" in out.getvalue()
    with pytest.raises(CommandError, match="取り消せる"):
        call_command("import_jlis", abandon=job.pk, user=clerk.username)
    with pytest.raises(CommandError, match="--file"):
        call_command("import_jlis", str(path), user=clerk.username)


def test_an_import_is_assessed_once_when_it_ends_not_after_each_batch(run_import, tmp_path, pension_file, clerk,
                                                                      django_capture_on_commit_callbacks):
    """特定個人情報保護評価: the file's count is judged when the import completes (or is given up with rows
    kept), with everyone it loaded — not at each of its batches, whose counts are passing."""
    from tokutei.bulk.services import abandon_import
    from tokutei.pia.models import Assessment

    path = tmp_path / "jlis.csv"
    synthetic.generate(path, rows=120, bad=0, seed=17)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(path, batch_size=50)

    def judged() -> list[tuple[str, int, str]]:
        return [(a.trigger, a.people, a.level) for a in Assessment.objects.filter(file_id=pension_file.pk).order_by("pk")]

    assert judged() == [("import", 120, "none")]

    # Given up with rows kept: the file had people, so the batch went through the person table and stays.
    second = tmp_path / "second.csv"
    synthetic.generate(second, rows=1000, bad=0, seed=18, start=500)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ImportStopped):
        run_import(second, batch_size=900, report_path=tmp_path / "r2.csv", after_batch=crash_after(1))
    assert judged() == [("import", 120, "none")]  # 1,020 people by now, but a batch is not an end
    with django_capture_on_commit_callbacks(execute=True):
        abandon_import(job_id=ImportJob.objects.exclude(status=ImportJob.Status.COMPLETED).get().pk,
                       actor=Actor.console(clerk))
    assert judged() == [("import", 120, "none"), ("import", 1020, "basic")]
