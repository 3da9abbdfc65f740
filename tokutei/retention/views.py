"""HTML pages of retention and disposal: the worklist (screen, A4 print, Excel), the payment calendar, legal
holds, the disposal lists and their certificates.

Views translate HTTP to service calls only: access is decided by ``tokutei.policy`` (``@action_required``);
a refusal raised below is shown as the one refusal page (RefusalMiddleware). No write on GET.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core.errors import NOT_FOUND_MESSAGE, NotFoundOrForbidden, Refused
from tokutei.core.jdates import parse_date, to_wareki
from tokutei.policy import Decision, get_or_refuse, refusal
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.citations import cite
from tokutei.profiles.selectors import get_profile

from . import schedule, selectors, services
from .forms import CertificateForm, EventForm, ExecuteForm, HoldForm, PaymentForm
from .models import DisposalList, LegalHold, PaymentDate
from .schedule import status_label
from .services.disposal import EXECUTABLE, methods_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_FILTERS = {"due": {"due", "overdue"}, "overdue": {"overdue"}, "held": {"held"},
                  "all": None}


def _on(request: HttpRequest) -> dt.date:
    text = request.GET.get("on", "").strip()
    if not text:
        return schedule.today()
    try:
        return parse_date(text)
    except ValueError:
        return schedule.today()


def _worklist_context(request: HttpRequest) -> dict:
    profile = get_profile()
    on = _on(request)
    show = request.GET.get("show", "due")
    items = selectors.worklist(profile, on, statuses=STATUS_FILTERS.get(show, STATUS_FILTERS["due"]))
    everything = selectors.worklist(profile, on, statuses={"due", "overdue", "held"})
    rows = [{"item": i, "status": status_label(i.status), "article": cite(i.schedule.rule.article),
             "executable": i.record_class in EXECUTABLE} for i in items]
    return {"profile": profile, "org": profile.organisation, "on": on, "show": show, "rows": rows,
            "counts": selectors.summary(everything), "title": _("廃棄予定一覧（保存期間の満了）")}


@action_required(Action.RETENTION_VIEW)
def worklist(request: HttpRequest) -> HttpResponse:
    return render(request, "retention/worklist.html", _worklist_context(request))


@action_required(Action.RETENTION_VIEW)
def worklist_print(request: HttpRequest) -> HttpResponse:
    return render(request, "retention/worklist_print.html", _worklist_context(request))


@action_required(Action.RETENTION_EXPORT)
def worklist_export(request: HttpRequest) -> HttpResponse:
    from tokutei.ledgers import excel

    ctx = _worklist_context(request)
    head = [_("状態"), _("区分"), _("記録"), _("件数"), _("所管"), _("起算日"), _("廃棄可能日"), _("期限"),
            _("規則"), _("根拠")]
    body = [[r["status"], r["item"].class_label, r["item"].label, str(r["item"].count), r["item"].unit_name,
             to_wareki(r["item"].schedule.event) if r["item"].schedule.event else "",
             to_wareki(r["item"].schedule.due) if r["item"].schedule.due else _("未定"),
             to_wareki(r["item"].schedule.overdue_after) if r["item"].schedule.overdue_after else "",
             r["item"].schedule.rule.ja, r["article"]] for r in ctx["rows"]]
    data = excel.workbook(ctx["title"], f"{ctx['org'].name}　{to_wareki(ctx['on'])}{_('現在')}",
                          [(_("廃棄予定"), head, body)])
    record(action=Action.RETENTION_EXPORT, **actor_of(request).log_fields(), target_type="retention_worklist",
           count=len(body), details={"format": "xlsx", "on": ctx["on"].isoformat()})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="retention-worklist.xlsx"'
    return response


@action_required(Action.RETENTION_VIEW)
def explain(request: HttpRequest, record_class: str, record_id: str) -> HttpResponse:
    """How the date of one record was counted; and (POST) its start date or 「不要と判断した日」 recorded."""
    item = selectors.find_item(get_profile(), record_class, record_id, _on(request))
    if item is None:  # a record missing or out of reach: the policy's logged not-found
        raise refusal(actor_of(request), Action.RETENTION_VIEW,
                      Decision(False, reason=NOT_FOUND_MESSAGE, code="not_found"),
                      target=(record_class[:40], record_id[:64]))
    form = EventForm(request.POST or None, rule=item.schedule.rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_event(actor=actor_of(request), record_class=record_class, record_id=record_id,
                                  **form.cleaned_data)
            messages.success(request, _("記録しました"))
            return redirect("retention:explain", record_class=record_class, record_id=record_id)
        except services.InvalidInput as exc:
            form.add_error("date", str(exc))
    return render(request, "retention/explain.html", {"item": item, "article": cite(item.schedule.rule.article),
                                                      "status": status_label(item.status), "form": form})


# --- the payment calendar (000 §11.1) ------------------------------------------------------------------

@action_required(Action.RETENTION_VIEW)
def payments(request: HttpRequest) -> HttpResponse:
    form = PaymentForm(request.POST or None)
    if request.method == "POST":
        actor = actor_of(request)
        if "remove" in request.POST:
            try:
                services.remove_payment_date(actor=actor, date=parse_date(request.POST["remove"]))
            except (ValueError, services.InvalidInput) as exc:
                messages.error(request, str(exc))
            return redirect("retention:payments")
        if form.is_valid():
            try:
                services.add_payment_date(actor=actor, **form.cleaned_data)
                messages.success(request, _("給付日を登録しました"))
                return redirect("retention:payments")
            except services.InvalidInput as exc:
                form.add_error("date", str(exc))
    return render(request, "retention/payments.html", {"dates": PaymentDate.objects.all(), "form": form})


# --- legal holds ---------------------------------------------------------------------------------------

@action_required(Action.RETENTION_VIEW)
def holds(request: HttpRequest) -> HttpResponse:
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_hold(actor=actor_of(request), **form.cleaned_data)
            messages.success(request, _("法的保存を設定しました。解除されるまで廃棄できません"))
            return redirect("retention:holds")
        except services.InvalidInput as exc:
            form.add_error(None, str(exc))
    return render(request, "retention/holds.html", {"holds": LegalHold.objects.select_related("placed_by")[:200],
                                                    "form": form})


@require_POST
@action_required(Action.RETENTION_HOLD_RELEASE)
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.release_hold(actor=actor_of(request), hold_id=pk, reason=request.POST.get("reason", ""))
        messages.success(request, _("法的保存を解除しました"))
    except services.InvalidInput as exc:
        messages.error(request, str(exc))
    return redirect("retention:holds")


# --- disposal lists ------------------------------------------------------------------------------------

@action_required(Action.DISPOSAL_VIEW)
def disposals(request: HttpRequest) -> HttpResponse:
    return render(request, "retention/disposals.html",
                  {"lists": DisposalList.objects.select_related("drafted_by", "checked_by", "confirmed_by")[:200]})


@require_POST
@action_required(Action.DISPOSAL_DRAFT)
def draft(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    refs = [tuple(v.split(":", 1)) for v in request.POST.getlist("ref") if ":" in v]
    file_id = request.POST.get("file")
    try:
        if refs:
            disposal = services.draft_list(actor=actor, refs=[(c, r) for c, r in refs],
                                           title=request.POST.get("title", ""))
        else:
            disposal = services.draft_from_worklist(actor=actor, title=request.POST.get("title", ""),
                                                    record_class=request.POST.get("record_class") or None,
                                                    file_id=int(file_id) if file_id and file_id.isdigit() else None)
    except NotFoundOrForbidden:
        raise
    except Refused as exc:
        messages.error(request, exc.display())  # e.g. nothing due, or a record not yet due; logged
        return redirect("retention:worklist")
    messages.success(request, _("廃棄リストを作成しました。別の職員の確認を受けてください"))
    return redirect("retention:disposal", pk=disposal.pk)


def _list_or_404(request: HttpRequest, pk: int) -> DisposalList:
    """One disposal list, or the policy's logged refusal that looks exactly like a missing one."""
    lists = DisposalList.objects.select_related("drafted_by", "checked_by", "confirmed_by", "executed_by")
    return get_or_refuse(actor_of(request), Action.DISPOSAL_VIEW, lists, pk=pk)


@action_required(Action.DISPOSAL_VIEW)
def disposal(request: HttpRequest, pk: int) -> HttpResponse:
    d = _list_or_404(request, pk)
    items = list(d.items.select_related("executed_by", "witness", "certificate_by"))
    profile = get_profile()
    methods: dict[str, str] = {}
    for item in items:
        if item.status == "pending":
            methods.update({k: m.ja for k, m in methods_for(item).items()})
    execute = ExecuteForm(methods=methods)
    return render(request, "retention/disposal.html", {
        "d": d, "items": items, "execute": execute, "certificate": CertificateForm(),
        "article_check": cite(next((profile.retention_rules[i.rule_key].article for i in items
                                    if i.rule_key in profile.retention_rules
                                    and profile.retention_rules[i.rule_key].second_person_check), "")),
    })


@require_POST
@action_required(Action.DISPOSAL_VIEW)
def disposal_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    actor = actor_of(request)
    d = _list_or_404(request, pk)
    if step == "check":
        services.check_list(actor=actor, disposal_id=d.pk, note=request.POST.get("note", ""))
        messages.success(request, _("確認を記録しました（アクセス履歴を取得しました）"))
    elif step == "confirm":
        services.confirm_list(actor=actor, disposal_id=d.pk)
        messages.success(request, _("廃棄・削除の確認を記録しました"))
    elif step == "execute":
        methods = {k: m.ja for item in d.items.filter(status="pending") for k, m in methods_for(item).items()}
        form = ExecuteForm(request.POST, methods=methods)
        if not form.is_valid():
            messages.error(request, _("廃棄・削除の方法を選んでください"))
            return redirect("retention:disposal", pk=d.pk)
        services.execute_list(actor=actor, disposal_id=d.pk, **form.cleaned_data)
        messages.success(request, _("廃棄・削除を実施し、記録しました"))
    elif step == "certificate":
        cert = CertificateForm(request.POST)
        if not cert.is_valid():
            messages.error(request, _("証明書の番号と日付を記録してください"))
            return redirect("retention:disposal", pk=d.pk)
        services.record_certificate(actor=actor, disposal_id=d.pk, **cert.cleaned_data)
        messages.success(request, _("廃棄証明書を登録しました"))
    elif step == "cancel":
        services.cancel_list(actor=actor, disposal_id=d.pk, reason=request.POST.get("reason", ""))
        messages.success(request, _("廃棄リストを取り消しました"))
    else:
        raise Http404
    return redirect("retention:disposal", pk=d.pk)


@action_required(Action.DISPOSAL_VIEW)
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """廃棄証明書・削除記録 (A4): itemised, with record ids and keyed digests — never a number or a name."""
    d = _list_or_404(request, pk)
    profile = get_profile()
    items = list(d.items.select_related("executed_by", "witness", "certificate_by"))
    articles = sorted({i.article for i in items if i.article})
    return render(request, "retention/certificate.html", {
        "d": d, "items": items, "org": profile.organisation, "today": schedule.today(),
        "articles": [cite(a) for a in articles]})
