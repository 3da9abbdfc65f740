"""The identity vault: 特定個人情報ファイル, the people in them, corrections, deletions, API accounts.

No plaintext personal data is stored. Each person's fields are one AES-256-GCM ciphertext of a JSON object
(``Person.data``); lookups go through keyed blind indexes (HMAC-SHA256). Why one blob rather than one
column per field: one AEAD operation per record (the bulk path's cost), the field set is the profile's
(data, not schema), and the database does not even learn which optional fields a person has. Field-level
limits (E-03) are applied by the policy after decryption, before anything leaves the service layer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CipherField(models.Field):
    """Raw ciphertext bytes: ``bytea`` on PostgreSQL, ``BLOB`` on SQLite.

    Not a ``BinaryField``: that one switches Django's PostgreSQL bulk insert off its fast path
    (lessons.md); this field reports a plain internal type and adapts ``bytes`` itself.
    """

    description = "AES-GCM ciphertext (format byte + key id header)"

    def db_type(self, connection) -> str:
        return "bytea" if connection.vendor == "postgresql" else "BLOB"

    def get_internal_type(self) -> str:
        return "BinaryField"  # maps to bytea / BLOB and keeps the UNNEST bulk path (tested)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        return bytes(value)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return bytes(value)

    def to_python(self, value):
        if value is None or isinstance(value, bytes):
            return value
        return bytes(value)


class Installation(models.Model):
    """Where this installation runs (004 §14(4), E-34): recorded in the database, changed by command."""

    class Site(models.TextChoices):
        OWN_SERVER = "own_server", _("組織のサーバ")
        DATA_CENTRE = "data_centre", _("委託先データセンター（管理区域）")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    site = models.CharField(max_length=20, choices=Site, default=Site.OWN_SERVER)
    declared_by = models.CharField(max_length=150, blank=True)
    declared_at = models.DateTimeField(auto_now=True)
    note = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.site


class SpecificFile(models.Model):
    """特定個人情報ファイル (002 §18, 004 §10): a register row — it holds no personal data itself."""

    class Status(models.TextChoices):
        PENDING = "pending", _("台帳の確認待ち")  # E-43: not used before its register entry is confirmed
        ACTIVE = "active", _("使用中")
        DELETED = "deleted", _("廃棄・削除済")

    name = models.CharField(_("ファイルの名称"), max_length=200)
    kind = models.CharField(_("ファイルの種類"), max_length=100, default="電子ファイル")
    unit = models.ForeignKey("staff.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name=_("取扱部署"))
    tasks = models.JSONField(_("利用目的（事務）"), default=list)  # profile task keys
    purpose = models.CharField(_("利用目的"), max_length=500, blank=True)
    ground = models.CharField(_("番号法上の根拠"), max_length=300, blank=True)  # 002 §17–§19 (E-37)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("責任者"))
    retention_rule = models.CharField(_("保存年限の区分"), max_length=60, blank=True)  # profile.retention_rules
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    data_scope = models.CharField(max_length=60, blank=True)  # key scope "file:<pk>" in the key store
    # A bulk import is loading this file into its own partition (PostgreSQL, tokutei.bulk): the people
    # become visible all at once when it completes, and nobody may add people to the file meanwhile.
    bulk_loading = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def data_key_id(self) -> int | None:
        """The data key that seals new records of this file (kept in the key store, not here)."""
        from .keys import get_keyring

        return get_keyring().active_data_key(self.data_scope) if self.data_scope else None


class Person(models.Model):
    """本人: one person in one file. ``data`` is the encrypted JSON of every field value."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("確認待ち")
        CONFIRMED = "confirmed", _("確認済")

    class Method(models.TextChoices):
        VISUAL = "visual", _("目視チェック")
        READ_BACK = "read_back", _("読合せチェック")
        RE_ENTRY = "re_entry", _("再入力")
        SOURCE = "source", _("取得元による（J-LIS 等）")

    # file: no single-column index — (file, status) leads with it.
    file = models.ForeignKey(SpecificFile, on_delete=models.PROTECT, related_name="people", db_index=False)
    task = models.CharField(max_length=60)  # the purpose it was collected for (profile task key)
    data = CipherField()
    # key_id / bi_key: not indexed — only the key-status counts and the rotation job read them, and both scan.
    key_id = models.PositiveIntegerField()  # data key (also in the ciphertext header)
    bi_key = models.PositiveIntegerField()  # index key version of the bi_* columns
    # Blind indexes: the first 64 bits of HMAC-SHA256 as a signed bigint (crypto.Indexer.index). An integer
    # compares in one instruction and makes each B-tree entry 16 bytes instead of ~48 for 32 hex characters:
    # the four random-key indexes are what a bulk load pays for (docs/performance.md). Indexed in
    # Meta.indexes / constraints, not with db_index=True (which adds a useless "_like" twin on PostgreSQL).
    bi_my_number = models.BigIntegerField(null=True, blank=True)
    bi_resident_code = models.BigIntegerField(null=True, blank=True)
    bi_kana_birth = models.BigIntegerField(null=True, blank=True)
    bi_org_key = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.UNCONFIRMED)
    # entered_by / confirmed_by: not indexed — nothing looks people up by who entered or confirmed them.
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    entered_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", db_index=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_method = models.CharField(max_length=12, choices=Method, blank=True)
    # Every check the confirmation made (004 §14(3)②, E-24), comma-separated keys of ``Method`` in the order made
    # ("visual,read_back"); ``confirmation_method`` keeps the first. A DB default, so a bulk load's column list
    # need not name it.
    confirmation_checks = models.CharField(max_length=60, blank=True, default="", db_default="")
    channel = models.CharField(max_length=40, blank=True)  # acquisition channel (004 §14(1))
    verification = models.JSONField(default=dict, blank=True)  # 本人確認 evidence: document KEYS, no numbers
    retention_trigger_date = models.DateField(null=True, blank=True)  # 失権日 etc. (004 §15)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["file", "status"]),
            # Blind-index lookups: plain B-trees, equality only. The 個人番号 one is the unique constraint below.
            models.Index(fields=["bi_resident_code"], name="vault_person_bi_rc"),
            models.Index(fields=["bi_kana_birth"], name="vault_person_bi_kb"),
            models.Index(fields=["bi_org_key"], name="vault_person_bi_ok"),
        ]
        constraints = [
            # One person per 個人番号 per file, even under concurrent intake (same index version). It leads
            # with the blind index, so it also serves the same-number check across all files (E-08): one
            # random-key index for both, not two.
            models.UniqueConstraint(fields=["bi_my_number", "file"], condition=models.Q(bi_my_number__isnull=False),
                                    name="vault_person_one_number_per_file"),
        ]

    def __str__(self) -> str:
        return f"本人 #{self.pk}"

    @property
    def awaiting_confirmation(self) -> bool:
        """確認待ち: a manually entered number not yet checked by a second person (E-24)."""
        return self.status == self.Status.UNCONFIRMED

    @property
    def checks_made(self) -> list[str]:
        """The keys of the checks the confirmation made (the first method alone for an older record)."""
        keys = [k for k in str(self.confirmation_checks or "").split(",") if k]
        return keys or ([self.confirmation_method] if self.confirmation_method else [])

    @property
    def checks_made_labels(self) -> list[str]:
        return [str(self.Method(k).label) if k in self.Method.values else k for k in self.checks_made]


class PersonCorrection(models.Model):
    """訂正履歴 (002 §12, 001 §4.2): who changed which field keys on whose instruction; values encrypted."""

    # db_constraint=False: on PostgreSQL the person table is partitioned by file, and a partitioned table's
    # key includes the partition key, so no foreign key can point at ``id`` alone. People are never removed
    # (deletion blanks the row, E-25), so a reference cannot dangle; PROTECT still holds in the ORM.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="corrections", db_constraint=False)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    instructed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    field_keys = models.JSONField(default=list)
    reason = models.CharField(max_length=300, blank=True)  # no personal data
    values = CipherField()  # encrypted {"old": {...}, "new": {...}}
    key_id = models.PositiveIntegerField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"訂正 #{self.pk}"


class PersonDeletion(models.Model):
    """削除 with the second person's visual check and the captured access history (004 §14(6), E-25)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("確認待ち")
        DONE = "done", _("削除済")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="deletions",
                               db_constraint=False)  # see PersonCorrection.person
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    retention_rule = models.CharField(max_length=60, blank=True)
    access_history = models.JSONField(default=list)  # operation-log entries about this person (no data)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)

    def __str__(self) -> str:
        return f"削除 #{self.pk}"


class ServiceAccount(models.Model):
    """An API client system: a token (digest only) bound to one registered terminal and to tasks.

    It acts as ``user`` (a staff account holding the handler designation), limited to ``tasks``.
    """

    name = models.CharField(max_length=100, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    terminal = models.ForeignKey("staff.Terminal", on_delete=models.PROTECT, related_name="+")
    tasks = models.JSONField(default=list)
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)  # last changing call (POST …); reads: the log

    def __str__(self) -> str:
        return self.name


class RotationJob(models.Model):
    """A key rotation's re-encryption job: resumable, one transaction per batch (progress here)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("実行待ち")
        RUNNING = "running", _("実行中")
        DONE = "done", _("完了")

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.RUNNING)
    old_data_keys = models.JSONField(default=list)
    new_index_key = models.PositiveIntegerField()
    master_key = models.PositiveIntegerField()
    last_person_id = models.BigIntegerField(default=0)
    last_correction_id = models.BigIntegerField(default=0)
    people_done = models.PositiveIntegerField(default=0)
    corrections_done = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    # A rotation asked for by a disposal that erased people (docs/keys.md §4): when it finishes, the previous
    # data keys of these files and the previous index key are destroyed, not retired.
    shred_files = models.JSONField(default=list, blank=True)
    shred_index = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)  # e.g. "disposal:12" — ids only
    destroyed_keys = models.JSONField(default=list, blank=True)  # "data:5", "index:2" destroyed at the finish

    def __str__(self) -> str:
        return f"鍵更新 #{self.pk}"
