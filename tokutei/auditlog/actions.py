"""The action vocabulary: every operation the system logs, with its Japanese and English label.

The operation log stores an action's ``code`` (``vault.reveal``); every screen, report, CSV and Excel
sheet shows its label (「個人番号の表示」). Each action also says

* its handling stage (取扱いの段階: 取得・入力・利用・出力・提供・保管・持出し・削除・廃棄 …), which places it
  in the handling-status record (003 §7, 004 §9 別紙1) — ``None`` for operations that are not handling
  of 特定個人情報等 (a sign-in, a designation);
* whether it touches personal data (``personal``): the reports of data operations count exactly these.

A new domain adds its actions here, in its own block; ``record()`` refuses a code that is not here, so a
typo can never create an operation nobody can name. Which roles may perform an action is not decided
here but in ``tokutei.policy``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from django.utils import translation

Stage = Literal["acquisition", "input", "use", "output", "provision", "forwarding", "submission", "storage",
                "carry_out", "deletion", "disposal"]


class Action(StrEnum):
    """A logged operation. The value is the code kept in the log; ``ja``/``en`` are what people read."""

    ja: str
    en: str
    stage: Stage | None
    personal: bool

    def __new__(cls, code: str, ja: str, en: str, stage: Stage | None = None, personal: bool = False):
        member = str.__new__(cls, code)
        member._value_ = code
        member.ja = ja
        member.en = en
        member.stage = stage
        member.personal = personal
        return member

    @property
    def label(self) -> str:
        """The label in the active language (Japanese unless the request asked for English)."""
        return self.en if (translation.get_language() or "ja").startswith("en") else self.ja

    @property
    def domain(self) -> str:
        return self.value.split(".", 1)[0]

    # --- 特定個人情報等の取扱い (vault) ------------------------------------------------------------------
    VAULT_INTAKE = "vault.intake", "個人番号の取得・入力", "Intake of a My Number", "acquisition", True
    VAULT_CONFIRM = "vault.confirm", "入力内容の確認（読合せ）", "Second-person check of an entry", "input", True
    VAULT_CORRECT = "vault.correct", "訂正", "Correction", "input", True
    VAULT_SEARCH = "vault.search", "検索", "Search", "use", True
    VAULT_LIST = "vault.list", "一覧の閲覧", "List of records", "use", True
    VAULT_VIEW = "vault.view", "閲覧", "View of a record", "use", True
    VAULT_REVEAL = "vault.reveal", "個人番号の表示", "Reveal of a My Number", "use", True
    VAULT_EXPORT = "vault.export", "出力", "Export", "output", True
    VAULT_TRANSMIT = "vault.transmit", "送信", "Transmission to another system or body", "provision", True
    VAULT_DELETE = "vault.delete", "削除", "Deletion", "deletion", True
    VAULT_DISPOSE = "vault.dispose", "ファイルの廃棄（鍵の消去）", "Disposal of a file (keys destroyed)",\
        "disposal", True
    VAULT_FILE_CREATE = "vault.file_create", "特定個人情報ファイルの作成", "Creation of a personal data file"
    VAULT_OPEN = "vault.open", "特定個人情報等の画面の利用（事務の選択）", "Opening the personal data pages (choosing a task)"
    VAULT_KEY_ROTATE = "vault.key_rotate", "暗号鍵の更新", "Key rotation"
    VAULT_SITE_DECLARE = "vault.site_declare", "設置場所の宣言", "Declaration of the installation site"
    VAULT_SERVICE_ACCOUNT_CREATE = "vault.service_account_create", "API 利用者の登録", "API client registered"
    VAULT_SERVICE_ACCOUNT_REVOKE = "vault.service_account_revoke", "API 利用者の取消", "API client revoked"

    # --- 一括取込 (bulk) -----------------------------------------------------------------------------------
    BULK_IMPORT = "bulk.import", "一括取込", "Bulk import", "acquisition", True
    BULK_ABANDON = "bulk.abandon", "一括取込の取消", "Bulk import abandoned", None, True

    # --- 職員・端末・サインイン (staff) -------------------------------------------------------------------
    STAFF_ACCESS = "staff.access", "画面・機能へのアクセス", "Access to a page or function"
    STAFF_SIGN_IN = "staff.sign_in", "サインイン", "Sign-in"
    STAFF_SIGN_IN_FAILED = "staff.sign_in_failed", "サインインの失敗", "Failed sign-in"
    STAFF_SIGN_OUT = "staff.sign_out", "サインアウト", "Sign-out"
    STAFF_IDLE_LOGOFF = "staff.idle_logoff", "無操作による自動サインアウト", "Signed out after inactivity"
    STAFF_LOCKOUT = "staff.lockout", "アカウントのロック", "Account locked"
    STAFF_PASSWORD_CHANGE = "staff.password_change", "パスワードの変更", "Password changed"
    STAFF_PASSWORD_ONLY = "staff.password_only", "ID・パスワードのみの認証の決定", "Password-only sign-in decided"
    STAFF_SECOND_FACTOR_ENROL = "staff.second_factor_enrol", "認証器・照合情報の登録", "Second factor enrolled"
    STAFF_SECOND_FACTOR_FAILED = "staff.second_factor_failed", "二要素認証の失敗", "Failed second factor"
    STAFF_CREDENTIAL_RESET = "staff.credential_reset", "認証情報の再設定", "Credentials reset"
    STAFF_USER_CREATE = "staff.user_create", "職員の登録", "Staff member registered"
    STAFF_DESIGNATE = "staff.designate", "役割の指定", "Role designated"
    STAFF_REVOKE = "staff.revoke", "指定の取消", "Designation revoked"
    STAFF_SCOPE_SET = "staff.scope_set", "取扱いの範囲の指定", "Handling scope of a designation set"
    STAFF_TRANSFER = "staff.transfer", "異動・退職", "Transfer or departure"
    STAFF_PROVISIONING_CLOSE = "staff.provisioning_close", "初期登録の終了", "Initial provisioning closed"
    STAFF_REGISTER_EXPORT = "staff.register_export", "登録簿の出力", "Register exported"
    STAFF_TERMINAL_REGISTER = "staff.terminal_register", "端末の登録", "Terminal registered"
    STAFF_TERMINAL_ENROL = "staff.terminal_enrol", "端末の有効化", "Terminal enrolled"
    STAFF_TERMINAL_REVOKE = "staff.terminal_revoke", "端末の登録取消", "Terminal revoked"
    STAFF_VIEW = "staff.view", "職員・役職・端末の閲覧", "Staff, posts and terminals viewed"
    STAFF_REGISTER_VIEW = "staff.register_view", "操作者登録簿の閲覧", "Operator register viewed"

    # --- 承認 (approvals) -----------------------------------------------------------------------------------
    APPROVALS_REQUEST = "approvals.request", "承認の申請", "Approval requested"
    APPROVALS_APPROVE = "approvals.approve", "承認", "Approved"
    APPROVALS_REJECT = "approvals.reject", "却下・取下げ", "Rejected or withdrawn"
    APPROVALS_USE = "approvals.use", "承認に基づく実施", "Approval used"
    APPROVALS_EXPIRE = "approvals.expire", "承認の期限切れ", "Approval expired"
    APPROVALS_VIEW = "approvals.view", "承認申請の閲覧", "Approval requests viewed"

    # --- 事故等 (incidents) ---------------------------------------------------------------------------------
    INCIDENTS_REPORT = "incidents.report", "事故等の報告", "Incident reported"
    INCIDENTS_VIEW = "incidents.view", "事故等の報告の閲覧", "Incident reports viewed"
    INCIDENTS_TIMELINE = "incidents.timeline", "事故等の経過の記録", "Incident timeline entry recorded"
    INCIDENTS_ROUTE = "incidents.route", "事故等の報告の回付", "Incident report routed"
    INCIDENTS_ACKNOWLEDGE = "incidents.acknowledge", "事故等の報告の受領", "Incident report acknowledged"
    INCIDENTS_ESCALATE = "incidents.escalate", "未受領の報告の次の報告先への回付", \
        "Unacknowledged incident report escalated"
    INCIDENTS_SERIOUS = "incidents.serious", "特に重大な事案としての報告", "Reported at once as particularly serious"
    INCIDENTS_ABSENCE = "incidents.absence", "不在の登録・取消", "Absence recorded or cancelled"
    INCIDENTS_PPC_ASSESS = "incidents.ppc_assess", "個人情報保護委員会への報告の判断", \
        "Assessment of the report to the PPC recorded"
    INCIDENTS_PPC_SUBMIT = "incidents.ppc_submit", "個人情報保護委員会への報告の提出", \
        "Submission of the report to the PPC recorded"
    INCIDENTS_NOTIFY_PERSON = "incidents.notify_person", "本人への通知の記録", "Notice to a person concerned recorded"
    INCIDENTS_EXPORT = "incidents.export", "事故等の報告の出力", "Incident reports exported"
    INCIDENTS_MEASURE = "incidents.measure", "事故等に対する措置の記録", "Measure taken on an incident recorded"
    INCIDENTS_RECORDS_LOG = "incidents.records_log", "事故等に関係する記録の操作履歴の閲覧", \
        "Operation log of the records an incident concerns viewed"

    # --- 委員会・会議 (committee) -----------------------------------------------------------------------------
    COMMITTEE_VIEW = "committee.view", "委員会の記録の閲覧", "Committee records viewed"
    COMMITTEE_MEETING = "committee.meeting", "会議・持ち回り決定の登録", "Meeting or circulated resolution recorded"
    COMMITTEE_ATTENDANCE = "committee.attendance", "出席者の記録", "Attendance recorded"
    COMMITTEE_MINUTES = "committee.minutes", "議事録の記録・確定", "Minutes recorded or finalised"
    COMMITTEE_ACTION_ITEM = "committee.action_item", "決定事項の登録・完了", "Action item recorded or closed"
    COMMITTEE_EXPORT = "committee.export", "委員会の記録の出力", "Committee records exported"

    # --- 組織の記録 (org) -----------------------------------------------------------------------------------
    ORG_CHART = "org.chart", "組織図の閲覧", "Organisation chart viewed"
    ORG_ACKNOWLEDGE = "org.acknowledge", "義務の確認（本人）", "Duty acknowledged"
    ORG_ACK_RECORD = "org.ack_record", "義務の確認の記録（書面）", "Acknowledgement recorded from paper"
    ORG_ACK_REGISTER = "org.ack_register", "義務の確認の一覧の閲覧", "Acknowledgement register viewed"
    ORG_ACK_EXPORT = "org.ack_export", "義務の確認の一覧の出力", "Acknowledgement register exported"
    ORG_DISCIPLINE_VIEW = "org.discipline_view", "懲戒等の記録の閲覧", "Disciplinary records viewed"
    ORG_DISCIPLINE_RECORD = "org.discipline_record", "懲戒等の記録", "Disciplinary measure recorded"
    ORG_PROFILE_VERSIONS = "org.profile_versions", "規程・プロファイルの版の閲覧", "Rule versions viewed"

    # --- 記録媒体・書類 (registers) ------------------------------------------------------------------------
    MEDIA_REGISTER = "media.register", "記録媒体の登録", "Medium registered", "storage", True
    MEDIA_MOVE = "media.move", "記録媒体の保管場所の変更", "Medium moved", "storage", True
    MEDIA_CARRY_OUT = "media.carry_out", "記録媒体の持出し", "Medium carried out", "carry_out", True
    MEDIA_RETURN = "media.return", "記録媒体の返却", "Medium returned", "carry_out", True
    MEDIA_FAULT = "media.fault", "記録媒体の異常", "Medium fault", None, True
    MEDIA_DISPOSE = "media.dispose", "記録媒体の廃棄", "Medium disposed of", "disposal", True
    DOCUMENT_REGISTER = "document.register", "書類の登録", "Document registered", "storage", True
    DOCUMENT_COPY = "document.copy", "書類・データの複製", "Document copied", "output", True
    DOCUMENT_CARRY_OUT = "document.carry_out", "書類の持出し", "Document carried out", "carry_out", True
    DOCUMENT_DELETE_COPY = "document.delete_copy", "複製の消去", "Copy erased", "disposal", True
    DOCUMENT_RETURN = "document.return", "書類の返却", "Document returned", "carry_out", True
    DOCUMENT_CHECK = "document.check", "書類の保管状況の確認", "Document checked", "storage", True
    DOCUMENT_DISPOSE = "document.dispose", "書類の廃棄", "Document disposed of", "disposal", True
    REGISTERS_VIEW = "registers.view", "記録媒体・書類台帳の閲覧", "Registers viewed"
    # 回付・進達 (004 §14(2), E-39): opened, then completed with its 別紙1 entry (the stage is in the entry)
    DISPATCH_OPEN = "dispatch.open", "回付・進達の起票", "Forwarding or submission opened", None, True
    DISPATCH_COMPLETE = "dispatch.complete", "回付・進達の完了", "Forwarding or submission completed",\
        "submission", True

    # --- 取扱状況の記録・台帳 (ledgers) ------------------------------------------------------------------
    LEDGERS_VIEW = "ledgers.view", "記録・台帳の閲覧", "Ledger viewed"
    LEDGERS_MANUAL_ENTRY = "ledgers.manual_entry", "取扱状況の手入力", "Handling step entered by hand"
    LEDGERS_FILE_SIGN_OFF = "ledgers.file_sign_off", "ファイル管理台帳の確認", "File register signed off"
    LEDGERS_SYNC = "ledgers.sync", "操作履歴からの記録の作成", "Records made from the operation log"
    LEDGERS_EXPORT = "ledgers.export", "記録・台帳の出力", "Ledger exported"

    # --- 保存期間・廃棄 (retention) ----------------------------------------------------------------------
    RETENTION_VIEW = "retention.view", "保存期間・廃棄予定の閲覧", "Retention worklist viewed"
    RETENTION_EXPORT = "retention.export", "廃棄予定一覧の出力", "Retention worklist exported"
    RETENTION_PAYMENT_DATE = "retention.payment_date", "給付日カレンダーの登録・変更", "Payment calendar changed"
    RETENTION_EVENT = "retention.event", "起算日・不要の判断の記録", "Retention start date recorded"
    RETENTION_HOLD = "retention.hold", "法的保存（廃棄の停止）", "Legal hold placed"
    RETENTION_HOLD_RELEASE = "retention.hold_release", "法的保存の解除", "Legal hold released"
    DISPOSAL_DRAFT = "disposal.draft", "廃棄リストの作成", "Disposal list drafted"
    DISPOSAL_CHECK = "disposal.check", "廃棄リストの確認（別の者による目視確認）", "Disposal list checked by a second person"
    DISPOSAL_CONFIRM = "disposal.confirm", "廃棄・削除の確認（保護管理者）", "Disposal confirmed by the manager"
    DISPOSAL_EXECUTE = "disposal.execute", "廃棄・削除の実施", "Disposal executed", "disposal", True
    DISPOSAL_CERTIFICATE = "disposal.certificate", "廃棄証明書の登録", "Disposal certificate recorded", "disposal"
    DISPOSAL_CANCEL = "disposal.cancel", "廃棄リストの取消", "Disposal list cancelled"
    DISPOSAL_VIEW = "disposal.view", "廃棄リスト・廃棄証明書の閲覧", "Disposal lists viewed"

    # --- 操作履歴 (auditlog) ----------------------------------------------------------------------------
    LOG_SEARCH = "log.search", "操作履歴の検索", "Operation log searched"
    LOG_VIEW = "log.view", "操作履歴の閲覧", "Operation log entry viewed"
    LOG_EXPORT = "log.export", "操作履歴の出力", "Operation log exported"
    LOG_VERIFY = "log.verify", "操作履歴の検証", "Operation log verified"
    LOG_ANALYSE = "log.analyse", "操作履歴の分析", "Operation log analysed"
    LOG_REVIEW = "log.review", "操作履歴の点検", "Operation log reviewed"
    LOG_PURGE = "log.purge", "保存期間を過ぎた操作履歴の消去", "Expired operation log purged"
    LOG_CHECKPOINT = "log.checkpoint", "操作履歴の署名", "Operation log checkpoint signed"

    # --- システム (system) --------------------------------------------------------------------------------
    SYSTEM_INIT = "system.init", "システムの初期設定", "System initialised"
    SYSTEM_PROFILE_ACTIVATE = "system.profile_activate", "組織プロファイルの適用", "Organisation profile applied"
    SYSTEM_PROFILE_IN_FORCE = "system.profile_in_force", "組織プロファイルの施行（施行日の到来）", \
        "Organisation profile took effect on its date"
    SYSTEM_BACKUP = "system.backup", "データのバックアップ", "Data backed up"
    SYSTEM_BACKUP_KEYS = "system.backup_keys", "鍵のバックアップ", "Keys backed up"
    SYSTEM_RESTORE = "system.restore", "バックアップからの復元", "Restored from a backup"
    SYSTEM_RESTORE_DRILL = "system.restore_drill", "復元訓練の記録", "Restore drill recorded"
    SYSTEM_BACKUP_REGISTER = "system.backup_register", "バックアップ保管場所の登録・変更", \
        "Backup copy registered or moved"

    # --- 委託先・委託契約・委託先評価 (vendors) ------------------------------------------------------------------
    VENDORS_VIEW = "vendors.view", "委託先・委託契約の閲覧", "Vendors and contracts viewed"
    VENDORS_REGISTER = "vendors.register", "委託先の登録・変更", "Vendor registered or changed"
    VENDORS_QUALIFY = "vendors.qualify", "委託先の選定前の確認", "Vendor qualification recorded"
    VENDORS_EVALUATE = "vendors.evaluate", "委託先評価シートの作成・判定", "Vendor evaluation sheet recorded"
    VENDORS_IMPROVEMENT = "vendors.improvement", "改善措置の完了の確認", "Improvement measure closed"
    VENDORS_CONTRACT = "vendors.contract", "委託契約の作成・変更", "Outsourcing contract drafted or changed"
    VENDORS_CLAUSE = "vendors.clause", "契約条項・書面による確認の記録", "Contract clause confirmed"
    VENDORS_ACTIVATE = "vendors.activate", "委託契約の締結（有効化）", "Outsourcing contract made active"
    VENDORS_MEMORANDUM = "vendors.memorandum", "覚書の締結の記録", "Memorandum recorded"
    VENDORS_SUBCONTRACT = "vendors.subcontract", "再委託先の登録", "Sub-contractor registered"
    VENDORS_DISPATCH = "vendors.dispatch", "派遣労働者・労働者派遣契約の確認", "Dispatched worker and dispatch terms recorded"
    VENDORS_SUPERVISE = "vendors.supervise", "委託先の監督（実地調査・ヒアリング・報告）の記録", \
        "Vendor supervision recorded"
    VENDORS_END = "vendors.end", "委託契約の終了", "Outsourcing contract ended"
    VENDORS_RETURN = "vendors.return", "返還・消去・廃棄の証明書の登録・完了", \
        "Vendor's return or erasure certificate recorded"
    VENDORS_DELIVERY = "vendors.delivery", "委託先への引渡し", "Hand-over to a vendor", "provision", True
    VENDORS_EXPORT = "vendors.export", "委託先評価シート・台帳の出力", "Vendor register or evaluation exported"

    # --- 監査・点検・見直し、研修、引継ぎ (audits) -----------------------------------------------------------
    AUDITS_VIEW = "audits.view", "監査・点検の記録の閲覧", "Audit and inspection records viewed"
    AUDITS_ENGAGEMENT = "audits.engagement", "監査・点検の開始", "Audit or inspection opened"
    AUDITS_ANSWER = "audits.answer", "チェックリストの回答", "Checklist item answered"
    AUDITS_REPORT = "audits.report", "監査・点検の報告", "Audit or inspection reported"
    AUDITS_RECEIVE = "audits.receive", "監査・点検の報告の受領", "Audit or inspection report received"
    AUDITS_FINDING = "audits.finding", "指摘事項の登録", "Finding recorded"
    AUDITS_CORRECTIVE = "audits.corrective", "是正措置の記録", "Corrective action recorded"
    AUDITS_RECHECK = "audits.recheck", "是正の再確認・完了", "Corrective action re-checked"
    AUDITS_ESCALATE = "audits.escalate", "期限を過ぎた是正措置の上申", "Overdue corrective action escalated"
    AUDITS_EVIDENCE = "audits.evidence", "条文ごとの証跡の閲覧", "Article-by-article evidence viewed"
    AUDITS_EXPORT = "audits.export", "監査・点検の記録の出力", "Audit records exported"
    AUDITS_TRAINING_SESSION = "audits.training_session", "研修の計画・実施の記録", "Training session recorded"
    AUDITS_TRAINING_ATTEND = "audits.training_attend", "研修の受講の記録", "Training attendance recorded"
    AUDITS_HANDOVER = "audits.handover", "業務引継簿の作成・提出", "Handover book written or submitted"
    AUDITS_HANDOVER_CONFIRM = "audits.handover_confirm", "業務引継ぎの確認（保護管理者）", \
        "Handover confirmed by the protection manager"

    # --- 特定個人情報保護評価・本人開示 (pia) -------------------------------------------------------------
    PIA_VIEW = "pia.view", "特定個人情報保護評価（しきい値判断）の閲覧", "PIA threshold assessments viewed"
    PIA_ASSESS = "pia.assess", "しきい値判断の記録", "PIA threshold assessment recorded"
    PIA_DRAFT = "pia.draft", "基礎項目評価書（案）の出力", "Draft basic PIA report exported"
    PIA_DISCLOSURE = "pia.disclosure", "本人への提供・利用状況の開示", \
        "Disclosure to a person of the use and provision of their record", "output", True

    # --- 室・区域、情報資産、ID・照合情報 (registers, issue 17) ----------------------------------------------
    ROOM_REGISTER = "room.register", "室・区域の登録", "Room or area registered"
    ROOM_CHECK = "room.check", "物理的安全管理措置の確認", "Physical measure checked"
    ROOM_ENTRY = "room.entry", "入退室の記録", "Room entry recorded"
    ROOM_EXIT = "room.exit", "退室の記録", "Room exit recorded"
    ASSET_REGISTER = "asset.register", "情報資産の登録", "Information asset registered"
    ASSET_CHANGE = "asset.change", "情報資産の設置場所・状態の変更", "Information asset moved or changed"
    TERMINAL_MOVEMENT = "asset.terminal_movement", "端末の持出し・持込み", "Terminal taken out or brought in"
    DEVICE_ALLOW = "asset.device_allow", "接続を許可する機器の登録・取消", "Allowed device added or removed"
    DEVICE_IMPORT = "asset.device_import", "機器の接続記録の取込み", "Device connections imported"
    BIOMETRIC_DELETE = "ids.biometric_delete", "照合情報の削除", "Biometric matching data deleted"
    DELEGATED_AUTHORITY = "ids.delegated_authority", "委託する操作権限の追加・返却", \
        "Delegated operation authority added or returned"
    LINKAGE_ID_APPLY = "ids.linkage_apply", "情報連携システムIDの連合会への申請の記録", \
        "Application to the federation for a linkage-system ID recorded"
    LINKAGE_ID_ACTIVATE = "ids.linkage_activate", "情報連携システムIDの利用開始", "Linkage-system ID activated"
    LINKAGE_ID_SUSPEND = "ids.linkage_suspend", "情報連携システムIDの利用停止・再開", \
        "Linkage-system ID suspended or resumed"
    LINKAGE_ID_RETURN = "ids.linkage_return", "情報連携システムIDの返却", "Linkage-system ID returned"
    TYPED_REGISTERS_VIEW = "registers.typed_view", "室・区域・情報資産・ID 台帳の閲覧", "Rooms, assets and ID registers viewed"
    TYPED_REGISTERS_EXPORT = "registers.export", "台帳の出力（印刷・Excel）", "Register printed or exported"


UNKNOWN_JA = "登録されていない操作"
UNKNOWN_EN = "Unregistered operation"


def lookup(code: str) -> Action | None:
    """The registered action for a stored code, or None (an entry written before the code was retired)."""
    member = Action._value2member_map_.get(code)
    return member if isinstance(member, Action) else None


def label(code: str) -> str:
    """What people read for a stored code: the action's label, never the code itself."""
    action = lookup(code)
    if action is not None:
        return action.label
    return UNKNOWN_EN if (translation.get_language() or "ja").startswith("en") else UNKNOWN_JA


def stage_of(code: str) -> Stage | None:
    action = lookup(code)
    return action.stage if action is not None else None


def personal_codes() -> list[str]:
    """Codes of the actions that touch personal data: what the data-operations report counts."""
    return [a.value for a in Action if a.personal]


def staged_codes() -> list[str]:
    """Codes of the actions that are a handling stage (the handling-status record takes these)."""
    return [a.value for a in Action if a.stage is not None]


def choices() -> list[tuple[str, str]]:
    """(code, label) for a search form's action filter, in registry order."""
    return [(a.value, a.label) for a in Action]
