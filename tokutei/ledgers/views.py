"""Ledger pages: handling-status records (別紙1 / 003 §7), the file register (別紙2), record books.

Access is decided by the policy (rules in ``rules.py``): ``@action_required`` for the action, then
``require`` for the ledger the page shows; lists are ``restrict``-ed, so a unit-scoped 保護管理者 sees
their own unit (R-HSR-6); a record out of scope is not found. No page writes: the handling-status
rows are written with their log entries.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core import jdates
from tokutei.policy import Actor, decide, get_or_refuse, require, restrict
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile
from tokutei.registers import typed

from . import excel, files, layouts, selectors, services
from .external import external_url
from .forms import CorrectionForm, HandlingFilterForm, ManualRecordForm, RegisterEntryForm, SignOffForm
from .models import HandlingRecord, RegisterEntry
from .rules import FILES, HANDLING, REGISTER, Ledger
from .stages import form_title

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may(actor: Actor, action: Action, target: Any) -> bool:
    return decide(actor, action, target).allowed


def _path(request: HttpRequest) -> dict:
    return {"path": request.path[:200]}


def _visible_files(actor: Actor, action: Action = Action.LEDGERS_VIEW) -> list[files.FileInfo]:
    model = files.file_model()
    if model is None:
        return []
    return files.all_files(restrict(model._default_manager.all(), actor, action))


def _logged_export(actor: Actor, *, ledger: str, rows: int, data: bytes, filename: str) -> HttpResponse:
    """An Excel download of a ledger, logged (ledgers.export): what was exported and how many rows."""
    record(action=Action.LEDGERS_EXPORT, **actor.log_fields(), target_type="ledger", target_id=ledger, count=rows,
           details={"format": "xlsx"})
    return _attachment(data, filename)


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"{filename}\""
    return response


def _org_line(profile, extra: str = "") -> str:
    return f"{profile.organisation.name}　{extra}".strip()


# --- index ----------------------------------------------------------------------------------------------

@action_required(Action.LEDGERS_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    actor = actor_of(request)
    visible = restrict(RegisterEntry.objects.all(), actor, Action.LEDGERS_VIEW)
    readable = [
        {"key": k, "ja": r.ja, "article": r.article, "count": len(selectors.register_entries(k, queryset=visible)),
         "external": external_url(k)}
        for k, r in profile.registers.items() if _may(actor, Action.LEDGERS_VIEW, Ledger(REGISTER, k))
    ]
    return render(request, "ledgers/index.html", {
        "form_title": form_title(profile), "registers": readable,
        "may_hsr": _may(actor, Action.LEDGERS_VIEW, Ledger(HANDLING)),
        "file_register_title": profile.file_register.ja if profile.file_register else _("特定個人情報ファイル管理台帳"),
    })


# --- handling-status records ----------------------------------------------------------------------------

def _hsr_context(request: HttpRequest, profile, *, screen_rows: int | None = None,
                 action: Action = Action.LEDGERS_VIEW) -> dict:
    actor = actor_of(request)
    require(actor, action, Ledger(HANDLING), details=_path(request))
    visible = restrict(HandlingRecord.objects.all(), actor, action)
    start = profile.retention.business_year_start_month
    years = selectors.available_years(profile, visible)
    data = request.GET.copy()
    if "nendo" not in data:
        data["nendo"] = str(jdates.fiscal_year(timezone.localdate(), start))
    form = HandlingFilterForm(data, profile=profile, years=years)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {"nendo": None, "category": "", "file": None, "unit": None}
    chosen = filters.get("category") or None
    detail = request.GET.get("detail") == "1"  # every routine search and view on its own row
    query: dict[str, Any] = {"file_id": filters.get("file"), "nendo": filters.get("nendo"),
                             "unit_id": filters.get("unit"), "queryset": visible}
    if screen_rows is None:
        records = list(selectors.handling_records(profile, category=chosen, **query))
        tables = selectors.form_tables(profile, records, category=chosen, detail=detail)
        count = len(records)
    else:
        # On screen: the newest rows of each category only (the print page and Excel carry them all).
        tables, count = [], 0
        for key in selectors.categories(profile):
            if chosen and key != chosen:
                continue
            qs = selectors.handling_records(profile, category=key, **query)
            total = qs.count()
            newest = list(qs.order_by("-occurred_at", "-id")[:screen_rows])[::-1]
            [table] = selectors.form_tables(profile, newest, category=key, detail=detail)
            table["hidden"] = total - len(newest)
            tables.append(table)
            count += total
    period = jdates.fiscal_year_label(filters["nendo"], start) if filters.get("nendo") else _("全期間")
    file_name = files.file_names().get(filters.get("file") or 0, "")
    return {
        "form": form, "tables": tables, "title": form_title(profile), "period": period, "file_name": file_name,
        "article": profile.handling_status.article if profile.handling_status else "",
        "query": request.GET.urlencode(), "count": count, "detail": detail,
        "summarises": bool(profile.handling_status and profile.handling_status.summarise_routine),
        "seal": bool(profile.handling_status and profile.handling_status.seal),
        "detail_query": _with(request, detail="1"), "summary_query": _with(request, detail=None),
        "may_record": _may(actor, Action.LEDGERS_MANUAL_ENTRY, Ledger(HANDLING)),
        "log_url": _log_url(actor),
    }


def _with(request: HttpRequest, **changes: str | None) -> str:
    """The page's query with ``changes`` (None removes a key)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return query.urlencode()


def _log_url(actor: Actor) -> str | None:
    """R-HSR-5: system usage (sign-ins, access log) is in the operation log; link to it for those who may read it."""
    if not _may(actor, Action.LOG_SEARCH, None):
        return None
    try:
        return reverse("auditlog:search")
    except NoReverseMatch:
        return None


SCREEN_ROWS = 300  # per category on screen; the print page and the Excel export carry every row


@action_required(Action.LEDGERS_VIEW)
def handling_list(request: HttpRequest) -> HttpResponse:
    return render(request, "ledgers/handling_list.html",
                  _hsr_context(request, get_profile(), screen_rows=SCREEN_ROWS))


@action_required(Action.LEDGERS_VIEW)
def handling_print(request: HttpRequest) -> HttpResponse:
    context = _hsr_context(request, get_profile())
    context["org"] = get_profile().organisation
    return render(request, "ledgers/handling_print.html", context)


@action_required(Action.LEDGERS_EXPORT)
def handling_export(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    ctx = _hsr_context(request, profile, action=Action.LEDGERS_EXPORT)
    sheets = [(t["ja"], ["No.", *t["columns"]], [[r["no"], *r["values"]] for r in t["rows"]])
              for t in ctx["tables"]]
    subtitle = _org_line(profile, ctx["period"] + (f"　{ctx['file_name']}" if ctx["file_name"] else ""))
    return _logged_export(actor_of(request), ledger=HANDLING, rows=ctx["count"],
                          data=excel.workbook(ctx["title"], subtitle, sheets), filename="handling-status.xlsx")


@action_required(Action.LEDGERS_MANUAL_ENTRY)
def handling_new(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    actor = actor_of(request)
    require(actor, Action.LEDGERS_MANUAL_ENTRY, Ledger(HANDLING), details=_path(request))
    form = ManualRecordForm(request.POST or None, profile=profile, initial={"occurred_on": jdates.to_wareki(
        timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = services.add_manual_record(
                actor=actor, stage=d["stage"],
                occurred_on=d["occurred_on"], purpose=d["purpose"], file_id=d["file"], count=d["count"],
                recipient=d["recipient"], place=d["place"], method=d["method"], checker=d["checker"], item=d["item"],
                certificate=d["certificate"], note=d["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("No.%(no)s を記録しました。") % {"no": row.pk})
            return redirect("ledgers:handling")
    return render(request, "ledgers/handling_form.html", {"form": form, "title": form_title(profile),
                                                          "heading": _("紙の手続の記録")})


@action_required(Action.LEDGERS_MANUAL_ENTRY)
def handling_correct(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_profile()
    actor = actor_of(request)
    require(actor, Action.LEDGERS_MANUAL_ENTRY, Ledger(HANDLING), details=_path(request))
    original = get_or_refuse(actor, Action.LEDGERS_MANUAL_ENTRY, HandlingRecord.objects.all(), pk=pk)
    initial = {
        "stage": original.stage, "occurred_on": jdates.to_wareki(timezone.localtime(original.occurred_at).date()),
        "purpose": original.purpose, "file": original.file_id, "count": original.count,
        "recipient": original.recipient, "place": original.place, "method": original.method,
        "checker": original.checker, "item": original.item, "certificate": original.certificate,
    }
    form = CorrectionForm(request.POST or None, profile=profile, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = services.correct_record(
                actor=actor, original=original,
                reason=d["note"], stage=d["stage"], occurred_on=d["occurred_on"], purpose=d["purpose"],
                file_id=d["file"], count=d["count"], recipient=d["recipient"], place=d["place"],
                method=d["method"], checker=d["checker"], item=d["item"], certificate=d["certificate"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("No.%(old)s の訂正を No.%(no)s として記録しました。")
                             % {"old": original.pk, "no": row.pk})
            return redirect("ledgers:handling")
    return render(request, "ledgers/handling_form.html", {
        "form": form, "title": form_title(profile), "original": original,
        "heading": _("No.%(no)s の訂正") % {"no": original.pk},
    })


# --- 特定個人情報ファイル管理台帳 -----------------------------------------------------------------------

def _file_register_context(request: HttpRequest, profile, action: Action = Action.LEDGERS_VIEW) -> dict:
    actor = actor_of(request)
    require(actor, action, Ledger(FILES), details=_path(request))
    rows = selectors.file_register(profile, _visible_files(actor, action))
    return {
        "rows": rows, "table": layouts.file_register_table(profile, rows),
        "title": profile.file_register.ja if profile.file_register else _("特定個人情報ファイル管理台帳"),
        "article": profile.file_register.article if profile.file_register else "",
        "flagged": sum(1 for r in rows if r["flags"]),
    }


@action_required(Action.LEDGERS_VIEW)
def file_register(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    context = _file_register_context(request, profile)
    for row in context["rows"]:
        row["may_sign"] = _may(actor_of(request), Action.LEDGERS_FILE_SIGN_OFF, row["file"])
    context["sign_form"] = SignOffForm()
    context["may_view_disposals"] = decide(actor_of(request), Action.DISPOSAL_VIEW).allowed
    return render(request, "ledgers/file_register.html", context)


@action_required(Action.LEDGERS_VIEW)
def file_register_print(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    context = _file_register_context(request, profile)
    context["org"] = profile.organisation
    context["today"] = timezone.localdate()
    return render(request, "ledgers/file_register_print.html", context)


@action_required(Action.LEDGERS_EXPORT)
def file_register_export(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    context = _file_register_context(request, profile, Action.LEDGERS_EXPORT)
    table = context["table"]
    data = excel.workbook(context["title"], _org_line(profile, jdates.to_wareki(timezone.localdate()) + "現在"),
                          [(context["title"], table["columns"], table["rows"])])
    return _logged_export(actor_of(request), ledger=FILES, rows=len(table["rows"]), data=data,
                          filename="file-register.xlsx")


@require_POST
@action_required(Action.LEDGERS_FILE_SIGN_OFF)
def file_sign_off(request: HttpRequest, file_id: int) -> HttpResponse:
    form = SignOffForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.sign_off_file(actor=actor_of(request), file_id=file_id, note=note)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("台帳の記載とアクセス権を有する者を確認しました。"))
    return redirect("ledgers:file_register")


# --- simple record books (R-REG-0) ------------------------------------------------------------------------

def _register_context(request: HttpRequest, profile, key: str, *, history: bool = False,
                      action: Action = Action.LEDGERS_VIEW) -> dict:
    actor = actor_of(request)
    require(actor, action, Ledger(REGISTER, key), details=_path(request))  # an unknown key: not found
    definition = profile.registers[key]
    visible = restrict(RegisterEntry.objects.all(), actor, action)
    entries = selectors.register_entries(key, include_history=history, queryset=visible)
    return {"key": key, "register": definition, "entries": entries,
            "table": layouts.register_table(profile, key, entries), "history": history}


@action_required(Action.LEDGERS_VIEW)
def register_list(request: HttpRequest, key: str) -> HttpResponse:
    profile = get_profile()
    context = _register_context(request, profile, key, history=request.GET.get("history") == "1")
    context["external"] = external_url(key)
    context["may_write"] = _may(actor_of(request), Action.LEDGERS_MANUAL_ENTRY, Ledger(REGISTER, key)) \
        and not context["external"]
    context["rows"] = list(zip(context["entries"], context["table"]["rows"], strict=True))
    return render(request, "ledgers/register_list.html", context)


@action_required(Action.LEDGERS_VIEW)
def register_print(request: HttpRequest, key: str) -> HttpResponse:
    profile = get_profile()
    context = _register_context(request, profile, key)
    context["org"] = profile.organisation
    context["today"] = timezone.localdate()
    return render(request, "ledgers/register_print.html", context)


@action_required(Action.LEDGERS_EXPORT)
def register_export(request: HttpRequest, key: str) -> HttpResponse:
    profile = get_profile()
    context = _register_context(request, profile, key, history=request.GET.get("history") == "1",
                                action=Action.LEDGERS_EXPORT)
    table = context["table"]
    data = excel.workbook(context["register"].ja, _org_line(profile, jdates.to_wareki(timezone.localdate()) + "現在"),
                          [(context["register"].ja, table["columns"], table["rows"])])
    return _logged_export(actor_of(request), ledger=f"{REGISTER}:{key}", rows=len(table["rows"]), data=data,
                          filename=f"register-{key}.xlsx")


@action_required(Action.LEDGERS_MANUAL_ENTRY)
def register_edit(request: HttpRequest, key: str, pk: int | None = None) -> HttpResponse:
    profile = get_profile()
    actor = actor_of(request)
    require(actor, Action.LEDGERS_MANUAL_ENTRY, Ledger(REGISTER, key), details=_path(request))
    definition = profile.registers[key]
    original = get_or_refuse(actor, Action.LEDGERS_MANUAL_ENTRY, RegisterEntry.objects.filter(register=key),
                             pk=pk) if pk else None
    fields = definition.current_fields()
    initial = {f"f{i}": typed.stored(f, original.values) or "" for i, f in enumerate(fields)} if original else {}
    form = RegisterEntryForm(request.POST or None, fields=fields, correction=original is not None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.add_register_entry(
                actor=actor, register=key,
                values=form.values(), supersedes=original, reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("No.%(no)s（第%(v)s版）を記録しました。") % {"no": entry.entry_no, "v": entry.version})
            return redirect("ledgers:register", key=key)
    return render(request, "ledgers/register_form.html", {"form": form, "register": definition, "key": key,
                                                          "original": original})
