"""Vendors (委託先), their qualification, the 別紙3 evaluation, contracts with their clause checklist,
sub-contractors, dispatched workers, supervision, deliveries and the return or erasure at the end.

Nothing here holds 特定個人情報: the entrusted personal information is named by file ids and field keys of
the profile, deliveries by the id of the export or carry-out; vendor staff are named as the vendor names
them (organisations and their officers, never the people in the files). The rules live in the services
(tokutei/vendors/services) and the profile (``outsourcing``), the access decision in tokutei/policy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Vendor(models.Model):
    """A vendor in the register (R-OUT-1): who it is and who answers for it on both sides."""

    name = models.CharField(_("委託先名称"), max_length=200)
    department = models.CharField(_("委託先の部門名"), max_length=200, blank=True)
    responsible_person = models.CharField(_("委託先の業務責任者"), max_length=100, blank=True)
    address = models.CharField(_("所在地"), max_length=300, blank=True)
    pmark = models.BooleanField(_("プライバシーマーク付与事業者"), default=False)
    unit = models.ForeignKey("staff.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所管課"))
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("担当職員"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("元請の委託先"))  # a sub-contractor is a managed vendor too (004)
    note = models.CharField(_("備考"), max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    """The check before selection (E-29): met or not, how it was confirmed, and the evidence."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="qualifications")
    method = models.CharField(_("確認の方法"), max_length=30)  # key of profile.outsourcing.qualification.methods
    method_label = models.CharField(max_length=100)
    evidence = models.CharField(_("根拠資料"), max_length=500)
    qualified = models.BooleanField(_("基準を満たす"))
    checked_on = models.DateField(_("確認日"))
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    article = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_on", "-id"]

    def __str__(self) -> str:
        return f"選定前の確認 No.{self.pk}"


class Evaluation(models.Model):
    """別紙3 特定個人情報等取扱業務委託先評価シート (004): one sheet, new or re-evaluation (R-OUT-8)."""

    class Kind(models.TextChoices):
        NEW = "new", _("新規")
        RE = "re", _("再評価")

    class Verdict(models.TextChoices):
        ADOPTED = "adopted", _("採用")
        CONDITIONAL = "conditional", _("採用（改善措置の実施を条件とする）")
        REJECTED = "rejected", _("不採用")

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="evaluations")
    kind = models.CharField(_("委託選定"), max_length=3, choices=Kind)
    pattern = models.CharField(_("委託パターン"), max_length=3)
    created_on = models.DateField(_("作成年月日"))
    method = models.CharField(_("確認の方法"), max_length=30, blank=True)
    basic = models.JSONField(default=dict)  # 基本情報 (2)–(6) and their 備考, as printed on the sheet
    pmark = models.BooleanField(null=True)  # pre-1: None = not answered
    no_leak_2y = models.BooleanField(null=True)  # pre-2
    shortcut = models.BooleanField(default=False)  # 判定欄「○」: the items below were skipped
    verdict = models.CharField(_("最終判定"), max_length=12, choices=Verdict, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    article = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_on", "-id"]

    def __str__(self) -> str:
        return f"委託先評価シート No.{self.pk}"


class EvaluationItem(models.Model):
    """One evaluation item graded A/B/C/— with its 改善措置等; a B's improvement is tracked to closure."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="items")
    no = models.CharField(max_length=10)
    text = models.CharField(max_length=300)
    grade = models.CharField(_("判定"), max_length=1, blank=True)  # A B C or "-" (—); "" = not graded
    improvement = models.CharField(_("改善措置等"), max_length=1000, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closing_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "no"], name="vendors_item_once")]

    def __str__(self) -> str:
        return f"{self.evaluation_id}:{self.no}"


class Contract(models.Model):
    """A contract with a vendor: the work, what is entrusted, the term, the clause checklist (E-28)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("作成中")
        ACTIVE = "active", _("有効")
        ENDED = "ended", _("終了（返還・消去の確認待ち）")
        CLOSED = "closed", _("完了")

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    title = models.CharField(_("契約件名"), max_length=200)
    work = models.CharField(_("業務委託内容"), max_length=1000)
    entrusted = models.CharField(_("預託個人情報"), max_length=500)  # what is entrusted, in words (no data)
    file_ids = models.JSONField(default=list)  # 特定個人情報ファイル ids entrusted
    field_keys = models.JSONField(default=list)  # profile field keys entrusted
    starts_on = models.DateField(_("契約期間（開始）"))
    ends_on = models.DateField(_("契約期間（終了）"))
    status = models.CharField(max_length=8, choices=Status, default=Status.DRAFT)
    qualification = models.ForeignKey(Qualification, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clauses = models.JSONField(default=list)  # the profile's checklist when drafted: [{kind, ja, article}]
    memorandum_on = models.DateField(_("覚書の締結日"), null=True, blank=True)
    memorandum_items = models.JSONField(default=list)
    memorandum_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    article = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ClauseConfirmation(models.Model):
    """One mandatory clause (or written confirmation) confirmed, with where it stands in the contract."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="confirmations")
    index = models.PositiveSmallIntegerField()  # position in ``contract.clauses``
    location = models.CharField(_("契約書上の箇所"), max_length=200)
    confirmed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["contract", "index"], name="vendors_clause_once")]

    def __str__(self) -> str:
        return f"{self.contract_id}:{self.index}"


class SubContractor(models.Model):
    """A tier of the sub-contracting chain with its permission record (E-30)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="subcontractors")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")  # the sub-contractor
    above = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="below")
    tier = models.PositiveSmallIntegerField(default=1)  # 1 = 再委託, 2 = 再々委託 …
    work = models.CharField(_("再委託する業務"), max_length=500)
    reason = models.CharField(_("再委託の理由（やむを得ない理由）"), max_length=1000, blank=True)
    safety_check = models.CharField(_("安全管理の確認の内容"), max_length=1000, blank=True)
    equivalent_conditions = models.BooleanField(_("委託と同等の条件"), default=False)
    approval = models.ForeignKey("approvals.ApprovalRequest", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    policy = models.CharField(max_length=20)  # profile.outsourcing.subcontracting when registered
    article = models.CharField(max_length=200, blank=True)
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["tier", "id"]

    def __str__(self) -> str:
        return f"再委託 No.{self.pk}（{self.tier}次）"


class DispatchedWorker(models.Model):
    """A dispatched worker (派遣労働者) doing the work (002 §38.5, E-31): no designation until the
    worker-dispatch contract's terms are confirmed."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    agency = models.CharField(_("派遣元事業者"), max_length=200)
    dispatch_contract = models.CharField(_("労働者派遣契約（番号・件名）"), max_length=200)
    contract_from = models.DateField(_("派遣期間（開始）"))
    contract_to = models.DateField(_("派遣期間（終了）"))
    terms = models.JSONField(default=list)  # [{ja, location}] each term and where the contract states it
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    article = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"派遣労働者 No.{self.pk}"


class Supervision(models.Model):
    """An inspection, hearing or report on a vendor (000 §22.2(9), 002 §38.3, 004 §14(5))."""

    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("実地調査")
        HEARING = "hearing", _("ヒアリング")
        REPORT = "report", _("報告書")

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="supervisions")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("方法"), max_length=10, choices=Kind)
    held_on = models.DateField(_("実施日"))
    summary = models.CharField(_("結果"), max_length=2000)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"監督の記録 No.{self.pk}"


class Delivery(models.Model):
    """Something handed to a vendor under a contract: an export, a carry-out, a hand-over (R-OUT-1)."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("出力ファイルの提供")
        CARRY_OUT = "carry_out", _("記録媒体・書類の持出し")
        HANDOVER = "handover", _("引渡し")

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="deliveries")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="deliveries")
    kind = models.CharField(_("種類"), max_length=10, choices=Kind)
    reference = models.CharField(_("対象"), max_length=100)  # "copy:12", "carry_out:3", or the item handed over
    record_count = models.PositiveIntegerField(_("件数"), default=0)
    delivered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-delivered_at", "-id"]

    def __str__(self) -> str:
        return f"提供 No.{self.pk}"


class ReturnTask(models.Model):
    """At a contract's end: the return, erasure or disposal by the vendor, closed only with its certificate
    where the profile requires one (R-OUT-12, E-32)."""

    class Outcome(models.TextChoices):
        RETURNED = "returned", _("返還")
        ERASED = "erased", _("消去")
        DISPOSED = "disposed", _("廃棄")

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="return_task")
    opened_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(_("返還・消去・廃棄"), max_length=10, choices=Outcome, blank=True)
    certificate_ref = models.CharField(_("証明書の番号等"), max_length=200, blank=True)
    certificate_date = models.DateField(_("証明書の日付"), null=True, blank=True)
    disposal_list_id = models.PositiveIntegerField(null=True, blank=True)  # retention.DisposalList, if any
    note = models.CharField(_("備考"), max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    article = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"返還・消去 No.{self.pk}"
