"""The organisation profile: the regulation as data (requirements §3, §4, §6).

A profile is a YAML file validated by these pydantic models. Everything that differs between
organisations lives here — roles, legal tasks and their fields, approval chains, authentication,
retention, rooms, registers, forms, contract clauses and vendor-evaluation rules — each with the article
it comes from. Code names the concept; the profile names the article.

Format version: ``format: 1``. Unknown keys are errors (``extra="forbid"``), so a typo never silently
turns a rule off. Cross-references (a role named in an approval, a field named in a task) are checked
after parsing, and every error is reported with its key path.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FORMAT_VERSION = 1

# Approval operations other code looks up in ``profile.approvals`` (plus ``room_entry_l<level>``).
APPROVAL_OPERATIONS = frozenset({
    "bulk_handling", "media_carry_out", "export", "copy", "transmit", "document_copy", "document_carry_out",
    "biometric_register", "biometric_delete", "delegated_authority_add", "delegated_authority_return",
    "terminal_carry_out", "terminal_bring_in", "subcontracting", "correction", "disposal",
    "id_password_exception", "operator_registration",
    "disclosure",  # tokutei.pia: issuing a 本人開示 report (pia.disclosure.approval)
})

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Article = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(Strict):
    """A length of time. ``None`` everywhere a regulation is silent means "not set"."""

    years: int = 0
    months: int = 0
    days: int = 0

    def add_to(self, day: dt.date) -> dt.date:
        return self._shift(day, +1)

    def subtract_from(self, day: dt.date) -> dt.date:
        """``day`` minus the period (e.g. the first day still within a retention period ending today)."""
        return self._shift(day, -1)

    def _shift(self, day: dt.date, sign: int) -> dt.date:
        month_index = day.month - 1 + sign * (self.months + 12 * self.years)
        year, month = day.year + month_index // 12, month_index % 12 + 1
        # Clamp 29–31 to the month's last day (e.g. 2月29日 + 1年 → 2月28日).
        for candidate in (day.day, 30, 29, 28):
            try:
                moved = dt.date(year, month, min(day.day, candidate))
                break
            except ValueError:
                continue
        return moved + sign * dt.timedelta(days=self.days)

    def label_ja(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years}年")
        if self.months:
            parts.append(f"{self.months}か月")
        if self.days:
            parts.append(f"{self.days}日")
        return "".join(parts) or "0日"

    def label(self) -> str:
        """The period in the page's language: label_ja, or 「1 year 6 months」 on an English page."""
        from django.utils import translation

        if not (translation.get_language() or "").startswith("en"):
            return self.label_ja()
        units = ((self.years, "year"), (self.months, "month"), (self.days, "day"))
        return " ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in units if n) or "0 days"


class OpenParameter(Strict):
    """Marks a value the regulation leaves open (requirements §6): the organisation decided it."""

    decided_by: Literal["regulation", "organisation"] = "organisation"
    note: str = ""


class Version(Strict):
    in_force: dt.date
    applies_from: dt.date | None = None
    note: str = ""
    open: OpenParameter | None = None  # the text gives no date in force (002): the date is the organisation's


class Organisation(Strict):
    code: str = Field(pattern=r"^[0-9A-Za-z_-]{1,20}$")
    name: str
    name_en: str = ""
    instrument: str
    short_ja: str = ""  # how screens cite the instrument: 「取扱要綱第14条第7号」 (citations.cite)
    short_en: str = ""
    kind: Literal["municipality", "mutual_aid_association"]
    data_class: str
    data_class_en: str = ""
    versions: list[Version] = Field(min_length=1)
    supplementary_instruments: list[str] = []
    article: Article


class Unit(Strict):
    """課・室 or other organisational unit (R-ORG-6)."""

    ja: str
    en: str = ""


class Post(Strict):
    """A post (役職) that fills a role ex officio (充て職, R-ORG-2)."""

    ja: str
    en: str = ""
    unit: Key | None = None


class Role(Strict):
    """A role of this organisation (R-ORG-1). Role keys belong to one organisation only."""

    ja: str
    en: str
    short_ja: str = ""
    posts: list[Key] = []  # filled ex officio by the holder of one of these posts
    designated_by: list[Key] = []  # roles allowed to designate holders (R-ORG-3)
    eligible_roles: list[Key] = []  # a holder must also hold one of these roles (e.g. 拠点管理者 ⊂ operator)
    eligible_units: list[Key] = []  # a holder must belong to one of these units (004 §5, §7)
    exact_holders: int | None = None  # e.g. exactly two 拠点管理者 (000 §7)
    max_holders: int | None = None
    supervises: list[Key] = []
    unit_scoped: bool = False  # acts only within their own unit (保護管理者, R-ORG-6)
    handles_data: bool = False  # may see personal data once designated with a task scope (E-01)
    administers_system: bool = False  # registers terminals, staff and designations (システム管理者)
    reads_audit_log: bool = False  # read-only search of the whole operation log (監査責任者)
    second_factor: Literal["required", "optional"] = "required"
    duties: list[str] = []
    organisation_defined: bool = False  # the regulation names no such role; the organisation set it up (§6)
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class Field_(Strict):
    """A field of a person record. ``kind`` decides validation and encryption; all are encrypted."""

    ja: str
    en: str
    kind: Literal[
        "my_number", "resident_code", "name", "kana", "date", "sex", "address", "text", "integer", "money"
    ]
    required: bool = False
    in_force_from: dt.date | None = None  # 000: 個人番号 is part of 本人確認情報 from 2016-01-01
    article: Article
    open: OpenParameter | None = None  # the regulation does not name the field (003 name_kana)


class Task(Strict):
    """A legal task or purpose (事務 / 利用目的) that access must be bound to (E-02, E-03)."""

    ja: str
    en: str = ""
    law: str = ""  # law and provision, as data (the regulations cite them inconsistently, §6-5)
    parent: Key | None = None
    selectable: bool = True  # False for grouping nodes of a purpose tree (004 §3)
    fields: list[Key] = []  # usable fields (003 別表 third column, 004 §2, 000 §2)
    ground: str = ""  # 番号法 ground (002 §17–§19, E-37)
    retention_rule: Key | None = None  # the people collected for this task (else the class's rule)
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class ApprovalStep(Strict):
    roles: list[Key] = Field(min_length=1)  # any holder of one of these roles may give this step
    ja: str = ""


class ApprovalRule(Strict):
    """Who must approve an operation before it may run (requirements §2, E-05–E-10, E-18, E-19)."""

    ja: str
    en: str = ""
    enabled: bool = True
    applicant_roles: list[Key] = []  # empty: any signed-in staff member may apply
    steps: list[ApprovalStep] = Field(min_length=1)
    order: Literal["sequence", "all", "any"] = "all"
    distinct_approvers: bool = True  # one person holding two posts may not approve twice (§6-8)
    valid_for: Period | None = Field(default_factory=lambda: Period(days=30))
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class PasswordOnlyException(Strict):
    """001 §5.3: ID + password instead of biometrics, only on a recorded decision."""

    allowed: bool = False
    granted_by: list[Key] = []
    conditions: list[str] = []
    article: Article = "—"


class SystemAuthentication(Strict):
    """How one named system is signed in to (004: 個人番号管理システム vs 情報連携システム)."""

    ja: str
    modes: list[Literal["password", "totp", "webauthn", "ic_card"]]
    biometric_required: bool = False
    id_issued_by: list[Key] = []  # roles that issue or apply for each handler's ID
    note: str = ""
    article: Article


class Console(Strict):
    """The server's console (management commands) as a channel of its own.

    ``allowed: false`` refuses every command that acts for a staff member; ``personal_data: false``
    refuses those that handle 特定個人情報等 (imports, exports), so that only registered terminals do.
    """

    allowed: bool = True
    personal_data: bool = True
    note: str = ""
    article: Article = "—"


class CredentialSuspension(Strict):
    """異動等 (001 §5.5, 002 §10.1, E-13): a transfer or an end of designation suspends the person's credentials
    for 特定個人情報等 at once — sessions ended, second factors and API tokens suspended — until the
    provisioning task is closed as set (設定) or cancelled (取消し)."""

    open: OpenParameter | None = None
    article: Article = "—"  # "—": the authentication article


class Authentication(Strict):
    modes: list[Literal["password", "totp", "webauthn", "ic_card"]]
    biometric_required: bool = False  # WebAuthn with user verification counts as 生体認証
    password_min_length: int = 12
    password_max_age: Period | None = None  # 003 §15: periodic change
    password_max_age_open: OpenParameter | None = None
    lockout_threshold: int = 5
    lockout_minutes: int = 30
    lockout_open: OpenParameter | None = None
    idle_logoff_minutes: int = 15  # 002 §33 (E-41)
    idle_logoff_open: OpenParameter | None = None
    password_only_exception: PasswordOnlyException = PasswordOnlyException()
    terminals_required: bool = True  # only registered terminals reach personal data (002 §31, 004 §14(7))
    systems: dict[Key, SystemAuthentication] = {}  # per-system rules where they differ (004 §14(7))
    console: Console = Console()  # what the server's console may do (tokutei.policy)
    on_change: CredentialSuspension = CredentialSuspension()  # 異動等: credentials suspended (E-13)
    note: str = ""
    article: Article

    @property
    def on_change_article(self) -> str:
        """The article a suspension after 異動等 cites: ``on_change``'s, else the authentication article."""
        return self.on_change.article if self.on_change.article not in ("", "—") else self.article


class Bulk(Strict):
    """大量 handling (000 §9.2, E-05)."""

    threshold: int | None = None  # records per request; None = no bulk rule
    approval: Key | None = None
    open: OpenParameter | None = None
    article: Article = "—"


# The record classes the system holds (R-RET-1). Each needs a rule in ``retention.classes``: a class without
# one is a profile error, never "delete at once". With each class, the events its records can be counted from.
_RECORDED = frozenset({"acquired", "right_lost", "qualification_lost", "contract_end", "processing_end",
                       "no_longer_needed"})  # dates a manager records for a record (retention.RecordEvent)
RECORD_CLASSES: dict[str, tuple[str, str, frozenset[str]]] = {
    "person": ("本人の記録（特定個人情報ファイル）", "People in personal data files", _RECORDED | {"created"}),
    "handling_record": ("取扱状況の記録", "Handling-status records", frozenset({"created", "no_longer_needed"})),
    "register_entry": ("記録簿・台帳の記載", "Register entries", frozenset({"created", "no_longer_needed"})),
    "medium": ("記録媒体", "Recording media", _RECORDED | {"created"}),
    "document": ("書類・ドキュメント", "Documents", _RECORDED | {"created"}),
    "export": ("出力ファイル", "Exports", frozenset({"created", "processing_end"})),
    "temporary_copy": ("一時的な加工用の複製", "Temporary processing copies", frozenset({"created", "processing_end"})),
    "approval": ("承認の記録", "Approval records", frozenset({"created", "closed", "no_longer_needed"})),
}
# Events a period is counted from (R-RET-1): 取得, 失権, 資格喪失, 契約終了, the end of processing …
RETENTION_EVENTS: dict[str, tuple[str, str]] = {
    "acquired": ("取得の日", "acquisition"),
    "right_lost": ("失権の日", "loss of the right"),
    "qualification_lost": ("資格喪失の日", "loss of qualification"),
    "contract_end": ("契約終了の日", "end of the contract"),
    "processing_end": ("処理の終了の日", "end of processing"),
    "created": ("作成・登録の日", "creation"),
    "closed": ("完了の日", "completion"),
    "no_longer_needed": ("不要と判断した日", "the day it was found no longer needed"),
}
MediumClass = Literal["paper", "media", "electronic", "computer"]


class Calendar(Strict):
    """The organisation's business days: national holidays (jpholiday), 年末年始 and its own closed days."""

    year_end_from: str | None = Field(default="12-29", pattern=r"^\d{2}-\d{2}$")  # None: no 年末年始 closure
    year_end_to: str | None = Field(default="01-03", pattern=r"^\d{2}-\d{2}$")
    closed_days: list[dt.date] = []  # one-off closed days
    annual_closed_days: list[Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")]] = []  # e.g. 創立記念日
    note: str = ""
    open: OpenParameter | None = None


class DisposalMethod(Strict):
    """A way of disposing of or deleting a record (R-RET-4): which media it suits, vendor, witness."""

    ja: str
    en: str = ""
    media: list[MediumClass] = Field(min_length=1)
    vendor: bool = False  # done by a vendor: the item is closed only with its certificate (E-32)
    witness: bool = False  # paper and media: recorded with a witness other than the one who did it
    article: Article


class Retention(Strict):
    operation_log: Period | None
    operation_log_open: OpenParameter | None = None
    business_year_start_month: int = Field(default=4, ge=1, le=12)  # 004 §15 / R-RET-11
    business_year_open: OpenParameter | None = None
    review_roles: list[Key] = []  # who must check the operation log (000 §14.1)
    classes: dict[str, Key] = {}  # record class (RECORD_CLASSES) → rule key in ``retention_rules``
    methods: dict[Key, DisposalMethod] = {}
    calendar: Calendar = Calendar()
    overdue_after_business_days: int = Field(default=0, ge=0)  # "遅滞なく": overdue this many business days after
    overdue_open: OpenParameter | None = None
    note: str = ""
    article: Article


class RetentionRule(Strict):
    """Retention of a record class (R-RET-1, E-36).

    * ``fixed_period``: ``period`` (or ``business_days`` on the organisation's calendar) after ``event``,
      counted from that day or from the start of the next business year (``count_from``, 004 §15);
    * ``after_next_payment``: after the first payment date of the organisation's calendar that follows the
      event (000 §11.1);
    * ``when_no_longer_needed``: once someone records that it is no longer needed; until then it is reviewed
      every ``review_every`` from the event (002 §14, 003 §14).
    """

    ja: str
    trigger: Literal["after_next_payment", "when_no_longer_needed", "fixed_period"]
    event: str = "created"  # a key of RETENTION_EVENTS
    count_from: Literal["day", "next_business_year"] = "day"
    period: Period | None = None
    business_days: int | None = Field(default=None, ge=0)  # a period counted in business days (004 §15: 5営業日)
    review_every: Period | None = None  # when_no_longer_needed: the review date
    methods: list[Key] = []  # keys of ``retention.methods``
    second_person_check: bool = False  # 004 §14(6), E-25
    confirmed_by: list[Key] = []  # roles that confirm the disposal was done (003 §14)
    partial: bool = False  # the 個人番号 may be erased and the rest of the record kept (PPC guideline)
    automatic: bool = False  # deleted by another body's system (004 情報連携システム, 日本年金機構)
    note: str = ""
    open: OpenParameter | None = None
    article: Article


AssetKind = Literal["information", "software", "hardware", "server", "terminal", "biometric_device", "network",
                    "medium"]


class VisitorRule(Strict):
    """Who enters a room from outside (vendors, visitors): what the entry book must show (000 §13.4; 002 §36.1,
    E-20). ``escort_roles``: the escort must hold one of them (empty: any member of staff)."""

    identification: bool = True  # 名札の着用・身分の確認
    escort: bool = True  # a named escort (立会い)
    escort_roles: list[Key] = []
    article: Article


class RoomClass(Strict):
    ja: str
    level: int | None = None
    entry_approver_roles: list[Key] = []
    eligible_roles: list[Key] = []
    measures: list[str] = []
    note: str = ""
    article: Article
    open: OpenParameter | None = None
    # Typed registers (issue 17): what a room of this class keeps (R-ROOM-8: an asset of a kind that some
    # class holds, recorded in a room of a class that does not, is flagged) and who may enter from outside.
    holds: list[AssetKind] = []
    visitors: VisitorRule | None = None


FieldType = Literal["text", "date", "datetime", "person", "room", "asset", "choice", "number"]


class RegisterField(Strict):
    """One typed field of a register (issue 17). ``key`` is stable: values are stored under it, so a reworded
    label (``ja``) never orphans old entries; ``formerly`` lists the labels it had (old entries keyed by label
    are read under them). ``since``/``until``: the form versions the field belongs to."""

    key: Key
    ja: str
    en: str = ""
    type: FieldType = "text"
    required: bool = False
    choices: dict[Key, str] = {}  # type choice: value key → Japanese label
    requires: list[Key] = []  # when this field has a value, these must have one too (004 §14(7), E-44)
    requires_article: str = ""
    formerly: list[str] = []
    since: int = 1
    until: int | None = None  # last form version that has it (None: still on the form)

    def on_form(self, version: int) -> bool:
        return self.since <= version and (self.until is None or version <= self.until)


class Register(Strict):
    ja: str
    en: str = ""
    owner_roles: list[Key] = []
    # A label (legacy form: key = label) or a typed field.
    fields: list[str | RegisterField] = []
    form_version: int = 1  # the form in force; entries keep the version they were made under
    wareki: bool = True  # the form writes dates in 和暦
    seal: bool = False  # the printed form has a 確認印 box
    layout_open: bool = False  # the regulation omits the layout (001 別記様式 "略")
    note: str = ""
    article: Article
    open: OpenParameter | None = None

    @property
    def field_defs(self) -> list[RegisterField]:
        """Every field ever on the form, typed (a label-only field is a required-nothing text field)."""
        return [f if isinstance(f, RegisterField) else _label_field(f) for f in self.fields]

    def current_fields(self) -> list[RegisterField]:
        return [f for f in self.field_defs if f.on_form(self.form_version)]

    @property
    def labels(self) -> list[str]:
        return [f.ja for f in self.current_fields()]


def _label_field(label: str) -> RegisterField:
    # A legacy label-only field keeps its label as its key (its entries are stored under the label).
    return RegisterField.model_construct(key=label, ja=label, en="", type="text", required=False, choices={},
                                         requires=[], requires_article="", formerly=[], since=1, until=None)


Stage = Literal[
    "acquisition", "input", "use", "output", "provision", "forwarding", "submission", "storage",
    "carry_out", "deletion", "disposal",
]


class HandlingStatusCategory(Strict):
    ja: str
    stages: list[Stage] = Field(min_length=1)  # canonical stages that land in this column of the form
    columns: list[str] = []  # the form's own column labels for this category (e.g. 提供先の名称, 目的)


class HandlingStatusForm(Strict):
    """運用状況記録票 / 取扱状況の記録 (HSR): the organisation's form, by category in the form's order."""

    ja: str
    enabled: bool = True
    categories: dict[Key, HandlingStatusCategory]
    recorder_roles: list[Key] = []
    recorder_units: list[Key] = []  # 003 §7: only the handlers of 職員課 and 会計課 record
    # Routine searches and views (success, from the system) printed as one row per person, task and day;
    # off by default: every operation its own row, as the form is written. The detail stays one click away.
    summarise_routine: bool = False
    seal: bool = True  # the printed form has a 確認印 box
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class IdentityVerification(Strict):
    """本人確認 at intake (004 §8, E-21, E-22)."""

    required: bool = False
    documents: dict[Key, str] = {}  # document key → Japanese label
    number_documents: list[Key] = []  # 番号確認書類
    document_sets: list[list[Key]] = []  # any one complete set suffices (§8-1)
    copies_by_post_allowed: bool = False
    preprinted_route: bool = False  # §8-2: printed 個人識別事項 match the 番号確認書類
    jlis_exempt: bool = False  # §8-3
    agent_documents: dict[Key, str] = {}  # §8-4: all of these are needed for an agent
    article: Article = "—"


class Correction(Strict):
    """訂正等 (002 §12: 「保護管理者の指示に従い」): who may be named as the instructor of a correction."""

    # Roles whose holders may instruct a correction; empty: the profile's manager roles (Profile.manager_roles).
    instructor_roles: list[Key] = []
    article: Article = "—"
    open: OpenParameter | None = None  # the regulation does not say who instructs a correction (000, 001, 003, 004)


class Intake(Strict):
    """個人番号取得事務 and input checks."""

    identity_verification: IdentityVerification = IdentityVerification()
    second_person_confirmation: bool = False  # 004 §14(3)② (E-24): a different person confirms
    # The checks a confirmation must record (004 §14(3)②: 目視 and 読合せ); empty: any one of them.
    confirmation_checks: list[Literal["visual", "read_back", "re_entry"]] = []
    confirmation_article: Article = "—"
    ground_required: bool = False  # 002 §17–§19 (E-37): a 番号法 ground for every request / file
    ground_article: Article = "—"
    channels: dict[Key, str] = {}  # acquisition channels (004 §14(1)): key → label
    # E-24: a record still awaiting the second person's check in an export — "refuse" it, or "flag" it
    # (exported with a 未確認 mark in its own column). Refusing is the safe default.
    unconfirmed_in_exports: Literal["refuse", "flag"] = "refuse"
    # E-43 (004 §10, 002 §18): a new 特定個人情報ファイル is used (intake, import, search) only once its
    # register entry is confirmed (ledgers' sign-off); refusals cite ``file_register.article``.
    file_signoff_before_use: bool = False
    article: Article = "—"


class Storage(Strict):
    """Where electronic My Number data may be held (004 §14(4), E-34) and how (E-46)."""

    own_servers_allowed: bool = True
    encryption_required: bool = True
    backups_encrypted: bool = False  # 004 §14(7), 002 §29
    temporary_copies_article: Article = "—"  # exports and temporary copies, deleted when done (002 §26, E-40)
    note: str = ""
    article: Article = "—"


class CarryOut(Strict):
    """持出し: what a carry-out needs (000 §11.3, 002 §11 §35, 003 §13, 004 §9(3) §14(2))."""

    ja: str = "持出し"
    approval: Key | None = None  # operation key in ``approvals``; None = no approver named
    includes_internal_moves: bool = False  # 003 §13: moves inside the office count
    allowed_purposes: dict[Key, str] = {}  # empty = any purpose of a task; otherwise only these (003 §13)
    protection_any_of: dict[Key, str] = {}  # at least one of these must be recorded
    protection_all_of: dict[Key, str] = {}  # every one of these must be recorded
    record_fields: list[str] = []  # what the carry-out record holds (000 §11.3)
    note: str = ""
    article: Article


class TransmissionChannel(Strict):
    """A channel a file of 特定個人情報等 may be sent over (002 §24): ``encrypted`` says the communication path
    is protected; a channel that is not is refused (E-45)."""

    ja: str
    en: str = ""
    encrypted: bool
    note: str = ""


class Transmission(Strict):
    """送信 (002 §11(2), §24; E-08, E-45): sending a file to another system or body — an operation of its own,
    on the recorded instruction (``approval``, an operation key in ``approvals``), over a channel of this list."""

    ja: str = "送信"
    approval: Key | None = None
    channels: dict[Key, TransmissionChannel]
    open: OpenParameter | None = None
    note: str = ""
    article: Article


class MailingMethod(Strict):
    """A way of mailing a 進達 (004 §14(2)): ``traceable`` — the post keeps a record of it (E-39)."""

    ja: str
    en: str = ""
    traceable: bool


class Dispatch(Strict):
    """回付・進達 (004 §14(2), E-39): a recorded workflow, completed only with its handling-status (別紙1) entry;
    a 進達 only by a traceable mailing method of ``mailing_methods`` (chosen, never free text)."""

    ja: str = "回付・進達"
    forwarding_ja: str = "回付"
    submission_ja: str = "進達"
    submission_to: list[str] = []  # the usual recipients (004: 地方公務員共済組合連合会年金業務部)
    mailing_methods: dict[Key, MailingMethod] = {}
    sealed: bool = False  # 封緘 must be confirmed for a 進達
    note: str = ""
    article: Article


class Schedule(Strict):
    """A periodic duty (定期の監査・点検・ログ分析 …): the regulations never quantify 定期 (§6-1)."""

    ja: str
    every: Period | None = None
    roles: list[Key] = []  # who does it
    report_to: list[Key] = []
    # What the duty is, for tokutei.audits (its programme, checklists and dashboards):
    kind: Literal["audit", "inspection", "log_review", "training", "review", "other"] = "other"
    report_to_body: bool = False  # the report also goes to the governance body (000 会議, 001 委員会)
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class ContractClause(Strict):
    ja: str
    article: Article


class VendorItem(Strict):
    no: str
    ja: str
    patterns: list[Literal["I", "II", "III", "IV"]]


class VendorEvaluation(Strict):
    """004 別紙3 特定個人情報等取扱業務委託先評価シート and its yearly re-evaluation (E-26, E-27)."""

    enabled: bool = False
    items: list[VendorItem] = []
    shortcut_items: list[VendorItem] = []
    shortcut_patterns: list[Literal["I", "II", "III", "IV"]] = []
    b_grade_blocks_until_closed: bool = False
    reevaluate_every: Period | None = None
    warn_days: Annotated[int, Field(ge=0, le=180)] = 30  # the dashboard warns this many days before it is due
    patterns: dict[Literal["I", "II", "III", "IV"], str] = {}  # ※1 委託パターン: what each pattern means
    article: Article = "—"


class VendorQualification(Strict):
    """Qualifying a vendor before it is selected (E-29): 000 §22.1, 002 §38.1–2, 004 §14(5) 選定."""

    required: bool = False
    criterion: str = ""  # what the vendor must meet, in the regulation's words
    methods: dict[Key, str] = {}  # how it was confirmed: 実地調査, ヒアリング, 報告書 …
    by_evaluation: bool = False  # 004: qualification is an adopted 別紙3 evaluation
    article: Article = "—"


class Memorandum(Strict):
    """覚書 on handing over media (000 §22.3): concluded where necessary, by the roles named."""

    ja: str = "覚書"
    by: list[Key] = []
    items: list[str] = []
    article: Article


class DispatchTerms(Strict):
    """Dispatched workers (002 §38.5, E-31): what the worker-dispatch contract must state before any
    designation."""

    terms: list[str] = Field(min_length=1)
    article: Article


class Outsourcing(Strict):
    contract_clauses: list[ContractClause] = []
    written_confirmations: list[ContractClause] = []  # 002 §38.1: confirmed in writing besides the clauses
    subcontracting: Literal["prohibited", "prior_approval", "manager_decision", "exceptional", "unregulated"]
    subcontracting_approval: Key | None = None
    subcontracting_article: Article = "—"  # what a sub-contracting refusal cites ("—": ``article``)
    vendor_evaluation: VendorEvaluation = VendorEvaluation()
    manager_roles: list[Key] = []  # who keeps the vendor register, qualifies, contracts and evaluates
    qualification: VendorQualification = VendorQualification()
    memorandum: Memorandum | None = None
    dispatch: DispatchTerms | None = None
    return_certificate_required: bool = True  # contract end: closed only with the vendor's certificate (E-32)
    return_article: Article = "—"  # the article of the return or erasure at the end of a contract
    contract_warn_days: Annotated[int, Field(ge=0, le=365)] = 60  # the dashboard warns of a contract ending
    deliveries_article: Article = "—"  # what a refused delivery to a vendor cites ("—": ``article``)
    article: Article


class PpcReport(Strict):
    """個人情報保護委員会への報告の期限 (tokutei.incidents.deadlines): days counted from the day after the
    organisation learned of the 漏えい等 (初日不算入)."""

    preliminary_days: Annotated[int, Field(ge=1, le=30)] = 5  # 速報「速やかに」: 3–5 days in practice (PPC guideline)
    final_days: Annotated[int, Field(ge=1, le=90)] = 30  # 確報: within 30 days
    final_days_improper: Annotated[int, Field(ge=1, le=120)] = 60  # 確報 when 不正の目的 may be involved: 60 days
    warn_days: Annotated[int, Field(ge=0, le=30)] = 2  # the dashboard warns this many days before a due date


# Measures an incident can lead to (tokutei.incidents.measures). The first four are open to every
# organisation; the others only where the profile names them (001 §9, 002 §40).
MEASURE_KINDS = ("legal_hold", "suspend_user", "suspend_terminal", "suspend_vendor", "external_support",
                 "disconnect", "reconnect", "committee_report", "publication")
MeasureKind = Literal["legal_hold", "suspend_user", "suspend_terminal", "suspend_vendor", "external_support",
                      "disconnect", "reconnect", "committee_report", "publication"]


class IncidentMeasure(Strict):
    """One measure an incident can lead to: who may take it, the article it rests on, its name here."""

    ja: str = ""  # the organisation's own name for it (empty: the system's)
    roles: list[Key] = []  # who may take it (empty: the incident's responders)
    recipients: list[str] = []  # committee_report: the bodies reported to (001 §9.3 names two)
    article: Article | None = None  # None: the incident's article


class IncidentRoute(Strict):
    route: list[Key | str]
    fallback: dict[Key, Key] = {}
    # The route's first role when it names who reports rather than who is told (000 システム操作者, 002 職員,
    # 004 事務取扱担当者): the report goes to the roles after it. None: every route role is told.
    reporter: Key | None = None
    escalate_after_hours: Annotated[int, Field(ge=1, le=24 * 14)] = 24  # an unacknowledged step goes on to the next
    ppc: PpcReport = PpcReport()
    measures: dict[MeasureKind, IncidentMeasure] = {}
    # Consecutive route roles told at the same time (001 §9.1: 市長及び総括責任者に報告): when the first of a
    # group is told, the others of the group are told at once too, each acknowledging on its own.
    together: list[list[Key]] = []
    article: Article
    open: OpenParameter | None = None  # the route is not in the text (004 §16: the parent 規程 §18)


class GovernanceBody(Strict):
    ja: str
    members: list[str]
    chair: str
    vice_chair: str = ""
    secretariat: str = ""
    circulated_decisions: bool = False
    agenda: list[str] = []
    # Who besides the members the body may ask to attend and hear (000 §8.5: 関係職員, 外部の専門家; 001 §15:
    # 委員以外の者): the committee records them as attendees only where this names them.
    may_hear: list[Literal["staff", "expert", "other"]] = []
    may_request_materials: bool = False  # 001 §15: 委員以外の者から資料の提出を求める
    hearing_article: Article = "—"  # what a hearing / materials record and its refusal cite ("—": ``article``)
    article: Article


# --- 監査・点検、研修、引継ぎ、職務の分離 (tokutei.audits; requirements AUD, TRN, E-38) ---------------------


class TrainingRequirement(Strict):
    """A training its audience must attend (R-TRN-1): the holders of ``audience`` roles, again ``every``."""

    ja: str
    audience: list[Key] = Field(min_length=1)  # holders of these roles must attend
    trainers: list[Key] = []  # who runs it (000 §19 セキュリティ管理者, 002 §8 総括保護管理者, 003 §6 保護管理者)
    every: Period | None = None  # attend again after this long; None: once
    content: str = ""
    before_designation: bool = False  # R-TRN-5: a designation to an audience role waits for the attendance
    password_only_instructions: bool = False  # 001 §5.3: the recorded ID + password instructions count (R-TRN-3)
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class SeparationOfDuties(Strict):
    """Roles one person may not hold together (an auditor who also handles the audited work)."""

    ja: str
    roles: list[Key] = Field(min_length=2)
    mode: Literal["refuse", "warn"] = "warn"  # refuse the conflicting designation, or designate and warn
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class HandoverRule(Strict):
    """003 §5 (E-38): a change of ``role`` completes only with a 業務引継簿 confirmed by ``confirmed_by``."""

    role: Key
    confirmed_by: list[Key] = Field(min_length=1)
    sections: dict[Key, str] = Field(min_length=1)  # the book's headings (引継ぎ事項)
    article: Article


class AuditSettings(Strict):
    """The audit programme's settings beyond ``schedules``: findings, training, separation, handover."""

    finding_due_days: dict[Literal["high", "medium", "low"], Annotated[int, Field(ge=1, le=365)]] = {
        "high": 14, "medium": 30, "low": 90}
    finding_due_open: OpenParameter | None = None
    escalate_to: list[Key] = []  # an overdue corrective action is escalated to these roles
    training: dict[Key, TrainingRequirement] = {}
    separation: list[SeparationOfDuties] = []
    handover: HandoverRule | None = None
    note: str = ""
    article: Article = "—"


class PiaDisclosure(Strict):
    """本人への提供・利用状況の開示 (tokutei.pia): how staff appear on the report, and its approval."""

    # How the staff who handled the record are named on the report handed to the person: their name,
    # their post (役職, else their unit), or only 「担当者」.
    staff_names: Literal["name", "post", "role"] = "role"
    approval: Key | None = None  # operation key in ``approvals``; None = no approval before issuing
    roles: list[Key] = []  # who may issue it besides the handlers of the task (e.g. 保護管理者); [] = handlers only
    max_days: Annotated[int, Field(ge=1, le=366 * 10)] = 366 * 5  # the longest period one report may cover
    article: Article = "—"


class Pia(Strict):
    """特定個人情報保護評価 (しきい値判断) and the 本人開示 report (tokutei.pia, docs/pia.md).

    The thresholds are the national 指針's, not the organisation's: they live in the versioned rules file
    ``tokutei/pia/data/thresholds.yaml``. The profile says who reads the assessments and how the
    disclosure report is issued."""

    roles: list[Key] = []  # who sees the assessments besides the managers and auditors
    disclosure: PiaDisclosure = PiaDisclosure()
    article: Article = "—"


class Safeguard(Strict):
    """A list of measures the regulation requires (001 §8 障害の防止, 003 §16 不正アクセス等の防止): each item is
    a line of the inspection and audit checklists (tokutei.audits)."""

    ja: str
    items: list[str] = Field(min_length=1)
    roles: list[Key] = []  # who takes the measures
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class Acknowledgement(Strict):
    """A duty every member of staff acknowledges in writing, per version of the rules (000 §21, 002 §9)."""

    ja: str
    text: str  # the duty as the regulation words it (shown to the person acknowledging)
    audience: list[Key] = []  # roles whose holders must acknowledge ([]: every member of staff)
    article: Article
    open: OpenParameter | None = None


class Discipline(Strict):
    """Disciplinary measures where the regulation provides for them (001 §17)."""

    ja: str = "懲戒等"
    decided_by: list[Key] = Field(min_length=1)  # who decides (001: 市長)
    recorded_by: list[Key] = []  # who may record the decision besides those who decide
    visible_to: list[Key] = Field(min_length=1)  # the only roles that see the records
    grounds: list[str] = []  # the duties whose breach it concerns (001 §10)
    kinds: dict[Key, str] = Field(min_length=1)  # the measures (処分 under the 条例, その他の措置)
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class OrgRecords(Strict):
    """Organisation records (tokutei.org): acknowledgements of duties and disciplinary measures."""

    acknowledgements: dict[Key, Acknowledgement] = {}
    discipline: Discipline | None = None
    article: Article = "—"


class HandlingScope(Strict):
    """The range of 特定個人情報等 a handler handles, narrower than the task (002 §4.4, 003 §3.10, E-04).

    The holders of ``set_by`` narrow a designation of one of ``roles`` to some 特定個人情報ファイル and/or
    ranges of record numbers (本人 #N); the policy honours it on every path (tokutei.policy.records).
    Absent: the regulation provides no such scope, and a designation reaches every record of its tasks."""

    set_by: list[Key] = Field(min_length=1)  # who defines the scope (002: 保護管理者; 003: 事務取扱責任者)
    roles: list[Key] = Field(min_length=1)  # the designations it narrows (the handler roles)
    by: list[Literal["files", "records"]] = ["files", "records"]  # what it may be narrowed by
    note: str = ""
    article: Article
    open: OpenParameter | None = None


class Profile(Strict):
    format: Literal[1]
    organisation: Organisation
    units: dict[Key, Unit] = {}
    posts: dict[Key, Post] = {}
    roles: dict[Key, Role] = Field(min_length=1)
    fields: dict[Key, Field_]
    org_key_field: Key | None = None  # the organisation's own person key (e.g. 年金証書番号)
    tasks: dict[Key, Task] = Field(min_length=1)
    task_types: dict[Key, str] = {}  # 004 §4 T1–T7
    authentication: Authentication
    approvals: dict[Key, ApprovalRule] = {}
    bulk: Bulk = Bulk()
    retention: Retention
    retention_rules: dict[Key, RetentionRule] = {}
    rooms: dict[Key, RoomClass] = {}
    registers: dict[Key, Register] = {}
    handling_status: HandlingStatusForm | None = None
    file_register: Register | None = None
    outsourcing: Outsourcing
    incident: IncidentRoute | None = None
    governance_body: GovernanceBody | None = None
    intake: Intake = Intake()
    correction: Correction = Correction()
    storage: Storage = Storage()
    carry_out: CarryOut | None = None
    dispatch: Dispatch | None = None  # 回付・進達 (004 §14(2), E-39); None: no such workflow
    transmission: Transmission | None = None  # 送信 (002 §11(2), §24); None: not an operation of its own
    schedules: dict[Key, Schedule] = {}
    audits: AuditSettings = AuditSettings()
    counterparties: dict[Key, str] = {}  # external bodies (004: 連合会, J-LIS, 日本年金機構 …)
    units_open: OpenParameter | None = None  # the unit list is the organisation's to complete
    tasks_open: OpenParameter | None = None  # the task list is the organisation's to complete
    notes: list[str] = []
    pia: Pia = Pia()
    safeguards: dict[Key, Safeguard] = {}  # measures the regulation lists, as checklist items
    org: OrgRecords = OrgRecords()
    handling_scope: HandlingScope | None = None  # E-04: a handler's scope narrower than the task

    @model_validator(mode="after")
    def _check_references(self) -> Profile:
        errors = reference_errors(self.model_dump(mode="python"))
        if errors:
            raise ValueError("; ".join(f"{path}: {msg}" for path, msg in errors))
        return self

    # --- convenience lookups used by the services -------------------------------------------------
    def selectable_tasks(self) -> dict[str, Task]:
        return {k: t for k, t in self.tasks.items() if t.selectable}

    def handler_roles(self) -> set[str]:
        return {k for k, r in self.roles.items() if r.handles_data}

    def admin_roles(self) -> set[str]:
        return {k for k, r in self.roles.items() if r.administers_system}

    def auditor_roles(self) -> set[str]:
        return {k for k, r in self.roles.items() if r.reads_audit_log}

    def manager_roles(self) -> set[str]:
        """Roles that designate or supervise handlers, or act for a unit (保護管理者, 事務取扱責任者 …)."""
        found: set[str] = set()
        for key, role in self.roles.items():
            if role.supervises or role.unit_scoped:
                found.add(key)
            if role.handles_data:
                found.update(role.designated_by)
        return found

    def correction_instructor_roles(self) -> list[str]:
        """The roles whose holders may instruct a correction (``correction.instructor_roles``)."""
        return list(self.correction.instructor_roles) or sorted(self.manager_roles())

    def open_parameters(self) -> list[tuple[str, OpenParameter]]:
        """Every value marked as left open by the regulation (§6), with its key path."""
        found: list[tuple[str, OpenParameter]] = []

        def walk(node: object, path: str) -> None:
            if isinstance(node, OpenParameter):
                found.append((path, node))
            elif isinstance(node, BaseModel):
                for name in type(node).model_fields:
                    walk(getattr(node, name), f"{path}.{name}" if path else name)
            elif isinstance(node, dict):
                for key, value in node.items():
                    walk(value, f"{path}.{key}")
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk(value, f"{path}.{i}")

        walk(self, "")
        return found


def _d(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _l(value: object) -> list:
    return value if isinstance(value, list) else []


def reference_errors(data: dict) -> list[tuple[str, str]]:
    """Cross-reference errors (key path, message) of a profile given as plain data.

    Works on a raw, possibly structurally broken mapping too, so that a file with a wrong type *and*
    an unknown role gets both errors reported at once.
    """
    errors: list[tuple[str, str]] = []
    data = _d(data)
    roles_map, units, posts = _d(data.get("roles")), set(_d(data.get("units"))), set(_d(data.get("posts")))
    roles, fields, tasks = set(roles_map), set(_d(data.get("fields"))), set(_d(data.get("tasks")))
    approvals = set(_d(data.get("approvals")))

    def need(kind: str, keys: set[str], values: object, where: str) -> None:
        for value in _l(values):
            if isinstance(value, str) and value not in keys:
                close = difflib.get_close_matches(value, sorted(keys), n=1, cutoff=0.6)
                hint = f"。もしかして '{close[0]}'" if close else ""
                errors.append((where, f"unknown {kind} '{value}'（{_KIND_JA[kind]} '{value}' は定義されていません{hint}）"))

    for key, role in roles_map.items():
        role = _d(role)
        need("role", roles, role.get("designated_by"), f"roles.{key}.designated_by")
        need("role", roles, role.get("eligible_roles"), f"roles.{key}.eligible_roles")
        need("role", roles, role.get("supervises"), f"roles.{key}.supervises")
        need("post", posts, role.get("posts"), f"roles.{key}.posts")
        need("unit", units, role.get("eligible_units"), f"roles.{key}.eligible_units")
    need("role", roles, _d(data.get("correction")).get("instructor_roles"), "correction.instructor_roles")
    for key, post in _d(data.get("posts")).items():
        unit = _d(post).get("unit")
        if unit is not None:
            need("unit", units, [unit], f"posts.{key}.unit")
    tasks_map = _d(data.get("tasks"))
    for key, task in tasks_map.items():
        task = _d(task)
        need("field", fields, task.get("fields"), f"tasks.{key}.fields")
        if task.get("parent") is not None:
            need("task", tasks, [task.get("parent")], f"tasks.{key}.parent")
            parent = _d(tasks_map.get(task.get("parent")))
            if parent.get("fields"):
                # A task may not use a field its group does not allow.
                extra = [f for f in _l(task.get("fields")) if f not in _l(parent.get("fields"))]
                if extra:
                    errors.append((f"tasks.{key}.fields",
                                   f"fields {extra} are not allowed by the parent task（親の事務にない項目です）"))
    levels = {_d(room).get("level") for room in _d(data.get("rooms")).values()}
    for key, rule in _d(data.get("approvals")).items():
        room_level = re.fullmatch(r"room_entry_l(\d+)", str(key))
        if str(key) not in APPROVAL_OPERATIONS and room_level is None:
            # The code looks rules up by these names: an unknown name would be a rule nobody enforces.
            close = difflib.get_close_matches(str(key), sorted(APPROVAL_OPERATIONS), n=1, cutoff=0.6)
            hint = f"。もしかして '{close[0]}'" if close else ""
            errors.append((f"approvals.{key}", f"unknown operation '{key}'（承認の操作 '{key}' はありません{hint}）"))
        elif room_level is not None and int(room_level.group(1)) not in levels:
            errors.append((f"approvals.{key}",
                           f"no room with level {room_level.group(1)}（レベル{room_level.group(1)}の部屋がありません）"))
        rule = _d(rule)
        need("role", roles, rule.get("applicant_roles"), f"approvals.{key}.applicant_roles")
        for i, step in enumerate(_l(rule.get("steps"))):
            need("role", roles, _d(step).get("roles"), f"approvals.{key}.steps.{i}.roles")
    bulk = _d(data.get("bulk"))
    if bulk.get("approval") is not None:
        need("approval", approvals, [bulk.get("approval")], "bulk.approval")
        if bulk.get("threshold") is None:
            errors.append(("bulk.threshold", "a bulk approval needs a threshold（大量取扱いの承認には件数の閾値が必要です）"))
    if data.get("org_key_field") is not None:
        need("field", fields, [data.get("org_key_field")], "org_key_field")
    auth = _d(data.get("authentication"))
    need("role", roles, _d(auth.get("password_only_exception")).get("granted_by"),
         "authentication.password_only_exception.granted_by")
    for key, system in _d(auth.get("systems")).items():
        need("role", roles, _d(system).get("id_issued_by"), f"authentication.systems.{key}.id_issued_by")
    for key, room in _d(data.get("rooms")).items():
        need("role", roles, _d(room).get("entry_approver_roles"), f"rooms.{key}.entry_approver_roles")
        need("role", roles, _d(room).get("eligible_roles"), f"rooms.{key}.eligible_roles")
    outsourcing = _d(data.get("outsourcing"))
    if outsourcing.get("subcontracting_approval") is not None:
        need("approval", approvals, [outsourcing.get("subcontracting_approval")], "outsourcing.subcontracting_approval")
    need("role", roles, outsourcing.get("manager_roles"), "outsourcing.manager_roles")
    if isinstance(outsourcing.get("memorandum"), dict):
        need("role", roles, _d(outsourcing.get("memorandum")).get("by"), "outsourcing.memorandum.by")
    my_number = _d(_d(data.get("fields")).get("my_number"))
    if my_number.get("kind") != "my_number":
        errors.append(("fields.my_number",
                       "every profile defines the 個人番号 field with kind my_number（個人番号の項目が必要です）"))
    iv = _d(_d(data.get("intake")).get("identity_verification"))
    documents = set(_d(iv.get("documents")))
    for i, doc_set in enumerate(_l(iv.get("document_sets"))):
        need("document", documents, doc_set, f"intake.identity_verification.document_sets.{i}")
    need("document", documents, iv.get("number_documents"), "intake.identity_verification.number_documents")
    hs = data.get("handling_status")
    if isinstance(hs, dict):
        need("role", roles, hs.get("recorder_roles"), "handling_status.recorder_roles")
        need("unit", units, hs.get("recorder_units"), "handling_status.recorder_units")
        seen: dict[str, str] = {}
        for ckey, category in _d(hs.get("categories")).items():
            for stage in _l(_d(category).get("stages")):
                if stage in seen:  # one event would be written under two headings of the form
                    errors.append((f"handling_status.categories.{ckey}.stages",
                                   f"stage '{stage}' is already in category '{seen[stage]}'"
                                   f"（段階 '{stage}' は '{seen[stage]}' の欄にもあります）"))
                seen.setdefault(stage, ckey)
    fr = data.get("file_register")
    if isinstance(fr, dict):
        need("role", roles, fr.get("owner_roles"), "file_register.owner_roles")
    for key, register in _d(data.get("registers")).items():
        need("role", roles, _d(register).get("owner_roles"), f"registers.{key}.owner_roles")
    errors.extend(typed_register_errors(data, need))
    errors.extend(retention_errors(data, need))
    co = data.get("carry_out")
    if isinstance(co, dict) and co.get("approval") is not None:
        need("approval", approvals, [co.get("approval")], "carry_out.approval")
    tr = data.get("transmission")
    if isinstance(tr, dict) and tr.get("approval") is not None:
        need("approval", approvals, [tr.get("approval")], "transmission.approval")
    pia = _d(data.get("pia"))  # tokutei.pia
    need("role", roles, pia.get("roles"), "pia.roles")
    disclosure = _d(pia.get("disclosure"))
    need("role", roles, disclosure.get("roles"), "pia.disclosure.roles")
    if disclosure.get("approval") is not None:
        need("approval", approvals, [disclosure.get("approval")], "pia.disclosure.approval")
    for key, schedule in _d(data.get("schedules")).items():
        need("role", roles, _d(schedule).get("roles"), f"schedules.{key}.roles")
        need("role", roles, _d(schedule).get("report_to"), f"schedules.{key}.report_to")
    audits = _d(data.get("audits"))
    need("role", roles, audits.get("escalate_to"), "audits.escalate_to")
    for key, training in _d(audits.get("training")).items():
        need("role", roles, _d(training).get("audience"), f"audits.training.{key}.audience")
        need("role", roles, _d(training).get("trainers"), f"audits.training.{key}.trainers")
    for i, rule in enumerate(_l(audits.get("separation"))):
        need("role", roles, _d(rule).get("roles"), f"audits.separation.{i}.roles")
    handover = audits.get("handover")
    if isinstance(handover, dict):
        need("role", roles, [handover.get("role")], "audits.handover.role")
        need("role", roles, handover.get("confirmed_by"), "audits.handover.confirmed_by")
    gb = data.get("governance_body")
    if isinstance(gb, dict):
        # Members are role keys (000) or Japanese post names (001); only ASCII keys are checked.
        need("role", roles, [m for m in _l(gb.get("members")) if isinstance(m, str) and m.isascii()],
             "governance_body.members")
    incident = data.get("incident")
    if isinstance(incident, dict):
        need("role", roles, [r for r in _l(incident.get("route")) if isinstance(r, str) and r.isascii()],
             "incident.route")
        fallback = _d(incident.get("fallback"))
        need("role", roles, [*fallback, *fallback.values()], "incident.fallback")
        if incident.get("reporter"):
            need("role", roles, [incident["reporter"]], "incident.reporter")
        for kind, measure in _d(incident.get("measures")).items():
            need("role", roles, _l(_d(measure).get("roles")), f"incident.measures.{kind}.roles")
        route = [r for r in _l(incident.get("route")) if isinstance(r, str)]
        for i, group in enumerate(_l(incident.get("together"))):
            group = _l(group)
            where = [route.index(r) for r in group if r in route]
            if len(group) < 2 or len(where) != len(group) or sorted(where) != list(range(min(where), min(where) + len(where))):
                errors.append((f"incident.together.{i}", "a group lists two or more consecutive roles of the route"
                               "（同時に報告する役割は経路の連続する2つ以上の役割です）"))
    for key, safeguard in _d(data.get("safeguards")).items():
        need("role", roles, _d(safeguard).get("roles"), f"safeguards.{key}.roles")
    scope = data.get("handling_scope")
    if isinstance(scope, dict):
        need("role", roles, scope.get("set_by"), "handling_scope.set_by")
        need("role", roles, scope.get("roles"), "handling_scope.roles")
    org = _d(data.get("org"))
    for key, ack in _d(org.get("acknowledgements")).items():
        need("role", roles, _d(ack).get("audience"), f"org.acknowledgements.{key}.audience")
    discipline = org.get("discipline")
    if isinstance(discipline, dict):
        for name in ("decided_by", "recorded_by", "visible_to"):
            need("role", roles, discipline.get(name), f"org.discipline.{name}")
    if roles_map and not any(_d(r).get("handles_data") is True for r in roles_map.values()):
        errors.append(("roles", "at least one role must have handles_data: true（個人データを扱う役割が必要です）"))
    if roles_map and not any(_d(r).get("administers_system") is True for r in roles_map.values()):
        errors.append(("roles", "at least one role must have administers_system: true（システム管理の役割が必要です）"))
    return errors


def retention_errors(data: dict, need) -> list[tuple[str, str]]:
    """Every record class has a rule, every rule a trigger date its classes know, every method exists."""
    errors: list[tuple[str, str]] = []
    retention, rules_map = _d(data.get("retention")), _d(data.get("retention_rules"))
    roles, rules, methods = set(_d(data.get("roles"))), set(rules_map), set(_d(retention.get("methods")))
    need("role", roles, retention.get("review_roles"), "retention.review_roles")
    if "operation_log" in retention and retention.get("operation_log") is None:
        errors.append(("retention.operation_log",
                       "the operation log needs a retention period（操作履歴の保存期間がありません）"))
    classes = _d(retention.get("classes"))
    for record_class, (ja, _en, _events) in RECORD_CLASSES.items():
        if record_class not in classes:
            errors.append((f"retention.classes.{record_class}",
                           f"no retention rule for {record_class}（{ja}の保存期間の規則がありません）"))
    for record_class, rule_key in classes.items():
        if record_class not in RECORD_CLASSES:
            errors.append((f"retention.classes.{record_class}",
                           f"unknown record class '{record_class}'（記録の区分 '{record_class}' はありません）"))
            continue
        need("retention rule", rules, [rule_key], f"retention.classes.{record_class}")
        event = _d(rules_map.get(rule_key)).get("event", "created")
        if rule_key in rules and event not in RECORD_CLASSES[record_class][2]:
            errors.append((f"retention.classes.{record_class}",
                           f"{record_class} records have no '{event}' date（{RECORD_CLASSES[record_class][0]}には"
                           f"「{RETENTION_EVENTS.get(str(event), (event,))[0]}」がありません）"))
    for key, task in _d(data.get("tasks")).items():
        if _d(task).get("retention_rule") is not None:
            need("retention rule", rules, [_d(task).get("retention_rule")], f"tasks.{key}.retention_rule")
    for key, rule in rules_map.items():
        rule, where = _d(rule), f"retention_rules.{key}"
        need("role", roles, rule.get("confirmed_by"), f"{where}.confirmed_by")
        need("disposal method", methods, rule.get("methods"), f"{where}.methods")
        if rule.get("event", "created") not in RETENTION_EVENTS:
            errors.append((f"{where}.event", f"unknown event '{rule.get('event')}'（起算の事由がありません）"))
        trigger = rule.get("trigger")
        has_period = rule.get("period") is not None or rule.get("business_days") is not None
        if trigger == "fixed_period" and not has_period:
            errors.append((where, "a fixed period needs period or business_days（保存期間の長さがありません）"))
        if trigger == "fixed_period" and rule.get("period") is not None and rule.get("business_days") is not None:
            errors.append((where, "give period or business_days, not both（期間と営業日数の両方は指定できません）"))
        if trigger == "when_no_longer_needed" and rule.get("review_every") is None:
            errors.append((f"{where}.review_every",
                           "'when no longer needed' needs a review interval（見直しの間隔がありません）"))
    return errors


_KIND_JA = {"role": "役割", "post": "役職", "unit": "組織単位", "field": "項目", "task": "事務",
            "approval": "承認", "document": "書類", "retention rule": "保存期間の規則",
            "disposal method": "廃棄・削除の方法"}


# --- typed registers (issue 17) ----------------------------------------------------------------------------


def typed_register_errors(data: dict, need) -> list[tuple[str, str]]:
    """Field keys unique per register, a choice field with choices, ``requires`` naming fields of the same
    register, escort roles that exist."""
    errors: list[tuple[str, str]] = []
    roles = set(_d(data.get("roles")))
    for key, room in _d(data.get("rooms")).items():
        need("role", roles, _d(_d(room).get("visitors")).get("escort_roles"), f"rooms.{key}.visitors.escort_roles")
    for key, register in _d(data.get("registers")).items():
        typed = [f for f in _l(_d(register).get("fields")) if isinstance(f, dict)]
        keys = [f.get("key") for f in typed]
        for dup in sorted({k for k in keys if keys.count(k) > 1 and k}):
            errors.append((f"registers.{key}.fields", f"duplicate field key {dup}（項目のキーが重複しています）"))
        for f in typed:
            path = f"registers.{key}.fields.{f.get('key')}"
            if f.get("type") == "choice" and not f.get("choices"):
                errors.append((path, "a choice field needs choices（選択肢がありません）"))
            for other in _l(f.get("requires")):
                if other not in keys:
                    errors.append((f"{path}.requires", f"unknown field {other}（存在しない項目です）"))
    return errors
