"""The acknowledgement register as an Excel workbook (the ledgers' layout, 和暦 dates)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tokutei.core.templatetags.jp import wareki
from tokutei.ledgers.excel import workbook


def export(title: str, subtitle: str, duties: dict, version, rows) -> tuple[bytes, int]:
    labels = [_("職員"), _("所属")]
    for duty in duties.values():
        labels += [f"{duty.ja}：{_('確認日')}", f"{duty.ja}：{_('規程の版')}", f"{duty.ja}：{_('状態')}"]
    data = []
    for row in rows:
        line = [str(row.user), str(row.user.unit) if row.user.unit else ""]
        for _key, ack, current in row.cells:
            if ack is None and current:
                line += ["—", "", _("対象外")]
            elif ack is None:
                line += ["", "", _("未確認")]
            else:
                line += [wareki(ack.acknowledged_on) + (_("（書面）") if ack.on_paper else ""),
                         wareki(ack.rules_in_force), _("確認済み") if current else _("旧版で確認（再確認が必要）")]
        data.append(line)
    return workbook(title, subtitle, [(_("義務の確認"), labels, data)]), len(data)
