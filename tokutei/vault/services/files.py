"""特定個人情報ファイル: the installation site, creating a file and disposing of it (crypto-shredding)."""

from __future__ import annotations

import os

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.policy import Actor, require
from tokutei.profiles.selectors import get_profile

from ..codec import (
    FieldErrors,
    scope_for,
)
from ..keys import DESTROYED, get_keyring
from ..models import Installation, Person, SpecificFile
from .refusals import _refuse

SITE_ENV = "TOKUTEI_INSTALLATION_SITE"


# --- installation site (004 §14(4), E-34) -------------------------------------------------------------

def installation_site() -> str:
    """Where this installation is declared to run: the database setting, else the environment."""
    row = Installation.objects.filter(pk=1).first()
    if row is not None:
        return row.site
    env = os.environ.get(SITE_ENV, "").strip()
    return env if env in Installation.Site.values else Installation.Site.OWN_SERVER


def set_installation_site(*, site: str, actor: Actor | None = None, note: str = "") -> Installation:
    """設置場所の宣言 (004 §14(4)): at the console (``tokutei init --site``, ``vault_site --set``).

    Not durable: ``tokutei init`` and the demo declare the site inside their own transaction.
    """
    if site not in Installation.Site.values:
        raise ValueError(f"site must be one of {Installation.Site.values}")
    who = actor if actor is not None else Actor.system()
    with transaction.atomic():
        row, _created = Installation.objects.update_or_create(
            pk=1, defaults={"site": site, "note": note[:300], "declared_by": who.username})
        record(action=Action.VAULT_SITE_DECLARE, actor=who.user, target_type="installation", target_id=1,
               details={"site": site})
    return row


def _check_storage(*, actor: Actor, action: Action) -> None:
    storage = get_profile().storage
    if not storage.own_servers_allowed and installation_site() != Installation.Site.DATA_CENTRE:
        raise _refuse(_("この組織では、特定個人情報等の電子データを組織のサーバに保存できません。"
                        "委託先データセンター（管理区域）に設置されたシステムでのみ登録できます"),
                      storage.article, action=action, code="storage_site", actor=actor)


# --- files ---------------------------------------------------------------------------------------------

def create_file(*, actor: Actor, name: str, tasks: list[str], unit=None, purpose_text: str = "",
                ground: str = "", kind: str = "電子ファイル", responsible=None,
                retention_rule: str = "") -> SpecificFile:
    """特定個人情報ファイルの作成 (002 §18, 004 §10): registered at once, with its own data key.

    The actor must be allowed to create a file for every task the file serves (each decided for that task).
    """
    profile = get_profile()
    if not tasks:
        raise FieldErrors({"tasks": "利用目的（事務）を1つ以上選択してください"})
    for task_key in tasks:
        require(actor.for_purpose(task_key), Action.VAULT_FILE_CREATE)
    first = actor.for_purpose(tasks[0])
    if profile.intake.ground_required and not ground.strip() and not all(profile.tasks[t].ground for t in tasks):
        raise _refuse(_("番号法上の根拠（個人番号利用事務等）がない特定個人情報ファイルは作成できません"),
                      profile.intake.ground_article, action=Action.VAULT_FILE_CREATE, code="no_ground", actor=first)
    if retention_rule and retention_rule not in profile.retention_rules:
        raise FieldErrors({"retention_rule": "プロファイルにない保存年限の区分です"})
    with transaction.atomic(durable=True):
        # E-43: where the profile asks, the file is used only once its register entry is confirmed.
        status = SpecificFile.Status.PENDING if profile.intake.file_signoff_before_use else SpecificFile.Status.ACTIVE
        file = SpecificFile.objects.create(
            name=name, kind=kind, unit=unit, tasks=list(tasks), purpose=purpose_text, ground=ground,
            responsible=responsible or actor.user, created_by=actor.user, retention_rule=retention_rule,
            status=status)
        file.data_scope = scope_for(file.pk)
        file.save(update_fields=["data_scope"])
        # A new key is no irreversible effect: if the transaction rolls back, it is an unused key.
        key_id = get_keyring().create_data_key(file.data_scope)
        record(action=Action.VAULT_FILE_CREATE, **first.log_fields(), target_type="file", target_id=file.pk,
               details={"file_id": file.pk, "tasks": list(tasks), "data_key": key_id, "status": status})
    return file


def shred_file(*, file: SpecificFile) -> list[int]:
    """ファイルの廃棄・削除: marks the file deleted and crypto-shreds its data keys (docs/keys.md).

    Called only by the disposal workflow (tokutei.retention: the list drafted from the worklist, the second
    person's check and the manager's confirmation where the profile asks) inside its own transaction,
    which also writes the log entry: there is no other deletion path. The keys are destroyed only after
    that transaction has committed; if it rolls back, the file stays active and its keys intact.
    Returns the ids of the keys to be destroyed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("shred_file runs inside the disposal workflow's transaction")
    keyring = get_keyring()
    scope = file.data_scope or scope_for(file.pk)
    keyring.refresh(force=True)
    to_destroy = [k.id for k in keyring.infos("data") if k.scope == scope and k.status != DESTROYED]
    now = timezone.now()
    Person.objects.filter(file=file, deleted_at__isnull=True).update(
        deleted_at=now, data=b"", key_id=0, bi_my_number=None, bi_resident_code=None, bi_kana_birth=None,
        bi_org_key=None)
    SpecificFile.objects.filter(pk=file.pk).update(status=SpecificFile.Status.DELETED, deleted_at=now)
    transaction.on_commit(lambda: keyring.destroy_scope(scope))
    from ..tombstones import record_after_commit

    record_after_commit(file_ids=[file.pk])  # replayed by every restore (docs/keys.md §4)
    return to_destroy
