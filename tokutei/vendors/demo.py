"""Demo data: a vendor with its 別紙3 evaluation (where the profile has one) or its qualification, and an
active contract with every clause confirmed — made through the services by a holder of the profile's vendor
manager role, so the demo shows what the rules allow."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tokutei.core.errors import Refused
from tokutei.core.inforce import in_force_q
from tokutei.policy import Actor
from tokutei.profiles.selectors import get_profile
from tokutei.staff.models import RoleAssignment, User

from . import services


def _holder(roles) -> User | None:
    row = (RoleAssignment.objects.filter(in_force_q(), role_key__in=sorted(roles))
           .select_related("user").order_by("id").first())
    return row.user if row else None


def load() -> list[str]:
    profile = get_profile()
    out = profile.outsourcing
    manager = _holder(out.manager_roles)
    if manager is None:
        return []
    actor = Actor.console(manager)
    owner = _holder(profile.handler_roles())
    today = timezone.localdate()
    try:
        vendor = services.create_vendor(actor=actor, name="株式会社デモ情報処理センター", department="公共システム部",
                                        responsible_person="業務責任者 山田", address="デモ市中央1-1",
                                        pmark=True, owner=owner, unit=manager.unit)
        lines = [f"委託先: {vendor.name}（#{vendor.pk}）"]
        if out.vendor_evaluation.enabled:
            ev = services.create_evaluation(actor=actor, vendor_id=vendor.pk, pattern="I",
                                            created_on=today - dt.timedelta(days=30),
                                            method=next(iter(out.qualification.methods), ""),
                                            work="年金請求書のデータ入力", entrusted="氏名、生年月日、住所、個人番号")
            items = list(ev.items.all())
            grades = {i.no: "A" for i in items} | {items[-1].no: "B"}
            services.grade(actor=actor, evaluation_id=ev.pk, grades=grades,
                           improvements={items[-1].no: "ウイルス定義の自動更新を設定する（翌月末まで）"},
                           pmark=True, no_leak_2y=True)
            ev = services.finalise(actor=actor, evaluation_id=ev.pk)
            lines.append(f"委託先評価シート: #{ev.pk} {ev.get_verdict_display()}")
        elif out.qualification.required:
            services.record_qualification(actor=actor, vendor_id=vendor.pk,
                                          method=next(iter(out.qualification.methods)),
                                          evidence="ISMS 認証の写し、安全管理措置の説明書（デモ）", qualified=True)
            lines.append("選定前の確認: 基準を満たす")
        contract = services.draft_contract(actor=actor, vendor_id=vendor.pk, title="デモ データ入力業務委託",
                                           work="申請書のデータ入力", entrusted="氏名、住所、個人番号",
                                           starts_on=today - dt.timedelta(days=20),
                                           ends_on=today + dt.timedelta(days=40))
        for i in range(len(contract.clauses)):
            services.confirm_clause(actor=actor, contract_id=contract.pk, index=i, location=f"第{i + 2}条")
        contract = services.activate_contract(actor=actor, contract_id=contract.pk)
        services.record_supervision(actor=actor, vendor_id=vendor.pk, kind="hearing", held_on=today,
                                    summary="管理状況の報告を受け、入退室記録を確認した（デモ）", contract_id=contract.pk)
        lines.append(f"委託契約: #{contract.pk} {contract.get_status_display()}（{len(contract.clauses)} 項目確認済）")
        return lines
    except Refused as exc:  # a demo must not stop the whole demo load
        return [f"委託先のデモを作成できませんでした: {exc}"]
