"""Excel workbooks (openpyxl, the ledgers' layout): the article-by-article evidence and the findings."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _

from tokutei.core.templatetags.jp import wareki
from tokutei.ledgers.excel import workbook
from tokutei.profiles.citations import cite

from . import evidence
from .models import Finding

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def response(data: bytes, filename: str) -> HttpResponse:
    out = HttpResponse(data, content_type=XLSX)
    out["Content-Disposition"] = f'attachment; filename="{filename}"'
    return out


def evidence_rows(profile, start: dt.date, end: dt.date) -> list[list[str]]:
    rows = []
    for r in evidence.article_rows(profile, start, end):
        rows.append([
            cite(r.map.article, profile), r.map.topic, r.status_label, "、".join(r.map.requirements),
            "\n".join(f"{x.control.rule} {x.control.ja}（{_('拒否')} {x.refusals}）" for x in r.rules),
            "\n".join(f"{x.label}: {x.count}" for x in r.records),
            "\n".join(f"{i.item.ja}（{evidence.RESULT_LABELS.get(i.result, _('未回答'))}）" for i in r.items),
            r.map.open])
    return rows


def evidence_workbook(profile, start: dt.date, end: dt.date) -> tuple[bytes, int]:
    title = _("条文ごとの証跡")
    cols = [_("条文"), _("見出し"), _("状況"), _("要件"), _("システムによる強制（期間中の拒否）"), _("期間中の記録"),
            _("チェックリスト（直近の回答）"), _("未対応の事項")]
    rows = evidence_rows(profile, start, end)
    subtitle = f"{profile.organisation.name}　{wareki(start)}〜{wareki(end)}"
    return workbook(title, subtitle, [(title, cols, rows)]), len(rows)


def findings(items: list[Finding]) -> bytes:
    title = _("指摘事項と是正措置")
    cols = [_("番号"), _("発見の経緯"), _("条文"), _("指摘事項"), _("重要度"), _("原因"), _("担当"), _("期限"),
            _("状況"), _("是正措置"), _("再確認の結果"), _("上申")]
    rows = [[str(f.pk), str(f.get_source_display()), cite(f.article), f.title, str(f.get_severity_display()),
             f.root_cause, f.owner.display_name, wareki(f.due_on), str(f.get_status_display()), f.corrective_action,
             f.recheck_note, "、".join(f.escalated_to)] for f in items]
    return workbook(title, "", [(title, cols, rows)])
