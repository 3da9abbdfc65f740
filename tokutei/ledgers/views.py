"""Ledger pages: handling-status records (別紙1 / 003 §7), the file register (別紙2), record books."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.services import refuse
from tokutei.core import jdates
from tokutei.core.errors import Refused
from tokutei.profiles.selectors import get_profile

from . import access, excel, files, layouts, selectors, services
from .external import external_url
from .forms import CorrectionForm, HandlingFilterForm, ManualRecordForm, RegisterEntryForm, SignOffForm
from .models import HandlingRecord, RegisterEntry
from .stages import form_title

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return render(request, "ledgers/refused.html", {"refusal": exc}, status=403)


def requires(roles_of: Callable) -> Callable:
    """Sign-in, then one of the roles ``roles_of(profile, **kwargs)`` names; a refusal is logged."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            profile = get_profile()
            try:
                roles = roles_of(profile, **kwargs)
            except KeyError:
                raise Http404 from None
            if not access.may(request.user, roles):
                return _refused(request, refuse(
                    _("この台帳を閲覧・記入する役割がありません"), action="ledgers.view",
                    article="R-HSR-6", actor=request.user, terminal=getattr(request, "terminal", None),
                    details={"path": request.path[:200]},
                ))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"{filename}\""
    return response


def _org_line(profile, extra: str = "") -> str:
    return f"{profile.organisation.name}　{extra}".strip()


# --- index ----------------------------------------------------------------------------------------------

@requires(lambda p: access.viewer_roles(p) | {r for k in p.registers for r in access.register_reader_roles(p, k)})
def index(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    readable = [
        {"key": k, "ja": r.ja, "article": r.article, "count": len(selectors.register_entries(k)),
         "external": external_url(k)}
        for k, r in profile.registers.items() if access.may(request.user, access.register_reader_roles(profile, k))
    ]
    return render(request, "ledgers/index.html", {
        "form_title": form_title(profile), "registers": readable,
        "may_hsr": access.may(request.user, access.viewer_roles(profile)),
        "file_register_title": profile.file_register.ja if profile.file_register else _("特定個人情報ファイル管理台帳"),
    })


# --- handling-status records ----------------------------------------------------------------------------

def _hsr_context(request: HttpRequest, profile, *, screen_rows: int | None = None) -> dict:
    services.sync_from_log()
    start = profile.retention.business_year_start_month
    years = selectors.available_years(profile)
    data = request.GET.copy()
    if "nendo" not in data:
        data["nendo"] = str(jdates.fiscal_year(timezone.localdate(), start))
    form = HandlingFilterForm(data, profile=profile, years=years)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {"nendo": None, "category": "", "file": None, "unit": None}
    chosen = filters.get("category") or None
    query = {"file_id": filters.get("file"), "nendo": filters.get("nendo"), "unit_id": filters.get("unit")}
    if screen_rows is None:
        records = list(selectors.handling_records(profile, category=chosen, **query))
        tables = selectors.form_tables(profile, records, category=chosen)
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
            [table] = selectors.form_tables(profile, newest, category=key)
            table["hidden"] = total - len(newest)
            tables.append(table)
            count += total
    period = jdates.fiscal_year_label(filters["nendo"], start) if filters.get("nendo") else _("全期間")
    file_name = files.file_names().get(filters.get("file") or 0, "")
    return {
        "form": form, "tables": tables, "title": form_title(profile), "period": period, "file_name": file_name,
        "article": profile.handling_status.article if profile.handling_status else "",
        "query": request.GET.urlencode(), "count": count,
        "may_record": access.may_record(request.user, profile),
        "log_url": _log_url(request, profile),
    }


def _log_url(request: HttpRequest, profile) -> str | None:
    """R-HSR-5: system usage (sign-ins, access log) is in the operation log; link to it for those who may read it."""
    if not access.may(request.user, profile.auditor_roles() | access.manager_roles(profile) | profile.admin_roles()):
        return None
    try:
        return reverse("auditlog:search")
    except NoReverseMatch:
        return None


SCREEN_ROWS = 300  # per category on screen; the print page and the Excel export carry every row


@requires(lambda p: access.viewer_roles(p))
def handling_list(request: HttpRequest) -> HttpResponse:
    return render(request, "ledgers/handling_list.html",
                  _hsr_context(request, get_profile(), screen_rows=SCREEN_ROWS))


@requires(lambda p: access.viewer_roles(p))
def handling_print(request: HttpRequest) -> HttpResponse:
    context = _hsr_context(request, get_profile())
    context["org"] = get_profile().organisation
    return render(request, "ledgers/handling_print.html", context)


@requires(lambda p: access.viewer_roles(p))
def handling_export(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    ctx = _hsr_context(request, profile)
    sheets = [(t["ja"], ["No.", *t["columns"]], [[str(r["no"]), *r["cells"]] for r in t["rows"]])
              for t in ctx["tables"]]
    subtitle = _org_line(profile, ctx["period"] + (f"　{ctx['file_name']}" if ctx["file_name"] else ""))
    return _attachment(excel.workbook(ctx["title"], subtitle, sheets), "handling-status.xlsx")


@requires(lambda p: access.recorder_roles(p))
def handling_new(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    form = ManualRecordForm(request.POST or None, profile=profile, initial={"occurred_on": jdates.to_wareki(
        timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = services.add_manual_record(
                actor=request.user, terminal=getattr(request, "terminal", None), stage=d["stage"],
                occurred_on=d["occurred_on"], purpose=d["purpose"], file_id=d["file"], count=d["count"],
                recipient=d["recipient"], place=d["place"], method=d["method"], checker=d["checker"], item=d["item"],
                certificate=d["certificate"], note=d["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except Refused as exc:
            return _refused(request, exc)
        else:
            messages.success(request, _("No.%(no)s を記録しました。") % {"no": row.pk})
            return redirect("ledgers:handling")
    return render(request, "ledgers/handling_form.html", {"form": form, "title": form_title(profile),
                                                          "heading": _("紙の手続の記録")})


@requires(lambda p, pk: access.recorder_roles(p))
def handling_correct(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_profile()
    original = get_object_or_404(HandlingRecord, pk=pk)
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
                actor=request.user, terminal=getattr(request, "terminal", None), original=original,
                reason=d["note"], stage=d["stage"], occurred_on=d["occurred_on"], purpose=d["purpose"],
                file_id=d["file"], count=d["count"], recipient=d["recipient"], place=d["place"],
                method=d["method"], checker=d["checker"], item=d["item"], certificate=d["certificate"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except Refused as exc:
            return _refused(request, exc)
        else:
            messages.success(request, _("No.%(old)s の訂正を No.%(no)s として記録しました。")
                             % {"old": original.pk, "no": row.pk})
            return redirect("ledgers:handling")
    return render(request, "ledgers/handling_form.html", {
        "form": form, "title": form_title(profile), "original": original,
        "heading": _("No.%(no)s の訂正") % {"no": original.pk},
    })


# --- 特定個人情報ファイル管理台帳 -----------------------------------------------------------------------

def _file_register_readers(profile) -> set[str]:
    return access.viewer_roles(profile) | access.file_register_signer_roles(profile)


def _file_register_context(profile) -> dict:
    services.sync_from_log()
    rows = selectors.file_register(profile)
    return {
        "rows": rows, "table": layouts.file_register_table(profile, rows),
        "title": profile.file_register.ja if profile.file_register else _("特定個人情報ファイル管理台帳"),
        "article": profile.file_register.article if profile.file_register else "004 §10",
        "flagged": sum(1 for r in rows if r["flags"]),
    }


@requires(_file_register_readers)
def file_register(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    context = _file_register_context(profile)
    context["may_sign"] = access.may(request.user, access.file_register_signer_roles(profile))
    context["sign_form"] = SignOffForm()
    return render(request, "ledgers/file_register.html", context)


@requires(_file_register_readers)
def file_register_print(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    context = _file_register_context(profile)
    context["org"] = profile.organisation
    context["today"] = timezone.localdate()
    return render(request, "ledgers/file_register_print.html", context)


@requires(_file_register_readers)
def file_register_export(request: HttpRequest) -> HttpResponse:
    profile = get_profile()
    context = _file_register_context(profile)
    table = context["table"]
    data = excel.workbook(context["title"], _org_line(profile, jdates.to_wareki(timezone.localdate()) + "現在"),
                          [(context["title"], table["columns"], table["rows"])])
    return _attachment(data, "file-register.xlsx")


@require_POST
@login_required
def file_sign_off(request: HttpRequest, file_id: int) -> HttpResponse:
    form = SignOffForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.sign_off_file(actor=request.user, terminal=getattr(request, "terminal", None), file_id=file_id,
                               note=note)
    except Refused as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("台帳の記載とアクセス権を有する者を確認しました。"))
    return redirect("ledgers:file_register")


# --- simple record books (R-REG-0) ------------------------------------------------------------------------

def _register_context(profile, key: str, *, history: bool = False) -> dict:
    definition = profile.registers[key]
    entries = selectors.register_entries(key, include_history=history)
    return {"key": key, "register": definition, "entries": entries,
            "table": layouts.register_table(profile, key, entries), "history": history}


@requires(lambda p, key: access.register_reader_roles(p, key))
def register_list(request: HttpRequest, key: str) -> HttpResponse:
    profile = get_profile()
    context = _register_context(profile, key, history=request.GET.get("history") == "1")
    context["external"] = external_url(key)
    context["may_write"] = access.may(request.user, access.register_writer_roles(profile, key)) and not context["external"]
    context["rows"] = list(zip(context["entries"], context["table"]["rows"], strict=True))
    return render(request, "ledgers/register_list.html", context)


@requires(lambda p, key: access.register_reader_roles(p, key))
def register_print(request: HttpRequest, key: str) -> HttpResponse:
    profile = get_profile()
    context = _register_context(profile, key)
    context["org"] = profile.organisation
    context["today"] = timezone.localdate()
    return render(request, "ledgers/register_print.html", context)


@requires(lambda p, key: access.register_reader_roles(p, key))
def register_export(request: HttpRequest, key: str) -> HttpResponse:
    profile = get_profile()
    context = _register_context(profile, key, history=request.GET.get("history") == "1")
    table = context["table"]
    data = excel.workbook(context["register"].ja, _org_line(profile, jdates.to_wareki(timezone.localdate()) + "現在"),
                          [(context["register"].ja, table["columns"], table["rows"])])
    return _attachment(data, f"register-{key}.xlsx")


@requires(lambda p, key, pk=None: access.register_writer_roles(p, key))
def register_edit(request: HttpRequest, key: str, pk: int | None = None) -> HttpResponse:
    profile = get_profile()
    definition = profile.registers[key]
    original = get_object_or_404(RegisterEntry, pk=pk, register=key) if pk else None
    initial = {f"f{i}": original.values.get(label, "") for i, label in enumerate(definition.fields)} if original else {}
    form = RegisterEntryForm(request.POST or None, labels=list(definition.fields), correction=original is not None,
                             initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.add_register_entry(
                actor=request.user, terminal=getattr(request, "terminal", None), register=key,
                values=form.values(), supersedes=original, reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except Refused as exc:
            return _refused(request, exc)
        else:
            messages.success(request, _("No.%(no)s（第%(v)s版）を記録しました。") % {"no": entry.entry_no, "v": entry.version})
            return redirect("ledgers:register", key=key)
    return render(request, "ledgers/register_form.html", {"form": form, "register": definition, "key": key,
                                                          "original": original})
