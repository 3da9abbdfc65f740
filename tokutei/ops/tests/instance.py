"""A real Tokutei instance in a temporary directory, driven through its command line and small tasks.

``Instance(root, engine)`` has its own data directory (and, for PostgreSQL, its own database on the test
server); ``instance.cli(...)`` runs ``python -m tokutei.cli ...`` against it; ``instance.task(name)`` runs
one of the tasks below in a subprocess: ``python -m tokutei.ops.tests.instance TASK JSON``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[3]
PROFILE, TASK, USER = "hyogo-kyosai", "p1_ha", "handler"
PASSWORD = "instance-password-not-secret-42"


class Instance:
    counter = 0

    def __init__(self, root: Path, server_url: str | None = None):
        Instance.counter += 1
        self.root = Path(root)
        self.data_dir = self.root / "data"
        self.server_url = server_url
        self.db_name = ""
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("TOKUTEI_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        self.env.update({"TOKUTEI_DATA_DIR": str(self.data_dir), "TOKUTEI_SECURE": "0",
                         "TOKUTEI_LOG_LEVEL": "WARNING", "TOKUTEI_BACKUP_DIR": str(self.root / "backups"),
                         "DJANGO_SETTINGS_MODULE": "tokutei.settings"})
        if server_url:
            self.db_name = f"h_ops_inst_{os.getpid()}_{Instance.counter}"
            parts = urlsplit(server_url)
            self.env["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, "/" + self.db_name, "", ""))
            self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}"')
            self._admin(f'CREATE DATABASE "{self.db_name}"')

    def _admin(self, sql: str) -> None:
        import psycopg

        parts = urlsplit(self.server_url or "")
        with psycopg.connect(urlunsplit((parts.scheme, parts.netloc, "/postgres", "", "")), autocommit=True) as c:
            c.execute(sql)  # type: ignore[arg-type]

    def cli(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "tokutei.cli", *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"tokutei {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def task(self, name: str, args: dict | None = None, timeout: float = 600) -> Any:
        proc = subprocess.run([sys.executable, "-m", "tokutei.ops.tests.instance", name, json.dumps(args or {})],
                              env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise AssertionError(f"task {name} failed:\n{proc.stderr[-4000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def popen_task(self, name: str, args: dict | None = None) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "tokutei.ops.tests.instance", name, json.dumps(args or {})],
                                env=self.env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def init(self, people: int = 50) -> dict:
        self.cli("init", "--profile", PROFILE, "--admin-password", PASSWORD)
        return self.task("setup", {"people": people})

    def close(self) -> None:
        if self.db_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')


# --- tasks, run inside the instance ---------------------------------------------------------------------
def _handler():
    from tokutei.staff.models import Terminal, User

    return User.objects.get(username=USER), Terminal.objects.get(name="テスト端末")


def task_setup(args: dict) -> dict:
    """After `tokutei init`: a designated handler, a registered terminal, ``people`` synthetic people."""
    import datetime as dt

    from django.utils import timezone

    from tokutei.staff.models import RoleAssignment, Terminal, User
    from tokutei.staff.selectors import credential_digest

    user = User.objects.create_user(username=USER, password=PASSWORD, full_name="担当 太郎",
                                    password_changed_at=timezone.now())
    RoleAssignment.objects.create(user=user, role_key="handler", tasks=[TASK],
                                  start_date=timezone.localdate() - dt.timedelta(days=1))
    Terminal.objects.create(name="テスト端末", location="テスト", credential_digest=credential_digest("t"),
                            enrolled_at=timezone.now())
    return task_import({"people": args.get("people", 50), "start": 0, "file": "最初のファイル"})


def task_import(args: dict) -> dict:
    import tempfile

    from tokutei.bulk import synthetic
    from tokutei.bulk.services import import_jlis
    from tokutei.policy import Actor
    from tokutei.vault.models import SpecificFile

    user, _terminal = _handler()
    specific_file = SpecificFile.objects.create(name=args["file"], tasks=[TASK])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "people.csv")
        synthetic.generate(path, rows=args["people"], bad=0, seed=7, start=args.get("start", 0))
        result = import_jlis(path=path, specific_file=specific_file, actor=Actor.console(user, purpose=TASK),
                             report_path=os.path.join(tmp, "r.csv"))
    return {"file": specific_file.pk, "loaded": result.loaded}


def task_write(args: dict) -> dict:
    """Keep adding people and log entries until the file ``stop`` exists (a system in use)."""
    from django.db import OperationalError, transaction

    from tokutei.auditlog.actions import Action
    from tokutei.auditlog.services import record

    user, terminal = _handler()
    stop, k, cancelled = Path(args["stop"]), 0, 0
    started = Path(args["started"])
    while not stop.exists():
        with transaction.atomic():
            for _ in range(5):
                record(action=Action.STAFF_SIGN_IN, actor=user, terminal=terminal)
        if k % 3 == 0:
            try:
                task_import({"people": 10, "start": 100_000 + 10 * k, "file": f"追加 {k}"})
            except OperationalError:  # PostgreSQL broke a lock cycle with pg_dump: an operator runs it again
                cancelled += 1
        k += 1
        started.touch()
        time.sleep(0.01)
    sys.stderr.write(f"rounds {k}, imports cancelled {cancelled}\n")
    return {"rounds": k, "cancelled": cancelled}


def task_lookup(args: dict) -> dict:
    """For synthetic people ``0..n-1``: search by 個人番号 and open each; their names, or why not."""
    from tokutei.bulk import synthetic
    from tokutei.core.errors import Refused
    from tokutei.policy import Actor
    from tokutei.vault.services import search_people, view_person

    user, terminal = _handler()
    names: list[str | None] = []
    for i in range(args["n"]):
        found = search_people(actor=Actor(user=user, terminal=terminal, purpose=TASK), by="my_number",
                              value=synthetic.my_number(i))
        if not found:
            names.append(None)
            continue
        try:
            shown = view_person(actor=Actor(user=user, terminal=terminal, purpose=TASK), person=found[0])
        except Refused:
            names.append("unreadable")
            continue
        names.append(next(f.value for f in shown.fields if f.key == "name"))
    return {"names": names}


def task_shred(args: dict) -> dict:
    """Destroy the data keys of the file named ``file`` (crypto-shredding, as a disposal does)."""
    from tokutei.vault.codec import scope_for
    from tokutei.vault.keys import get_keyring
    from tokutei.vault.models import SpecificFile

    file = SpecificFile.objects.get(name=args["file"])
    return {"destroyed": get_keyring().destroy_scope(file.data_scope or scope_for(file.pk))}


def task_dispose_person(args: dict) -> dict:
    """Dispose of synthetic person ``n`` through the disposal workflow (tokutei.retention): its 失権日 set
    long ago, drafted by the handler, checked by a second handler, executed by the first."""
    import datetime as dt

    from django.utils import timezone

    from tokutei.bulk import synthetic
    from tokutei.policy import Actor
    from tokutei.retention.services import check_list, draft_list, execute_list
    from tokutei.staff.models import RoleAssignment, User
    from tokutei.vault.models import Person
    from tokutei.vault.services import search_people

    user, terminal = _handler()
    checker = User.objects.filter(username="checker").first()
    if checker is None:
        checker = User.objects.create_user(username="checker", password=PASSWORD, full_name="確認 花子",
                                           password_changed_at=timezone.now())
        RoleAssignment.objects.create(user=checker, role_key="handler", tasks=[TASK],
                                      start_date=timezone.localdate() - dt.timedelta(days=1))
    (person,) = search_people(actor=Actor(user=user, terminal=terminal, purpose=TASK), by="my_number",
                              value=synthetic.my_number(args["n"]))
    Person.objects.filter(pk=person.pk).update(retention_trigger_date=dt.date(2000, 5, 1))
    disposal = draft_list(actor=Actor(user=user, terminal=terminal), refs=[("person", str(person.pk))])
    check_list(actor=Actor(user=checker, terminal=terminal), disposal_id=disposal.pk)
    execute_list(actor=Actor(user=user, terminal=terminal), disposal_id=disposal.pk, method="deletion")
    return {"person": person.pk}


def task_counts(args: dict) -> dict:
    from tokutei.auditlog.models import Entry
    from tokutei.vault.models import Person

    restore = Entry.objects.filter(action="system.restore").order_by("-seq").first()
    return {"people": Person.objects.count(), "entries": Entry.objects.count(),
            "replayed": restore.details.get("replayed") if restore is not None else None,
            "disposals": Entry.objects.filter(action="disposal.execute").count()}


TASKS = {"setup": task_setup, "import": task_import, "write": task_write, "lookup": task_lookup,
         "shred": task_shred, "counts": task_counts, "dispose_person": task_dispose_person}


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokutei.settings")
    import django

    django.setup()
    result = TASKS[argv[0]](json.loads(argv[1] if len(argv) > 1 else "{}"))
    sys.stdout.write("\n" + json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
