"""A readable Japanese summary of a profile (``tokutei profiles show NAME``).

Who is who and who designates whom, the legal tasks with their basis and usable fields, the approval
chains, authentication, retention and every value the regulation leaves open — each with its article.
"""

from __future__ import annotations

from .citations import cite
from .schema import RECORD_CLASSES, ApprovalRule, Period, Profile

MODES_JA = {"password": "ID＋パスワード", "totp": "ワンタイムパスワード（TOTP）",
            "webauthn": "生体認証（WebAuthn）", "ic_card": "ICカード"}
ORDER_JA = {"all": "すべての段階（順不同）", "sequence": "段階の順に", "any": "いずれかの段階"}
SUBCONTRACTING_JA = {
    "prohibited": "禁止", "prior_approval": "事前申請と承認", "manager_decision": "保護管理者が安全を確認して判断",
    "exceptional": "原則禁止（やむを得ない場合に同等の条件で）", "unregulated": "規程に定めなし",
}
TRIGGER_JA = {
    "after_next_payment": "次回の給付日の後、遅滞なく",
    "when_no_longer_needed": "不要になったとき", "fixed_period": "保存期間",
}
KIND_JA = {"municipality": "地方公共団体", "mutual_aid_association": "共済組合"}


def _period(period: Period | None) -> str:
    return period.label_ja() if period is not None else "定めなし"


def _roles(profile: Profile, keys: list[str], joiner: str = "、") -> str:
    return joiner.join(profile.roles[k].ja if k in profile.roles else k for k in keys)


def _approval(profile: Profile, key: str, rule: ApprovalRule) -> list[str]:
    steps = " → ".join(f"［{_roles(profile, s.roles, ' 又は ')}］" for s in rule.steps)
    lines = [f"  ■ {rule.ja}（{key}）{'' if rule.enabled else '【無効】'}", f"      承認: {steps}"]
    extra = [ORDER_JA[rule.order]]
    if len(rule.steps) > 1 and rule.distinct_approvers:
        extra.append("別人の承認者が必要")
    extra.append(f"有効期間 {_period(rule.valid_for)}" if rule.valid_for else "有効期間 定めなし")
    lines.append(f"      条件: {'・'.join(extra)}")
    if rule.applicant_roles:
        lines.append(f"      申請者: {_roles(profile, rule.applicant_roles)}")
    lines.append(f"      根拠: {cite(rule.article, profile)}")
    return lines


def summary_lines(profile: Profile, name: str = "") -> list[str]:
    org = profile.organisation
    out: list[str] = []
    add = out.append
    add(f"{org.name}（組織コード {org.code}{'・' + name if name else ''}）")
    add(f"  規程: {org.instrument}")
    add(f"  種別: {KIND_JA[org.kind]}　保護対象: {org.data_class}")
    versions = "、".join(
        f"{v.in_force.isoformat()}" + (f"（{v.applies_from.isoformat()} から適用）" if v.applies_from else "")
        for v in org.versions
    )
    add(f"  施行: {versions}")
    for v in org.versions:  # what each version changed or keeps (001: the 住基カード transitional rule)
        if v.note:
            add(f"    {v.in_force.isoformat()}: {v.note}")
    for inst in org.supplementary_instruments:
        add(f"  別に定めるもの: {inst}")

    add("")
    add("【役割】（誰が誰を指定するか）")
    for key, role in profile.roles.items():
        add(f"  ■ {role.ja}（{key}）" + (f"［{role.short_ja}］" if role.short_ja else ""))
        if role.posts:
            add(f"      充て職: {'、'.join(profile.posts[p].ja for p in role.posts if p in profile.posts)}")
        if role.designated_by:
            add(f"      指定する者: {_roles(profile, role.designated_by)}")
        conditions = []
        if role.eligible_roles:
            conditions.append(f"{_roles(profile, role.eligible_roles)}であること")
        if role.eligible_units:
            conditions.append(f"{'、'.join(profile.units[u].ja for u in role.eligible_units)}の職員であること")
        if role.exact_holders is not None:
            conditions.append(f"ちょうど{role.exact_holders}名")
        if role.max_holders is not None:
            conditions.append(f"最大{role.max_holders}名")
        if conditions:
            add(f"      条件: {'、'.join(conditions)}")
        if role.supervises:
            add(f"      監督: {_roles(profile, role.supervises)}")
        powers = [label for flag, label in (
            (role.handles_data, "個人データを取り扱う"), (role.administers_system, "システム管理"),
            (role.reads_audit_log, "操作履歴の閲覧"), (role.unit_scoped, "所管の範囲内のみ"),
            (role.organisation_defined, "組織が定めた役割（規程にない）"),
        ) if flag]
        if powers:
            add(f"      権限: {'・'.join(powers)}")
        add(f"      根拠: {cite(role.article, profile)}")

    add("")
    add("【事務（利用目的）と使用できる項目】")

    def task_lines(parent: str | None, depth: int) -> None:
        for key, task in profile.tasks.items():
            if task.parent != parent:
                continue
            indent = "  " + "    " * depth
            mark = "" if task.selectable else "【区分】"
            add(f"{indent}■ {mark}{task.ja}（{key}）")
            if task.law:
                add(f"{indent}    法令: {task.law}")
            if task.ground:
                add(f"{indent}    番号法上の根拠: {task.ground}")
            if task.fields:
                add(f"{indent}    項目: {'、'.join(profile.fields[f].ja for f in task.fields if f in profile.fields)}")
            add(f"{indent}    根拠: {cite(task.article, profile)}")
            task_lines(key, depth + 1)

    task_lines(None, 0)
    if profile.task_types:
        add("  事務の種類:")
        for key, label in profile.task_types.items():
            add(f"    {key}: {label}")

    add("")
    add("【承認】")
    if not profile.approvals:
        add("  規程に事前の承認の定めはありません。")
    for key, rule in profile.approvals.items():
        out.extend(_approval(profile, key, rule))
    if profile.bulk.threshold is not None:
        add(f"  大量取扱い: {profile.bulk.threshold}件以上で「{profile.bulk.approval}」の事前承認（{cite(profile.bulk.article, profile)}）")
    if profile.carry_out is not None:
        co = profile.carry_out
        add(f"  {co.ja}: 承認 {co.approval or '定めなし'}（{cite(co.article, profile)}）")
        if co.allowed_purposes:
            add(f"      目的の限定: {'／'.join(co.allowed_purposes.values())}")
        if co.protection_any_of:
            add(f"      保護措置（いずれか）: {'／'.join(co.protection_any_of.values())}")
        if co.record_fields:
            add(f"      記録: {'、'.join(co.record_fields)}")
    if profile.transmission is not None:
        tr = profile.transmission
        add(f"  {tr.ja}: 承認 {tr.approval or '定めなし'}（{cite(tr.article, profile)}）")
        add("      経路: " + "／".join(f"{c.ja}{'' if c.encrypted else '（暗号化なし・不可）'}" for c in tr.channels.values()))

    auth = profile.authentication
    add("")
    add("【認証】")
    add(f"  方式: {'、'.join(MODES_JA[m] for m in auth.modes)}" + ("（生体認証必須）" if auth.biometric_required else ""))
    if auth.password_max_age is not None:
        add(f"  パスワードの有効期間: {_period(auth.password_max_age)}")
    add(f"  ロックアウト: {auth.lockout_threshold}回失敗で{auth.lockout_minutes}分")
    add(f"  無操作時の自動ログオフ: {auth.idle_logoff_minutes}分")
    add(f"  異動等: 認証情報を直ちに停止し、設定又は取消しまで停止（{cite(auth.on_change_article, profile)}）")
    add(f"  登録端末のみ: {'はい' if auth.terminals_required else 'いいえ'}")
    exc = auth.password_only_exception
    if exc.allowed:
        add(f"  パスワードのみの例外: {_roles(profile, exc.granted_by)}が認める場合（{cite(exc.article, profile)}）")
        for condition in exc.conditions:
            add(f"      ・{condition}")
    for key, system in auth.systems.items():
        add(f"  {system.ja}（{key}）: {'、'.join(MODES_JA[m] for m in system.modes)}（{cite(system.article, profile)}）")
    add(f"  根拠: {cite(auth.article, profile)}")

    ret = profile.retention
    add("")
    add("【保存期間】")
    add(f"  操作履歴: {_period(ret.operation_log)}（{cite(ret.article, profile)}）")
    if ret.review_roles:
        add(f"  操作履歴の確認: {_roles(profile, ret.review_roles)}")
    add(f"  事業年度の開始月: {ret.business_year_start_month}月")
    for record_class, rule_key in ret.classes.items():
        add(f"  {RECORD_CLASSES[record_class][0]} → {rule_key}")
    for key, kept in profile.retention_rules.items():
        period = ""
        if kept.period is not None:
            period = f" {_period(kept.period)}"
        elif kept.business_days:
            period = f" {kept.business_days}営業日"
        start = "（翌事業年度から起算）" if kept.count_from == "next_business_year" else ""
        add(f"  ■ {kept.ja}（{key}）: {TRIGGER_JA[kept.trigger]}{period}{start}")
        if kept.methods:
            add(f"      方法: {'、'.join(ret.methods[m].ja for m in kept.methods)}")
        if kept.second_person_check:
            add("      別の者による確認が必要")
        add(f"      根拠: {cite(kept.article, profile)}")

    out_ = profile.outsourcing
    add("")
    add("【委託】")
    add(f"  契約条項: {len(out_.contract_clauses)}項目　再委託: {SUBCONTRACTING_JA[out_.subcontracting]}（{cite(out_.article, profile)}）")
    if out_.vendor_evaluation.enabled:
        ve = out_.vendor_evaluation
        counts = "、".join(
            f"{p}={sum(1 for i in ve.items if p in i.patterns)}項目" for p in ("I", "II", "III", "IV")
        )
        add(f"  委託先評価: {counts}　再評価 {_period(ve.reevaluate_every)}ごと（{cite(ve.article, profile)}）")

    if profile.intake.identity_verification.required or profile.intake.ground_required:
        add("")
        add("【取得・入力】")
        iv = profile.intake.identity_verification
        if iv.required:
            sets = "／".join("＋".join(iv.documents[d] for d in doc_set) for doc_set in iv.document_sets)
            add(f"  本人確認書類（いずれか）: {sets}（{cite(iv.article, profile)}）")
            if iv.agent_documents:
                add(f"  代理人の場合: {'、'.join(iv.agent_documents.values())}")
        if profile.intake.second_person_confirmation:
            add(f"  入力後に別の者が確認する（{cite(profile.intake.confirmation_article, profile)}）")
        if profile.intake.ground_required:
            add(f"  番号法上の根拠が必要（{cite(profile.intake.ground_article, profile)}）")
    if profile.storage.own_servers_allowed is False:
        add(f"  電子データを自組織のサーバに保管しない（{cite(profile.storage.article, profile)}）")

    if profile.rooms:
        add("")
        add("【部屋・区域】")
        for key, room in profile.rooms.items():
            who = f" 入室許可: {_roles(profile, room.entry_approver_roles)}" if room.entry_approver_roles else ""
            add(f"  ■ {room.ja}（{key}）{who}（{cite(room.article, profile)}）")
            if room.measures:
                add(f"    措置: {'、'.join(room.measures)}")
            if room.visitors is not None:
                vr = room.visitors
                need = [t for t, on in (("識別（名札）", vr.identification), ("立会い", vr.escort)) if on]
                by = f"（立会者: {_roles(profile, vr.escort_roles)}）" if vr.escort and vr.escort_roles else ""
                add(f"    業者・来訪者: {'・'.join(need) or '定めなし'}{by}（{cite(vr.article, profile)}）")

    registers = dict(profile.registers)
    if profile.file_register is not None:
        registers["file_register"] = profile.file_register
    if registers:
        add("")
        add("【帳簿】")
        for key, register in registers.items():
            layout = "【様式は規程にない】" if register.layout_open else ""
            add(f"  ■ {register.ja}（{key}）{layout}: {'、'.join(_field_ja(f) for f in register.current_fields())}"
                    f"（{cite(register.article, profile)}）")
    if profile.handling_status is not None and profile.handling_status.enabled:
        hs = profile.handling_status
        add("")
        add(f"【{hs.ja}】（{cite(hs.article, profile)}）")
        for key, category in hs.categories.items():
            add(f"  ■ {category.ja}（{key}）: {'、'.join(category.columns)}"
                f" ／ 段階: {'・'.join(_STAGE_JA.get(st, st) for st in category.stages)}")

    if profile.incident is not None:
        inc = profile.incident
        parts: list[str] = []
        for i, r in enumerate(inc.route):
            name = profile.roles[r].ja if r in profile.roles else r
            if i and any(r in g and inc.route[i - 1] in g for g in inc.together):
                parts[-1] = f"{parts[-1].removesuffix('（同時）')}・{name}（同時）"
            else:
                parts.append(name)
        add("")
        add(f"【事故の報告経路】 {' → '.join(parts)}（{cite(inc.article, profile)}）")
        if inc.measures:
            add(f"  措置: {'、'.join(m.ja or k for k, m in inc.measures.items())}")

    gb = profile.governance_body
    if gb is not None:
        heard = {"staff": "関係職員", "expert": "外部の専門家", "other": "委員以外の者"}
        add("")
        chair = profile.roles[gb.chair].ja if gb.chair in profile.roles else gb.chair
        add(f"【{gb.ja}】 委員長・議長: {chair}（{cite(gb.article, profile)}）")
        if gb.may_hear or gb.may_request_materials:
            materials = "、資料の提出を求めることができる" if gb.may_request_materials else ""
            add(f"  出席を求め意見を聴くことができる者: {'・'.join(heard[w] for w in gb.may_hear) or '—'}{materials}"
                f"（{cite(gb.hearing_article if gb.hearing_article != '—' else gb.article, profile)}）")

    if profile.safeguards:
        add("")
        add("【措置の一覧（点検・監査のチェックリスト）】")
        for key, sg in profile.safeguards.items():
            who = f" 担当: {_roles(profile, sg.roles)}" if sg.roles else ""
            add(f"  ■ {sg.ja}（{key}）{who}（{cite(sg.article, profile)}）")
            for item in sg.items:
                add(f"    ・{item}")

    scope = profile.handling_scope
    add("")
    add("【取扱いの範囲（事務より狭い範囲の指定）】")
    if scope is None:
        add("  定めなし（指定された事務のすべての記録）")
    else:
        by = "・".join({"files": "特定個人情報ファイル", "records": "記録番号の範囲"}[b] for b in scope.by)
        add(f"  {_roles(profile, scope.set_by)}が{_roles(profile, scope.roles)}の範囲を{by}で限る"
            f"（{cite(scope.article, profile)}）")

    orgrec = profile.org
    if orgrec.acknowledgements or orgrec.discipline is not None:
        add("")
        add("【組織の記録】")
        for key, ack in orgrec.acknowledgements.items():
            who = _roles(profile, ack.audience) if ack.audience else "全職員"
            add(f"  ■ {ack.ja}（{key}）対象: {who}（{cite(ack.article, profile)}）")
        if orgrec.discipline is not None:
            d = orgrec.discipline
            add(f"  ■ {d.ja}: 決定 {_roles(profile, d.decided_by)}、閲覧 {_roles(profile, d.visible_to)}"
                f"（{cite(d.article, profile)}）")

    add("")
    add("【規程が定めていない値（組織が決めたもの）】")
    opens = profile.open_parameters()
    if not opens:
        add("  なし")
    for path, param in opens:
        who = "組織" if param.decided_by == "organisation" else "規程"
        add(f"  ・{path}: {param.note}（決定: {who}）")
    for note in profile.notes:
        add(f"  注: {note}")
    return out


_STAGE_JA = {"acquisition": "取得", "input": "入力", "use": "利用", "output": "出力", "provision": "提供",
             "forwarding": "回付", "submission": "進達", "storage": "保管", "carry_out": "持出し", "deletion": "削除",
             "disposal": "廃棄"}

_TYPES_JA = {"text": "文字", "date": "日付", "datetime": "日時", "person": "職員", "room": "室・区域", "asset": "情報資産",
             "choice": "選択", "number": "数値"}


def _field_ja(field) -> str:
    """A typed register field as the summary lists it: 入室日時（日時・必須）; a label-only field as written."""
    if field.key == field.ja:
        return field.ja
    return f"{field.ja}（{_TYPES_JA[field.type]}{'・必須' if field.required else ''}）"
