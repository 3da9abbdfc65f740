"""A J-LIS bulk import that takes a file past 1,000 people moves it into the 基礎項目評価 band, dated."""

from __future__ import annotations

from tokutei.auditlog.models import Entry
from tokutei.pia import selectors
from tokutei.policy import Actor


def test_a_bulk_import_past_1000_people_requires_a_basic_assessment(
        pension_file, fill, clerk, tmp_path, django_capture_on_commit_callbacks):
    from tokutei.bulk.services import import_jlis
    from tokutei.core.synthetic import people

    fill(pension_file, 990)
    lines = [f"{p['my_number']},{p['name']}" for p in people(20, seed=7, start=800_000)]
    path = tmp_path / "jlis.csv"
    path.write_bytes(("\r\n".join(["個人番号,氏名", *lines]) + "\r\n").encode("utf-8"))
    with django_capture_on_commit_callbacks(execute=True):
        result = import_jlis(path=path, actor=Actor.console(clerk, purpose="pension"), specific_file=pension_file,
                             report_path=tmp_path / "rejects.csv")
    assert result.loaded == 20
    latest = selectors.latest_for(pension_file.pk)
    assert latest is not None
    assert (latest.level, latest.trigger, latest.people, latest.raised) == ("basic", "import", 1010, True)
    # The entry of the import that made the people visible (a batch on SQLite; the completion on PostgreSQL,
    # where a new file's people appear all at once): its time is the date shown on the dashboard.
    assert latest.trigger_seq is not None
    event = Entry.objects.get(seq=latest.trigger_seq)
    assert event.action == "bulk.import" and latest.trigger_at == event.at
