"""The operation log (操作履歴 / アクセス記録 / 操作証跡): append-only, hash-chained.

Entries hold no plaintext personal data: records are named by id, search terms by keyed digest.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Entry(models.Model):
    """One operation. ``hash`` = SHA-256 of the entry's canonical bytes, which include ``prev_hash``."""

    class Result(models.TextChoices):
        OK = "ok", _("成功")
        REFUSED = "refused", _("拒否")
        FAILED = "failed", _("失敗")

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    terminal_id = models.BigIntegerField(null=True)
    terminal_name = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    purpose = models.CharField(max_length=60, blank=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=80, blank=True, db_index=True)
    count = models.PositiveIntegerField(default=1)  # records touched
    result = models.CharField(max_length=10, choices=Result, default=Result.OK)
    article = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    lane = models.PositiveSmallIntegerField(default=1)  # which hash chain (services.py: lanes)
    lane_seq = models.BigIntegerField(default=0)  # position in that chain: 1, 2, 3 … without gaps
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # How ``hash`` is computed (chain.py): 1 = SHA-256(prev || canonical JSON), the entries written before
    # format 2 existed; 2 = SHA-256 of the columns as the database renders them (sql.py), every new entry.
    hash_version = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["seq"]
        verbose_name = "操作履歴"
        constraints = [models.UniqueConstraint(fields=["lane", "lane_seq"], name="auditlog_entry_lane_position")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.result}"


class ChainHead(models.Model):
    """The head of one chain (``id`` = lane): locked FOR UPDATE by the transaction appending to it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)  # the lane position of the last entry
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class Checkpoint(models.Model):
    """A signed statement "the log's entry ``seq`` has hash ``hash``" (C2SP tlog / CT signed tree head).

    Signed with the Ed25519 key kept in a file outside the database (settings.AUDIT_SIGNING_KEY_FILE), so
    whoever holds only the database cannot truncate the tail or rewrite the chain without it showing.
    """

    lane = models.PositiveSmallIntegerField(default=1)
    seq = models.BigIntegerField(db_index=True)  # position in the lane
    hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    signature = models.CharField(max_length=128)  # hex of the 64-byte Ed25519 signature
    key_fingerprint = models.CharField(max_length=64)  # SHA-256 of the raw public key, hex
    reason = models.CharField(max_length=20, default="manual")  # manual / auto / verify / export / purge

    class Meta:
        ordering = ["lane", "seq", "id"]
        verbose_name = "署名付きチェックポイント"

    REASONS = {"manual": _("手動"), "auto": _("自動（一定件数ごと）"), "verify": _("検証時"),
               "export": _("書出し時"), "purge": _("保存期間経過消去時")}

    def __str__(self) -> str:
        return f"checkpoint {self.lane}/{self.seq} {self.hash[:12]}"

    @property
    def reason_label(self) -> str:
        """Why it was made, in words (「検証時」): the page never shows the stored code."""
        return str(self.REASONS.get(self.reason, _("その他")))


class PurgeRecord(models.Model):
    """A retention purge (E-35): entries up to ``through_seq`` removed; ``anchor_hash`` is the hash of the last
    removed entry, signed, so the remaining log is verified starting from it."""

    lane = models.PositiveSmallIntegerField(default=1)
    through_seq = models.BigIntegerField()  # lane position of the last removed entry
    anchor_hash = models.CharField(max_length=64)
    before = models.DateTimeField()  # every removed entry is older than this
    removed = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    signature = models.CharField(max_length=128)
    key_fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["lane", "through_seq"]
        verbose_name = "操作履歴の保存期間経過消去"

    def __str__(self) -> str:
        return f"purge through #{self.through_seq}"


class PurgeAuthorisation(models.Model):
    """SQLite only: a row present only inside a purge transaction; the DELETE trigger requires it."""

    through_seq = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"purge authorisation through #{self.through_seq}"


class LogReview(models.Model):
    """A signed-off review of the operation log for a period (R-LOG-4)."""

    reviewer = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField()
    period_to = models.DateField()
    findings = models.TextField()
    issues_found = models.BooleanField(default=False)
    signed_at = models.DateTimeField()
    through_seq = models.BigIntegerField(default=0)  # the last entry the reviewer could see
    through_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = "操作履歴の点検記録"

    def __str__(self) -> str:
        return f"review {self.period_from}–{self.period_to}"
