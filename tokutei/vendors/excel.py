"""Excel: the 別紙3 sheet in the form's layout (A4 portrait) and the vendor register (openpyxl), 和暦 dates.
Each export is logged (vendors.export) with what was exported."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core.templatetags.jp import wareki
from tokutei.ledgers.excel import workbook
from tokutei.policy import Actor, restrict
from tokutei.profiles.selectors import get_profile

from . import selectors
from .models import Evaluation, Vendor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
GRADE_LABEL = {"A": "A", "B": "B", "C": "C", "-": "—", "": ""}


def _check(on: bool) -> str:
    return "☑" if on else "□"


def evaluation_book(ev: Evaluation) -> bytes:
    ve = get_profile().outsourcing.vendor_evaluation
    wb = Workbook()
    ws = wb.active
    ws.title = _("委託先評価シート")
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    for col, width in zip("ABCDEFGH", (6, 52, 5, 5, 5, 5, 7, 36), strict=True):
        ws.column_dimensions[col].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def row(values, bold=False, box=True):
        ws.append(values)
        r = ws.max_row
        for c in range(1, len(values) + 1):
            cell = ws.cell(row=r, column=c)
            cell.alignment = center if c in (1, 3, 4, 5, 6, 7) else wrap
            if box:
                cell.border = _BOX
            if bold:
                cell.font = Font(bold=True)
        return r

    ws.append(["", "", "", "", "", _("作成年月日"), "", wareki(ev.created_on)])
    ws.append([_("特定個人情報等取扱業務委託先評価シート")])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=8)
    ws.append([])
    ws.append([_("1 最終判定（判定条件を全て満たしていることが「採用」の条件である）")])
    adopted = ev.verdict in ("adopted", "conditional")
    ws.append(["", f"{_check(adopted)} {_('採用')}　{_check(ev.verdict == 'rejected')} {_('不採用')}"
               + (f"（{_('改善措置の実施を条件とする')}）" if ev.verdict == "conditional" else "")])
    ws.append([])
    ws.append([_("2 基本情報")])
    row(["", _("項目"), _("記入欄"), "", "", "", "", _("備考")], bold=True)
    b = ev.basic or {}
    remarks = b.get("remarks") or {}
    for label, value, key in (
            (_("(1) 委託選定"), f"{_check(ev.kind == 'new')} {_('新規')}　{_check(ev.kind == 're')} {_('再評価')}", "kind"),
            (_("(2) 委託先名称"), b.get("name", ""), "name"), (_("(3) 委託先の部門名"), b.get("department", ""), "department"),
            (_("(4) 委託先の業務責任者"), b.get("responsible_person", ""), "responsible_person"),
            (_("(5) 業務委託内容"), b.get("work", ""), "work"), (_("(6) 預託個人情報"), b.get("entrusted", ""), "entrusted")):
        r = row(["", label, value, "", "", "", "", remarks.get(key, "")])
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=7)
    ws.append([])
    ws.append([_("3 評価項目")])
    row(["No", _("評価項目"), "I", "II", "III", "IV", _("判定"), _("改善措置等")], bold=True)
    pre = "○" if ev.shortcut else ""
    for item in ve.shortcut_items:
        row(["", item.ja, *["○" if p in item.patterns else "" for p in ("I", "II", "III", "IV")], pre, ""])
    graded = {i.no: i for i in ev.items.all()}
    for item in ve.items:
        g = graded.get(item.no)
        row([item.no, item.ja, *["○" if p in item.patterns else "—" for p in ("I", "II", "III", "IV")],
             GRADE_LABEL.get(g.grade, "") if g else "", (g.improvement if g else "")])
    ws.append([])
    ws.append([_("委託パターン: %(p)s") % {"p": ev.pattern}])
    for key, text in ve.patterns.items():
        ws.append([f"{key}: {text}"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def evaluation_response(*, actor: Actor, evaluation: Evaluation) -> HttpResponse:
    data = evaluation_book(evaluation)
    record(action=Action.VENDORS_EXPORT, target_type="evaluation", target_id=evaluation.pk,
           article=evaluation.article, details={"format": "xlsx", "vendor_id": evaluation.vendor_id},
           **actor.log_fields())
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="evaluation-{evaluation.pk}.xlsx"'
    return response


def register_rows(actor: Actor) -> list[list[str]]:
    rows = []
    vendors = restrict(Vendor.objects.select_related("unit", "owner", "parent"), actor, Action.VENDORS_EXPORT)
    for v in vendors[:2000]:
        s = selectors.standing(v)
        for c in v.contracts.all() or [None]:
            subs = "、".join(f"{x.tier}次 {x.vendor.name}" for x in c.subcontractors.select_related("vendor")) if c else ""
            rows.append([
                v.name, v.department, v.responsible_person, v.parent.name if v.parent else "",
                c.title if c else "", c.work if c else "", c.entrusted if c else "",
                f"{wareki(c.starts_on)}〜{wareki(c.ends_on)}" if c else "", c.get_status_display() if c else "",
                wareki(c.memorandum_on) if c and c.memorandum_on else "", subs,
                s.evaluation.get_verdict_display() if s.evaluation else "",
                wareki(s.due) if s.due else "", "、".join(m for _c, m in s.blockers)])
    return rows


def register_response(*, actor: Actor) -> HttpResponse:
    profile = get_profile()
    columns = [_("委託先名称"), _("委託先の部門名"), _("委託先の業務責任者"), _("元請の委託先"), _("契約件名"),
               _("業務委託内容"), _("預託個人情報"), _("契約期間"), _("状態"), _("覚書"), _("再委託先"),
               _("最終判定"), _("再評価の期限"), _("提供できない理由")]
    rows = register_rows(actor)
    title = _("委託先・委託契約台帳")
    data = workbook(title, f"{profile.organisation.name}　{wareki(timezone.localdate())}", [(title, columns, rows)])
    record(action=Action.VENDORS_EXPORT, target_type="vendor", target_id="", count=len(rows),
           article=profile.outsourcing.article, details={"format": "xlsx"}, **actor.log_fields())
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="vendors.xlsx"'
    return response
