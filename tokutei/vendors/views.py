"""HTML pages of the vendor register: vendors, their qualification, 別紙3 sheets (printed A4, Excel),
contracts with their checklist, sub-contractors, dispatched workers, deliveries and the return at the end.
Access is the policy's (``action_required``, ``get_or_refuse``); nothing is written on GET."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.core.views import post_form
from tokutei.policy import decide, get_or_refuse
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest

from . import excel, selectors, services
from .forms import (
    ClauseForm,
    ContractForm,
    DispatchForm,
    EndForm,
    EvaluationForm,
    HandOverForm,
    MemorandumForm,
    QualificationForm,
    ReturnForm,
    SubContractorForm,
    SupervisionForm,
    VendorForm,
)
from .models import Contract, DispatchedWorker, Evaluation, Vendor


def _out():
    return get_profile().outsourcing


def _may(request: SignedInRequest, *actions: Action) -> dict[str, bool]:
    actor = actor_of(request)
    return {a.name.lower().removeprefix("vendors_"): decide(actor, a).allowed for a in actions}


def _methods() -> dict[str, str]:
    return _out().qualification.methods or {"document": _("書類による確認")}


@action_required(Action.VENDORS_VIEW)
def index(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    rows = [(v, selectors.standing(v)) for v in selectors.vendors(actor).filter(parent__isnull=True)[:200]]
    subs = list(selectors.vendors(actor).filter(parent__isnull=False)[:200])
    return render(request, "vendors/index.html", {
        "out": _out(), "rows": rows, "subs": subs, "alerts": selectors.alerts(actor)[:50],
        "may": _may(request, Action.VENDORS_REGISTER, Action.VENDORS_DISPATCH, Action.VENDORS_EXPORT)})


@action_required(Action.VENDORS_REGISTER)
def new_vendor(request: SignedInRequest) -> HttpResponse:
    form = VendorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        vendor = services.create_vendor(actor=actor_of(request), **form.cleaned_data)
        messages.success(request, _("登録しました"))
        return redirect("vendors:detail", pk=vendor.pk)
    return render(request, "vendors/form.html", {"form": form, "title": _("委託先を登録する")})


def _vendor(request: SignedInRequest, pk: int, action: Action = Action.VENDORS_VIEW) -> Vendor:
    return get_or_refuse(actor_of(request), action, Vendor.objects.select_related("unit", "owner", "parent"), pk=pk)


@action_required(Action.VENDORS_VIEW)
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    vendor = _vendor(request, pk)
    out = _out()
    today = timezone.localdate()
    return render(request, "vendors/detail.html", {
        "vendor": vendor, "out": out, "standing": selectors.standing(vendor),
        "qualifications": vendor.qualifications.select_related("checked_by")[:50],
        "evaluations": vendor.evaluations.all()[:50], "contracts": vendor.contracts.all()[:100],
        "supervisions": vendor.supervisions.all()[:100],
        "deliveries": vendor.deliveries.select_related("contract", "delivered_by")[:200],
        "children": vendor.children.all()[:50],
        "qualification_form": QualificationForm(methods=_methods(), initial={"checked_on": today}),
        "evaluation_form": EvaluationForm(methods=_methods(), initial={
            "created_on": today, "kind": "re" if vendor.contracts.filter(status="active").exists() else "new"}),
        "contract_form": ContractForm(fields=[(k, f.ja) for k, f in get_profile().fields.items()],
                                      initial={"starts_on": today}),
        "supervision_form": SupervisionForm(initial={"held_on": today}),
        "may": _may(request, Action.VENDORS_QUALIFY, Action.VENDORS_EVALUATE, Action.VENDORS_CONTRACT,
                    Action.VENDORS_SUPERVISE)})


def _vendor_page(pk: int) -> str:
    return reverse("vendors:detail", args=[pk])


def _on_vendor(pk: int, action: Action) -> tuple[Action, Any, int]:
    """The vendor a POST is about: a missing or foreign id answers 404 before the form is read."""
    return action, Vendor.objects.select_related("unit", "owner", "parent"), pk


@require_POST
@action_required(Action.VENDORS_QUALIFY)
def qualify(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on_vendor(pk, Action.VENDORS_QUALIFY),
                     form=QualificationForm(request.POST, methods=_methods()), back=_vendor_page(pk),
                     message=_("記録しました"),
                     call=lambda d: services.record_qualification(actor=actor_of(request), vendor_id=pk, **d))


@require_POST
@action_required(Action.VENDORS_SUPERVISE)
def supervise(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on_vendor(pk, Action.VENDORS_SUPERVISE), form=SupervisionForm(request.POST),
                     back=_vendor_page(pk), message=_("記録しました"),
                     call=lambda d: services.record_supervision(actor=actor_of(request), vendor_id=pk, **d))


@require_POST
@action_required(Action.VENDORS_EVALUATE)
def new_evaluation(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on_vendor(pk, Action.VENDORS_EVALUATE),
                     form=EvaluationForm(request.POST, methods=_methods()), back=_vendor_page(pk),
                     call=lambda d: services.create_evaluation(actor=actor_of(request), vendor_id=pk, **d),
                     done=lambda ev: reverse("vendors:evaluation", args=[ev.pk]))


@require_POST
@action_required(Action.VENDORS_CONTRACT)
def new_contract(request: SignedInRequest, pk: int) -> HttpResponse:
    form = ContractForm(request.POST, fields=[(k, f.ja) for k, f in get_profile().fields.items()])
    return post_form(request, record=_on_vendor(pk, Action.VENDORS_CONTRACT), form=form, back=_vendor_page(pk),
                     call=lambda d: services.draft_contract(actor=actor_of(request), vendor_id=pk, **d),
                     done=lambda contract: reverse("vendors:contract", args=[contract.pk]))


# --- 別紙3 -------------------------------------------------------------------------------------------------


def _evaluation(request: SignedInRequest, pk: int, action: Action = Action.VENDORS_VIEW) -> Evaluation:
    return get_or_refuse(actor_of(request), action, Evaluation.objects.select_related("vendor"), pk=pk)


def _sheet(ev: Evaluation) -> dict:
    ve = _out().vendor_evaluation
    items = {i.no: i for i in ev.items.all()}
    rows = [{"item": item, "marks": ["○" if p in item.patterns else "—" for p in ("I", "II", "III", "IV")],
             "graded": items.get(item.no)} for item in ve.items]
    return {"ev": ev, "ve": ve, "rows": rows, "pre": ve.shortcut_items, "result": services.result_of(ev),
            "open": selectors.open_improvements(ev) if ev.finalised_at else 0,
            "due": selectors.reevaluation_due(ev) if ev.finalised_at else None}


@action_required(Action.VENDORS_VIEW)
def evaluation(request: SignedInRequest, pk: int) -> HttpResponse:
    ev = _evaluation(request, pk)
    return render(request, "vendors/evaluation.html", {
        **_sheet(ev), "may": _may(request, Action.VENDORS_EVALUATE, Action.VENDORS_IMPROVEMENT,
                                  Action.VENDORS_EXPORT)})


@action_required(Action.VENDORS_VIEW)
def evaluation_print(request: SignedInRequest, pk: int) -> HttpResponse:
    return render(request, "vendors/evaluation_print.html", _sheet(_evaluation(request, pk)))


@action_required(Action.VENDORS_EXPORT)
def evaluation_export(request: SignedInRequest, pk: int) -> HttpResponse:
    ev = _evaluation(request, pk, Action.VENDORS_EXPORT)
    return excel.evaluation_response(actor=actor_of(request), evaluation=ev)


@require_POST
@action_required(Action.VENDORS_EVALUATE)
def grade(request: SignedInRequest, pk: int) -> HttpResponse:
    ev = _evaluation(request, pk, Action.VENDORS_EVALUATE)
    nos = [i.no for i in ev.items.all()]
    grades = {no: request.POST.get(f"grade_{no}", "")[:1] for no in nos}
    improvements = {no: request.POST.get(f"improvement_{no}", "")[:1000] for no in nos}

    def tri(name: str) -> bool | None:
        value = request.POST.get(name, "")
        return {"yes": True, "no": False}.get(value)

    services.grade(actor=actor_of(request), evaluation_id=ev.pk, grades=grades, improvements=improvements,
                   pmark=tri("pmark"), no_leak_2y=tri("no_leak_2y"))
    if request.POST.get("finalise") in ("1", "shortcut"):
        services.finalise(actor=actor_of(request), evaluation_id=ev.pk,
                          claim_shortcut=request.POST.get("finalise") == "shortcut")
        messages.success(request, _("最終判定を記入しました"))
    else:
        messages.success(request, _("保存しました"))
    return redirect("vendors:evaluation", pk=ev.pk)


@require_POST
@action_required(Action.VENDORS_IMPROVEMENT)
def close_improvement(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, back=reverse("vendors:index"), message=_("改善措置の完了を記録しました"),
                     call=lambda d: services.close_improvement(actor=actor_of(request), item_id=pk,
                                                               note=request.POST.get("note", "")[:500]),
                     done=lambda item: reverse("vendors:evaluation", args=[item.evaluation_id]))


@action_required(Action.VENDORS_EXPORT)
def register_export(request: SignedInRequest) -> HttpResponse:
    return excel.register_response(actor=actor_of(request))


# --- contracts ---------------------------------------------------------------------------------------------


def _contract(request: SignedInRequest, pk: int, action: Action = Action.VENDORS_VIEW) -> Contract:
    return get_or_refuse(actor_of(request), action, Contract.objects.select_related("vendor"), pk=pk)


@action_required(Action.VENDORS_VIEW)
def contract(request: SignedInRequest, pk: int) -> HttpResponse:
    c = _contract(request, pk)
    out = _out()
    actor = actor_of(request)
    task = getattr(c, "return_task", None) if hasattr(c, "return_task") else None
    subs = c.subcontractors.select_related("vendor", "approval", "above")
    return render(request, "vendors/contract.html", {
        "c": c, "out": out, "items": selectors.contract_items(c), "subs": subs, "task": task,
        "deliveries": c.deliveries.select_related("delivered_by")[:200],
        "memorandum_form": MemorandumForm(items=out.memorandum.items if out.memorandum else [],
                                          initial={"concluded_on": timezone.localdate()}),
        "sub_form": SubContractorForm(vendors=selectors.vendors(actor).exclude(pk=c.vendor_id),
                                      subcontractors=subs),
        "end_form": EndForm(), "return_form": ReturnForm(), "handover_form": HandOverForm(),
        "may": _may(request, Action.VENDORS_CLAUSE, Action.VENDORS_ACTIVATE, Action.VENDORS_MEMORANDUM,
                    Action.VENDORS_SUBCONTRACT, Action.VENDORS_END, Action.VENDORS_RETURN)})


def _contract_page(pk: int) -> str:
    return reverse("vendors:contract", args=[pk])


def _on_contract(pk: int, action: Action) -> tuple[Action, Any, int]:
    """The contract a POST is about: a missing or foreign id answers 404 before the form is read."""
    return action, Contract.objects.select_related("vendor"), pk


@require_POST
@action_required(Action.VENDORS_CLAUSE)
def confirm_clause(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on_contract(pk, Action.VENDORS_CLAUSE), form=ClauseForm(request.POST),
                     back=_contract_page(pk), message=_("確認を記録しました"),
                     call=lambda d: services.confirm_clause(actor=actor_of(request), contract_id=pk, **d))


@require_POST
@action_required(Action.VENDORS_ACTIVATE)
def activate(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on_contract(pk, Action.VENDORS_ACTIVATE), back=_contract_page(pk),
                     message=_("契約を有効にしました"),
                     call=lambda d: services.activate_contract(actor=actor_of(request), contract_id=pk))


@require_POST
@action_required(Action.VENDORS_MEMORANDUM)
def memorandum(request: SignedInRequest, pk: int) -> HttpResponse:
    memo = _out().memorandum
    return post_form(request, record=_on_contract(pk, Action.VENDORS_MEMORANDUM),
                     form=MemorandumForm(request.POST, items=memo.items if memo else []), back=_contract_page(pk),
                     message=_("記録しました"),
                     call=lambda d: services.record_memorandum(actor=actor_of(request), contract_id=pk, **d))


@require_POST
@action_required(Action.VENDORS_SUBCONTRACT)
def subcontractor(request: SignedInRequest, pk: int) -> HttpResponse:
    def form(c: Contract) -> SubContractorForm:
        return SubContractorForm(request.POST, vendors=selectors.vendors(actor_of(request)).exclude(pk=c.vendor_id),
                                 subcontractors=c.subcontractors.all())

    return post_form(request, record=_on_contract(pk, Action.VENDORS_SUBCONTRACT), form=form,
                     back=_contract_page(pk), message=_("再委託先を登録しました"),
                     call=lambda d: services.add_subcontractor(
                         actor=actor_of(request), contract_id=pk, vendor_id=d["vendor"].pk,
                         above_id=d["above"].pk if d["above"] else None, work=d["work"], reason=d["reason"],
                         safety_check=d["safety_check"], equivalent_conditions=d["equivalent_conditions"],
                         approval_id=d["approval_id"]))


@require_POST
@action_required(Action.VENDORS_END)
def end(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on_contract(pk, Action.VENDORS_END), form=EndForm(request.POST),
                     back=_contract_page(pk), message=_("契約を終了しました。返還・消去の確認を記録してください"),
                     call=lambda d: services.end_contract(actor=actor_of(request), contract_id=pk, note=d["note"]))


@require_POST
@action_required(Action.VENDORS_RETURN)
def return_done(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=_on_contract(pk, Action.VENDORS_RETURN), form=ReturnForm(request.POST),
                     back=_contract_page(pk), message=_("返還・消去の確認を記録しました"),
                     call=lambda d: services.record_return(actor=actor_of(request), contract_id=pk, **d))


@require_POST
@action_required(Action.VENDORS_DELIVERY)
def hand_over(request: SignedInRequest, pk: int) -> HttpResponse:
    return post_form(request, record=(Action.VENDORS_DELIVERY, Contract.objects.all(), pk),
                     form=HandOverForm(request.POST), back=reverse("vendors:index"), message=_("引渡しを記録しました"),
                     call=lambda d: services.hand_over(actor=actor_of(request), contract_id=pk, **d))


# --- 派遣労働者 ----------------------------------------------------------------------------------------------


@action_required(Action.VENDORS_DISPATCH)
def dispatch(request: SignedInRequest) -> HttpResponse:
    from tokutei.policy import restrict

    actor = actor_of(request)
    form = DispatchForm(request.POST or None, initial={"contract_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.record_dispatched_worker(actor=actor, **form.cleaned_data)
        messages.success(request, _("記録しました"))
        return redirect("vendors:dispatch")
    workers = restrict(DispatchedWorker.objects.select_related("user"), actor, Action.VENDORS_DISPATCH)[:200]
    return render(request, "vendors/dispatch.html", {"form": form, "workers": workers, "out": _out()})


@require_POST
@action_required(Action.VENDORS_DISPATCH)
def confirm_dispatch(request: SignedInRequest, pk: int) -> HttpResponse:
    row = get_or_refuse(actor_of(request), Action.VENDORS_DISPATCH, DispatchedWorker.objects.all(), pk=pk)
    locations = [request.POST.get(f"location_{i}", "")[:200] for i in range(len(row.terms))]
    services.confirm_dispatch_terms(actor=actor_of(request), worker_id=pk, locations=locations)
    messages.success(request, _("労働者派遣契約の記載を確認しました"))
    return redirect("vendors:dispatch")
