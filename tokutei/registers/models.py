"""Registers of what must be tracked outside the vault: media, documents, carry-outs, exports and copies.

Moved from ``tokutei.approvals`` (which keeps the approval engine): the tables keep their names
(``approvals_*``), so no row was copied (registers/0001 and approvals/0002 move only Django's state).
Nothing here holds personal data: summaries, counts and places only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokutei.approvals.models import ApprovalRequest

# --- 記録媒体 (000 §11; 002 §13, §14; 003 §13) ----------------------------------------------------------


class Medium(models.Model):
    """A recording medium holding protected data (R-MED-1): the media register (記録媒体管理簿)."""

    class Kind(models.TextChoices):
        USB = "usb", _("USBメモリ")
        OPTICAL = "optical", _("光ディスク")
        DISK = "disk", _("磁気ディスク・SSD")
        TAPE = "tape", _("磁気テープ")
        PAPER = "paper", _("紙媒体")
        BUILT_IN = "built_in", _("端末・サーバ内蔵記憶装置")
        OTHER = "other", _("その他")

    class Status(models.TextChoices):
        STORED = "stored", _("保管中")
        OUT = "out", _("持出し中")
        DISPOSED = "disposed", _("廃棄済み")
        LOST = "lost", _("所在不明")

    label = models.CharField(_("媒体番号"), max_length=60, unique=True)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind)
    content_summary = models.CharField(_("内容（個人情報を書かない）"), max_length=200, blank=True)
    record_count = models.PositiveIntegerField(_("記録件数"), default=0)
    storage_place = models.CharField(_("保管場所"), max_length=200)
    room = models.ForeignKey("registers.Room", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="media")  # the room it is kept in (R-ROOM-8)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.STORED)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disposed_at = models.DateTimeField(null=True, blank=True)
    disposal_method = models.CharField(_("廃棄方法"), max_length=100, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposal_witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "approvals_medium"  # created by approvals/0001; moved without copying data
        ordering = ["label"]
        verbose_name = "記録媒体"

    def __str__(self) -> str:
        return self.label


class MediumCheck(models.Model):
    """障害の有無の記録 (000 §11.6): each check records whether the medium had a fault."""

    medium = models.ForeignKey(Medium, on_delete=models.PROTECT, related_name="checks")
    checked_at = models.DateTimeField(default=timezone.now)
    has_fault = models.BooleanField(_("障害の有無"))
    description = models.CharField(_("内容"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "approvals_mediumcheck"  # created by approvals/0001; moved without copying data
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.medium_id} {'fault' if self.has_fault else 'ok'}"


class CarryOut(models.Model):
    """A carry-out (持出し) or external transport of media or papers (000 §11.3; 002 §11, §35; 003 §13)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("持出し前")
        OUT = "out", _("持出し中")
        RETURNED = "returned", _("返却済み")
        DISPOSED = "disposed", _("廃棄済み")
        DELIVERED = "delivered", _("提出・引渡し済み")

    medium = models.ForeignKey(Medium, null=True, blank=True, on_delete=models.PROTECT, related_name="carry_outs")
    counterparty = models.CharField(_("相手方"), max_length=200)
    media_type = models.CharField(_("記録媒体の種類"), max_length=60)
    quantity = models.PositiveIntegerField(_("数量"))
    record_count = models.PositiveIntegerField(_("記録件数"))
    purpose_key = models.CharField(_("持出しの目的"), max_length=60, blank=True)
    purpose_note = models.CharField(_("目的の説明"), max_length=200, blank=True)
    protections = models.JSONField(_("保護措置"), default=list, blank=True)  # protection keys
    approval = models.OneToOneField(
        ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="carry_out"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    carried_out_at = models.DateTimeField(null=True, blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposal_method = models.CharField(_("廃棄方法"), max_length=100, blank=True)

    class Meta:
        db_table = "approvals_carryout"  # created by approvals/0001; moved without copying data
        ordering = ["-created_at", "-id"]
        verbose_name = "持出し記録"

    def __str__(self) -> str:
        return f"持出し #{self.pk}"


# --- ドキュメント (000 §12; 002 §30) ---------------------------------------------------------------------


class Document(models.Model):
    """A design, programming or operation document of the system (ドキュメント, 000 §2(3), §12.1)."""

    class Kind(models.TextChoices):
        DESIGN = "design", _("設計書")
        PROGRAM = "program", _("プログラム作成の記録")
        OPERATION = "operation", _("運用に関する記録・文書")
        DIAGRAM = "diagram", _("構成図")

    class Status(models.TextChoices):
        STORED = "stored", _("保管中")
        OUT = "out", _("持出し中")
        DISPOSED = "disposed", _("廃棄済み")

    title = models.CharField(_("文書名"), max_length=200)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind)
    storage_place = models.CharField(_("保管場所"), max_length=200)
    copies = models.PositiveIntegerField(_("部数"), default=1)
    status = models.CharField(max_length=10, choices=Status, default=Status.STORED)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "approvals_document"  # created by approvals/0001; moved without copying data
        ordering = ["title"]
        verbose_name = "ドキュメント"

    def __str__(self) -> str:
        return self.title


class DocumentEvent(models.Model):
    """保管状況の記録: a copy, carry-out, return, storage check or disposal of a document."""

    class Kind(models.TextChoices):
        COPY = "copy", _("複製")
        CARRY_OUT = "carry_out", _("持出し")
        RETURN = "return", _("返却")
        CHECK = "check", _("保管状況の確認")
        DISPOSE = "dispose", _("廃棄")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind)
    approval = models.OneToOneField(
        ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="document_event"
    )
    note = models.CharField(_("備考"), max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "approvals_documentevent"  # created by approvals/0001; moved without copying data
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.kind}"


# --- 出力・一時的な複製 (002 §11, §26) ----------------------------------------------------------------------


class TemporaryCopy(models.Model):
    """An encrypted export or processing copy written under EXPORT_DIR; deleted automatically (E-40)."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("出力ファイル")
        PROCESSING = "processing", _("一時的な加工用の複製")

    kind = models.CharField(max_length=12, choices=Kind, default=Kind.EXPORT)
    file_name = models.CharField(max_length=200, unique=True)  # relative to EXPORT_DIR
    purpose = models.CharField(max_length=60)
    field_keys = models.JSONField(default=list)
    record_count = models.PositiveIntegerField(default=0)
    recipient = models.CharField(_("受領者"), max_length=200)
    sha256 = models.CharField(max_length=64)  # of the encrypted bytes
    approval = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="copies"
    )
    bulk_approval = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deletion_reason = models.CharField(max_length=20, blank=True)  # expired / manual

    class Meta:
        db_table = "approvals_temporarycopy"  # created by approvals/0001; moved without copying data
        ordering = ["-created_at", "-id"]
        verbose_name = "出力・一時複製"

    def __str__(self) -> str:
        return self.file_name


class Transmission(models.Model):
    """送信 (002 §11(2), §24; E-08, E-45): an export file sent to another system or body, over a channel of
    the profile's list whose path is protected, on the recorded instruction (``approval``)."""

    copy = models.ForeignKey(TemporaryCopy, on_delete=models.PROTECT, related_name="transmissions")
    channel = models.CharField(_("送信の経路"), max_length=60)  # key of profile.transmission.channels
    recipient = models.CharField(_("送信先"), max_length=200)
    approval = models.ForeignKey(ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    note = models.CharField(_("備考"), max_length=200, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.copy_id} → {self.recipient}"


class Dispatch(models.Model):
    """回付・進達 (004 §14(2), E-39): opened, then completed — only with its 別紙1 entry, and a 進達 only by a
    traceable mailing method of the profile's list (``method`` is its key)."""

    class Kind(models.TextChoices):
        FORWARDING = "forwarding", _("回付")
        SUBMISSION = "submission", _("進達")

    class Status(models.TextChoices):
        OPEN = "open", _("未完了")
        DONE = "done", _("完了")

    kind = models.CharField(_("区分"), max_length=12, choices=Kind)
    purpose = models.CharField(max_length=60)
    recipient = models.CharField(_("回付先・進達先"), max_length=200)
    item = models.CharField(_("書類・媒体"), max_length=200, blank=True)
    record_count = models.PositiveIntegerField(_("件数"), default=0)
    status = models.CharField(max_length=8, choices=Status, default=Status.OPEN)
    method = models.CharField(_("郵送方法"), max_length=60, blank=True)  # key of profile.dispatch.mailing_methods
    sealed = models.BooleanField(_("封緘"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recipient}"


# --- 室・区域と入退室 (000 §13; 002 §20, §36, §37; 003 §11; 004 §12) — issue 17 ----------------------------


class Room(models.Model):
    """A room or area of one of the profile's classes (``profile.rooms[room_class]``, R-ROOM-1)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    room_class = models.CharField(_("区分"), max_length=60)  # a key of profile.rooms
    note = models.CharField(_("備考"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room_class", "name"]
        verbose_name = "室・区域"

    def __str__(self) -> str:
        return self.name


class RoomMeasureCheck(models.Model):
    """A physical measure of a room checked, with its evidence (R-ROOM-5–7; 001 §8 hazard classes).
    Append-only in use: the newest check of a measure is in force."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="checks")
    measure = models.CharField(_("措置"), max_length=200)
    in_place = models.BooleanField(_("実施済み"))
    evidence = models.CharField(_("確認の根拠（写真・点検記録の番号等）"), max_length=300, blank=True)
    checked_on = models.DateField(_("確認日"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    log_seq = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["room", "measure", "-checked_on", "-id"]

    def __str__(self) -> str:
        return f"{self.room} {self.measure}"


class RoomEntry(models.Model):
    """One line of the entry/exit book (入退室管理簿, R-REG-4, R-ROOM-3/4)."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("職員・操作者")
        VISITOR = "visitor", _("来訪者")
        VENDOR = "vendor", _("業者（設置・保守・撤去）")

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("区分"), max_length=10, choices=Kind)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")  # a member of staff
    visitor_name = models.CharField(_("氏名（来訪者）"), max_length=100, blank=True)
    affiliation = models.CharField(_("所属"), max_length=100, blank=True)
    purpose = models.CharField(_("用件"), max_length=200)
    entered_at = models.DateTimeField(_("入室日時"))
    exited_at = models.DateTimeField(_("退室日時"), null=True, blank=True)
    identification = models.CharField(_("本人確認の方法"), max_length=100, blank=True)
    name_tag = models.CharField(_("名札の番号"), max_length=30, blank=True)
    escort = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    permission = models.ForeignKey(ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")  # the entry permission in force (E-19)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-entered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.room} {self.entered_at:%Y-%m-%d %H:%M}"

    @property
    def who(self) -> str:
        if self.person is not None:
            return f"{self.person.display_name}（{self.person.username}）"
        return self.visitor_name


# --- 情報資産と端末 (000 §18; 002 §31–34) — issue 17 ----------------------------------------------------------


class Asset(models.Model):
    """An information asset (R-ASSET-1, R-REG-3): hardware, software, network equipment, media. A registered
    terminal of the staff app is an asset of kind ``terminal`` linked to it."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("情報")
        SOFTWARE = "software", _("ソフトウェア")
        HARDWARE = "hardware", _("ハードウェア")
        SERVER = "server", _("サーバ")
        TERMINAL = "terminal", _("端末")
        BIOMETRIC_DEVICE = "biometric_device", _("生体認証装置")
        NETWORK = "network", _("ネットワーク機器")
        MEDIUM = "medium", _("記録媒体")

    class Status(models.TextChoices):
        IN_USE = "in_use", _("使用中")
        STORED = "stored", _("保管中")
        OUT = "out", _("持出し中")
        DISPOSED = "disposed", _("廃棄済み")

    tag = models.CharField(_("資産番号"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind)
    classification = models.CharField(_("分類（機密性等）"), max_length=60, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="assets")
    terminal = models.OneToOneField("staff.Terminal", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="asset")
    status = models.CharField(_("状態"), max_length=10, choices=Status, default=Status.IN_USE)
    acquired_on = models.DateField(_("取得日"), null=True, blank=True)
    disposed_on = models.DateField(_("廃棄日"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["kind", "tag"]

    def __str__(self) -> str:
        return f"{self.tag} {self.name}"


class TerminalMovement(models.Model):
    """A terminal taken out or brought in, with the 保護管理者's approval (002 §32.2, E-18)."""

    class Direction(models.TextChoices):
        OUT = "out", _("持出し")
        IN = "in", _("持込み")

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="movements")
    direction = models.CharField(_("区分"), max_length=3, choices=Direction)
    reason = models.CharField(_("目的・行先"), max_length=200)
    approval = models.ForeignKey(ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.asset} {self.direction}"


class AllowedDevice(models.Model):
    """A recording device or medium that may be connected to a terminal (002 §34, E-17)."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="allowed_devices")
    device = models.CharField(_("機器・媒体"), max_length=100)
    identifier = models.CharField(_("識別番号"), max_length=100)
    permitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    permitted_on = models.DateField(_("許可日"))
    removed_on = models.DateField(_("許可の取消日"), null=True, blank=True)

    class Meta:
        ordering = ["asset", "device"]

    def __str__(self) -> str:
        return f"{self.device} {self.identifier}"


class DeviceConnection(models.Model):
    """A connection reported by the terminal-management tool (imported CSV); ``allowed`` says whether the
    device was on the allow-list at that time (E-17: a connection off the list is flagged)."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="connections")
    identifier = models.CharField(_("識別番号"), max_length=100)
    device = models.CharField(_("機器"), max_length=100, blank=True)
    connected_at = models.DateTimeField(_("接続日時"))
    allowed = models.BooleanField(_("許可一覧にある"))
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-connected_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["asset", "identifier", "connected_at"],
                                               name="registers_connection_once")]

    def __str__(self) -> str:
        return f"{self.asset} {self.identifier}"


# --- 照合情報 (000 §7.3, §15; E-10) — issue 17 ---------------------------------------------------------------


class BiometricRecord(models.Model):
    """照合情報管理簿 (R-REG-2): one WebAuthn authenticator enrolled as an operator's 照合情報, the approval it
    was enrolled under and, once deleted, the approval of its deletion. ``factor_id``: staff.SecondFactor."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    factor_id = models.BigIntegerField(unique=True)
    registered_at = models.DateTimeField(default=timezone.now)
    register_approval = models.ForeignKey(ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    delete_approval = models.ForeignKey(ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")

    class Meta:
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return self.matching_id

    @property
    def matching_id(self) -> str:
        return f"B{self.factor_id:06d}"


class DelegatedAuthority(models.Model):
    """委託する操作権限 added to / returned from an operator (000 §7.3, E-10)."""

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("操作権限の内容"), max_length=200)
    added_at = models.DateTimeField(default=timezone.now)
    add_approval = models.ForeignKey(ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    return_approval = models.ForeignKey(ApprovalRequest, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-added_at", "-id"]

    def __str__(self) -> str:
        return f"{self.holder_id} {self.scope}"


class LinkageId(models.Model):
    """情報連携システムのID (004 §14(2), §14(7); R-IAM-13, E-44): one per handler, applied for to the 連合会 by
    the 特定個人情報保護責任者 (the application — date, the 連合会's reference, who applied — recorded first),
    activated only then, suspended or resumed, and returned. Never deleted: the line is the register."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("申請中")
        ACTIVE = "active", _("利用中")
        SUSPENDED = "suspended", _("停止中")
        RETURNED = "returned", _("返却済み")

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField(_("連合会への申請日"))
    reference = models.CharField(_("申請の受付番号"), max_length=60)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状態"), max_length=10, choices=Status, default=Status.APPLIED)
    linkage_id = models.CharField(_("ID"), max_length=60, blank=True)
    issued_on = models.DateField(_("連合会の交付日"), null=True, blank=True)
    activated_on = models.DateField(_("利用開始日"), null=True, blank=True)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    suspended_on = models.DateField(_("停止日"), null=True, blank=True)
    returned_on = models.DateField(_("返却日"), null=True, blank=True)
    note = models.CharField(_("備考（停止・返却の理由等）"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["holder_id", "-applied_on", "-id"]

    def __str__(self) -> str:
        return self.linkage_id or self.reference
