"""特定個人情報ファイル: the installation site, creating a file and disposing of it (crypto-shredding)."""

from __future__ import annotations

import os

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.auditlog.services import record
from tokutei.profiles.selectors import get_profile

from ..codec import (
    FieldErrors,
    scope_for,
)
from ..keys import get_keyring
from ..models import Installation, Person, SpecificFile
from .refusals import _refuse, _require

SITE_ENV = "TOKUTEI_INSTALLATION_SITE"


# --- installation site (004 §14(4), E-34) -------------------------------------------------------------

def installation_site() -> str:
    """Where this installation is declared to run: the database setting, else the environment."""
    row = Installation.objects.filter(pk=1).first()
    if row is not None:
        return row.site
    env = os.environ.get(SITE_ENV, "").strip()
    return env if env in Installation.Site.values else Installation.Site.OWN_SERVER


@transaction.atomic
def set_installation_site(*, site: str, actor=None, note: str = "") -> Installation:
    if site not in Installation.Site.values:
        raise ValueError(f"site must be one of {Installation.Site.values}")
    row, _created = Installation.objects.update_or_create(
        pk=1, defaults={"site": site, "note": note[:300], "declared_by": getattr(actor, "username", "") or ""})
    record(action="vault.site_declare", actor=actor, target_type="installation", target_id=1,
           details={"site": site})
    return row


def _check_storage(*, actor, terminal, purpose, action: str) -> None:
    storage = get_profile().storage
    if not storage.own_servers_allowed and installation_site() != Installation.Site.DATA_CENTRE:
        raise _refuse("この組織では、特定個人情報等の電子データを組織のサーバに保存できません。"
                      "委託先データセンター（管理区域）に設置されたシステムでのみ登録できます",
                      storage.article, action=action, code="storage_site", actor=actor, terminal=terminal,
                      purpose=purpose)


# --- files ---------------------------------------------------------------------------------------------

def create_file(*, actor, terminal, name: str, tasks: list[str], unit=None, purpose_text: str = "",
                ground: str = "", kind: str = "電子ファイル", responsible=None,
                retention_rule: str = "") -> SpecificFile:
    """特定個人情報ファイルの作成 (002 §18, 004 §10): registered at once, with its own data key."""
    profile = get_profile()
    if not tasks:
        raise FieldErrors({"tasks": "利用目的（事務）を1つ以上選択してください"})
    for task_key in tasks:
        _require(actor=actor, terminal=terminal, purpose=task_key, action="file_create",
                 log_action="vault.file_create")
    if profile.intake.ground_required and not ground.strip() and not all(profile.tasks[t].ground for t in tasks):
        raise _refuse(_("番号法上の根拠（個人番号利用事務等）がない特定個人情報ファイルは作成できません"),
                      profile.intake.ground_article, action="vault.file_create", code="no_ground", actor=actor,
                      terminal=terminal, purpose=tasks[0])
    if retention_rule and retention_rule not in profile.retention_rules:
        raise FieldErrors({"retention_rule": "プロファイルにない保存年限の区分です"})
    with transaction.atomic():
        file = SpecificFile.objects.create(
            name=name, kind=kind, unit=unit, tasks=list(tasks), purpose=purpose_text, ground=ground,
            responsible=responsible or actor, created_by=actor, retention_rule=retention_rule)
        file.data_scope = scope_for(file.pk)
        file.save(update_fields=["data_scope"])
        key_id = get_keyring().create_data_key(file.data_scope)
        record(action="vault.file_create", actor=actor, terminal=terminal, purpose=tasks[0], target_type="file",
               target_id=file.pk, details={"file_id": file.pk, "tasks": list(tasks), "data_key": key_id})
    return file


def dispose_file(*, actor, terminal, purpose: str, file: SpecificFile, reason: str = "") -> list[int]:
    """ファイルの廃棄・削除: marks the file deleted and crypto-shreds its data keys (docs/keys.md).

    Every copy of its records — in this database and in every backup — becomes unreadable once the
    key store backups that still hold the wrapped keys are rotated out.
    """
    _require(actor=actor, terminal=terminal, purpose=purpose, action="delete", file=file,
             log_action="vault.dispose")
    with transaction.atomic():
        count = Person.objects.filter(file=file, deleted_at__isnull=True).count()
        now = timezone.now()
        Person.objects.filter(file=file, deleted_at__isnull=True).update(deleted_at=now)
        file.status = SpecificFile.Status.DELETED
        file.deleted_at = now
        file.save(update_fields=["status", "deleted_at"])
        destroyed = get_keyring().destroy_scope(file.data_scope or scope_for(file.pk))
        record(action="vault.dispose", actor=actor, terminal=terminal, purpose=purpose, target_type="file",
               target_id=file.pk, count=max(count, 1), reason=reason[:300],
               details={"file_id": file.pk, "destroyed_keys": destroyed, "people": count})
    return destroyed
