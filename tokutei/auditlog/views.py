"""Log pages (/log/): search, one entry, analysis reports, review sign-off, integrity status. Read-only.

Who may read what is decided by the policy (rules.py): ``@action_required`` for the page, the entries
narrowed by the same rule in SQL (``restrict`` / ``rules.entry_filter``); an entry out of reach is not
found, exactly like a missing one. A handling clerk has no log page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.policy import decide, get_or_refuse, require, restrict
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile

from . import charts, details, exports, reports, rules, selectors, signing, targets
from .actions import Action
from .forms import PeriodForm, ReviewForm, SearchForm
from .models import Checkpoint, Entry, LogReview
from .services import record, sign_off_review
from .status import last_status
from .verify import verify_database

AROUND = 5  # entries shown before and after the one opened

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request: HttpRequest, action: Action) -> Q:
    """The entries the request's actor may ``action``, as a filter (the rule's own scope)."""
    actor = actor_of(request)
    condition = rules.entry_filter(actor, decide(actor, action), get_profile())
    return condition if condition is not None else Q(pk__in=[])


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@action_required(Action.LOG_SEARCH)
def search(request: HttpRequest) -> HttpResponse:
    """操作履歴の検索 (002 §22, 003 §16(5))."""
    actor = actor_of(request)
    scope = _scope(request, Action.LOG_SEARCH)
    form = SearchForm(request.GET or None, staff=rules.staff_in_reach(
        actor, decide(actor, Action.LOG_SEARCH), get_profile()))
    entries = page = chart = None
    if form.is_bound and form.is_valid():
        filters = form.filters()
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx"):
            require(actor, Action.LOG_EXPORT, details={"path": request.path[:200]})
            visible = restrict(Entry.objects.all(), actor, Action.LOG_EXPORT)
            rows = list(selectors.search(filters, queryset=visible).order_by("-seq")[: exports.MAX_ROWS])
            record(action=Action.LOG_EXPORT, **actor.log_fields(), count=len(rows),
                   target_type="log", details={"format": fmt, "filters": filters.used()})
            stamp = timezone.localtime().strftime("%Y%m%d%H%M")
            if fmt == "csv":
                return _attachment(exports.entries_csv(rows), f"oplog-{stamp}.csv", "text/csv; charset=utf-8")
            return _attachment(exports.entries_xlsx(rows), f"oplog-{stamp}.xlsx", XLSX)
        qs = selectors.search(filters, queryset=restrict(Entry.objects.all(), actor, Action.LOG_SEARCH))
        qs = qs.order_by("-seq")
        record(action=Action.LOG_SEARCH, **actor.log_fields(), target_type="log",
               details={"filters": filters.used()})
        page = Paginator(qs, 100).get_page(request.GET.get("page"))
        entries = targets.name_targets(page.object_list)
        day_to = filters.date_to or timezone.localdate()
        day_from = filters.date_from or day_to - dt.timedelta(days=29)
        if (day_to - day_from).days <= 366:
            chart = charts.daily_bars(selectors.daily_counts(qs, day_from=day_from, day_to=day_to))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "auditlog/search.html", {
        "form": form, "entries": entries, "page": page, "chart": chart, "query": query.urlencode(),
        "whole_log": not scope.children,
    })


@action_required(Action.LOG_VIEW)
def entry(request: HttpRequest, seq: int) -> HttpResponse:
    """One entry of the log, in full: out of the reader's reach it is not found (and the attempt logged)."""
    actor = actor_of(request)
    found = get_or_refuse(actor, Action.LOG_VIEW, Entry.objects.all(), seq=seq)
    # The entries around it, within the reader's reach: what happened just before and after.
    reach = restrict(Entry.objects.all(), actor, Action.LOG_VIEW)
    before = list(reach.filter(seq__lt=found.seq).order_by("-seq")[:AROUND])[::-1]
    after = list(reach.filter(seq__gt=found.seq).order_by("seq")[:AROUND])
    around = targets.name_targets([*before, found, *after])
    known, other = details.readable(found.details)
    record(action=Action.LOG_VIEW, **actor.log_fields(), target_type="log_entry", target_id=found.seq)
    return render(request, "auditlog/entry.html", {"e": found, "around": around, "details": known,
                                                   "other_details": other})


@action_required(Action.LOG_ANALYSE)
def analysis(request: HttpRequest) -> HttpResponse:
    """操作履歴の分析 (R-LOG-5): time outside hours, volume, refusals, sign-in failures, reveals, terminals."""
    actor = actor_of(request)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        require(actor, Action.LOG_EXPORT, details={"path": request.path[:200]})
    scope = _scope(request, Action.LOG_EXPORT if fmt in ("csv", "xlsx") else Action.LOG_ANALYSE)
    form = PeriodForm(request.GET or None)
    day_from, day_to = form.period()
    results = reports.run_all(scope, day_from, day_to)
    record(action=Action.LOG_ANALYSE, **actor.log_fields(), target_type="log",
           count=sum(len(r.findings) for r in results),
           details={"from": day_from.isoformat(), "to": day_to.isoformat(), "format": fmt or "html"})
    if fmt == "csv":
        return _attachment(exports.reports_csv(results), f"oplog-analysis-{day_from:%Y%m%d}-{day_to:%Y%m%d}.csv",
                           "text/csv; charset=utf-8")
    if fmt == "xlsx":
        return _attachment(exports.reports_xlsx(results),
                           f"oplog-analysis-{day_from:%Y%m%d}-{day_to:%Y%m%d}.xlsx", XLSX)
    days = selectors.daily_counts(selectors.search(selectors.Filters(), queryset=Entry.objects.filter(scope)),
                                  day_from=day_from, day_to=day_to)
    return render(request, "auditlog/analysis.html", {
        "form": form, "reports": results, "day_from": day_from, "day_to": day_to,
        "chart": charts.daily_bars(days), "total": reports.total_records(scope, day_from, day_to),
        "query": f"date_from={day_from.isoformat()}&date_to={day_to.isoformat()}",
    })


@action_required(Action.LOG_SEARCH)
def reviews(request: HttpRequest) -> HttpResponse:
    """操作履歴の点検と承認 (R-LOG-4): the reviewer signs off a period with findings."""
    actor = actor_of(request)
    may_sign = decide(actor, Action.LOG_REVIEW).allowed
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        require(actor, Action.LOG_REVIEW, details={"path": request.path[:200]})
        if form.is_valid():
            data = form.cleaned_data
            sign_off_review(reviewer=actor.user, terminal=actor.terminal, period_from=data["period_from"],
                            period_to=data["period_to"], findings=data["findings"],
                            issues_found=data["issues_found"])
            messages.success(request, _("点検結果を記録しました。"))
            return redirect("auditlog:reviews")
    return render(request, "auditlog/reviews.html", {
        "form": form, "may_sign": may_sign,
        "reviews": LogReview.objects.select_related("reviewer")[:100],
    })


@action_required(Action.LOG_VERIFY)
def integrity(request: HttpRequest) -> HttpResponse:
    """Chain status, signed checkpoints, the public key; verify on demand."""
    report = None
    if request.method == "POST":
        report = verify_database(make_checkpoint=True)
        record(action=Action.LOG_VERIFY, **actor_of(request).log_fields(), target_type="log",
               result="ok" if report.ok else "failed",
               details={"last_seq": report.last_seq,
                        "first_bad_seq": report.first_problem.seq if report.first_problem else None})
    fingerprint = signing.fingerprint(signing.public_key()) if signing.has_key() else ""
    return render(request, "auditlog/integrity.html", {
        "status": last_status(), "report": report, "fingerprint": fingerprint,
        "checkpoints": Checkpoint.objects.order_by("-seq", "-id")[:20],
    })


@action_required(Action.LOG_VERIFY)
def checkpoint_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A page to print and keep on paper: the checkpoint and the key fingerprint (outside the database)."""
    cp = get_object_or_404(Checkpoint, pk=pk)
    fingerprint = signing.fingerprint(signing.public_key()) if signing.has_key() else ""
    return render(request, "auditlog/checkpoint_print.html", {
        "cp": cp, "fingerprint": fingerprint, "org": get_profile().organisation, "printed_at": timezone.now(),
        "fingerprint_ok": fingerprint == cp.key_fingerprint,
    })


@action_required(Action.LOG_VERIFY)
def public_key(request: HttpRequest) -> HttpResponse:
    if not signing.has_key():
        return HttpResponse(_("署名鍵がありません"), status=404, content_type="text/plain; charset=utf-8")
    return _attachment(signing.public_pem(signing.public_key()), "tokutei-audit-ed25519.pub.pem",
                       "application/x-pem-file")
