"""The incident register as an Excel workbook (openpyxl, the ledgers' layout), 和暦 dates."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tokutei.core.templatetags.jp import wareki, wareki_time
from tokutei.ledgers.excel import workbook

from . import measures, selectors
from .models import Incident


def columns() -> list[str]:
    return [_("報告番号"), _("区分"), _("発見日時"), _("発見者"), _("報告日時"), _("報告者"), _("何が起きたか"),
            _("推定される原因"), _("報告経路"), _("個人情報保護委員会への報告"), _("速報の期限"), _("速報の提出日"),
            _("確報の期限"), _("確報の提出日"), _("措置")]


def row(incident: Incident) -> list[str]:
    route = "／".join(
        f"{s['role']}: " + (_("受領") if s["step"] and s["step"].acknowledged_at else
                            _("未受領のため次の報告先へ") if s["step"] and s["step"].escalated_at else
                            _("受領待ち") if s["step"] else _("未回付"))
        for s in selectors.steps(incident))
    ppc = selectors.ppc_of(incident)
    d = selectors.deadlines_of(incident, ppc)
    reportable = selectors.may_be_reportable(incident, ppc)
    judged = (_("報告対象") if ppc.reportable else _("報告対象外")) if ppc is not None else (
        _("未判断") if reportable else "—")
    return [str(incident.pk), str(incident.get_category_display()), wareki_time(incident.found_at), incident.found_by,
            wareki_time(incident.reported_at), incident.reported_by.username, incident.summary,
            incident.suspected_cause, route, judged,
            wareki(d.preliminary_due) if reportable else "", wareki(ppc.preliminary_reported_on) if ppc else "",
            wareki(d.final_due) if reportable else "", wareki(ppc.final_reported_on) if ppc else "",
            "／".join(f"{wareki_time(m.occurred_at)} {measures.label(m.kind)}" for m in incident.measures.all())]


def export(title: str, subtitle: str, incidents) -> tuple[bytes, int]:
    rows = [row(i) for i in incidents]
    return workbook(title, subtitle, [(title, columns(), rows)]), len(rows)
