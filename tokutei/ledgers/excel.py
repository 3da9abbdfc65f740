"""Excel exports (openpyxl) in the organisation's form layout, with 和暦 dates as the forms use them."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

WAREKI_FORMAT = '[$-411]ggge"年"m"月"d"日"'  # Excel's Japanese era format: 令和8年4月1日
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("・", text)[:28] or "Sheet"
    title, n = base, 2
    while title in used:
        title = f"{base[:25]}({n})"
        n += 1
    used.add(title)
    return title


def workbook(title: str, subtitle: str, sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """sheets: (sheet name, column labels, rows of text, numbers and dates). Row 1: the form title; row 2: organisation and period;
    row 3: the sheet's category; row 4: the column labels; data from row 5.

    Written in openpyxl's write-only mode with two named styles (its speed: docs/performance.md)."""
    wb = Workbook(write_only=True)
    head = NamedStyle(name="tokutei_head", font=Font(bold=True), border=_BORDER,
                      fill=PatternFill("solid", fgColor="EEF2F6"),
                      alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    body = NamedStyle(name="tokutei_body", border=_BORDER, alignment=Alignment(vertical="top", wrap_text=True))
    # A date stays a date (sortable, filterable), shown in 和暦 as the forms write it; a count stays a number.
    day = NamedStyle(name="tokutei_date", border=_BORDER, alignment=Alignment(vertical="top"),
                     number_format=WAREKI_FORMAT)
    wb.add_named_style(head)
    wb.add_named_style(body)
    wb.add_named_style(day)
    used: set[str] = set()
    for name, columns, rows in sheets:
        ws = wb.create_sheet(_sheet_title(name, used))
        for c, label in enumerate(columns, start=1):
            longest = max([len(str(label)), *(len(str(v[c - 1])) for v in rows[:500] if c - 1 < len(v))], default=8)
            ws.column_dimensions[get_column_letter(c)].width = min(max(8, longest * 2 + 2), 60)
        ws.freeze_panes = "A5"
        ws.print_title_rows = "4:4"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1

        def cell(value, style=None, font=None, ws=ws):
            c = WriteOnlyCell(ws, value=value)
            if style is not None:
                c.style = style
            if font is not None:
                c.font = font
            return c

        ws.append([cell(title, font=Font(bold=True, size=14))])
        ws.append([subtitle])
        ws.append([cell(name, font=Font(bold=True))])
        ws.append([cell(label, "tokutei_head") for label in columns])
        for values in rows:
            ws.append([cell(v, "tokutei_date" if isinstance(v, dt.date) else "tokutei_body") for v in values])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
