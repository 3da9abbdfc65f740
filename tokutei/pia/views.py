"""HTML pages: the assessments of the files, one file's history and draft 評価書, the rules file with its
sources, and the disclosure report. Access is the policy's (a file of another unit answers 404 like a
missing one); nothing is written on GET except the log entry of an export, as every export is logged."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core import jdates
from tokutei.ledgers import files as register
from tokutei.ledgers.excel import workbook
from tokutei.policy import decide, get_or_refuse
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest

from . import disclosure as disclosure_service
from . import rules_file, selectors, services
from .forms import DisclosureForm
from .models import Assessment


@action_required(Action.PIA_VIEW)
def index(request: SignedInRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(request, "pia/index.html", {
        "rows": selectors.overview(actor), "changes": selectors.raised_changes(actor), "tasks": selectors.by_task(actor),
        "can_assess": decide(actor, Action.PIA_ASSESS).allowed, "rules": rules_file.load()})


@require_POST
@action_required(Action.PIA_ASSESS)
def assess(request: SignedInRequest) -> HttpResponse:
    written = services.assess_all(actor=actor_of(request), trigger=Assessment.Trigger.MANUAL)
    messages.success(request, _("しきい値判断を記録しました（%(n)s 件）") % {"n": len(written)})
    return redirect("pia:index")


def _file(request: SignedInRequest, action: Action, pk: int):
    from tokutei.vault.models import SpecificFile

    return get_or_refuse(actor_of(request), action, SpecificFile.objects.all(), pk=pk)


@action_required(Action.PIA_VIEW)
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    file = _file(request, Action.PIA_VIEW, pk)
    computed = selectors.compute(register.describe(file))
    return render(request, "pia/detail.html", {"c": computed, "history": selectors.history(file.pk)[:100],
                                               "rules": computed.rules})


@action_required(Action.PIA_VIEW)
def rules_page(request: SignedInRequest) -> HttpResponse:
    rules = rules_file.load()
    entries = [{"entry": e, "source": rules.cite(e.get("cite")), "level": rules.level_ja(e.get("level", "none"))}
               for e in rules.entries()]
    factors = [{"key": k, "factor": rules.factor(k), "source": rules.cite(rules.factor(k).get("cite"))}
               for k in ("people", "handlers", "serious_incident")]
    serious = rules.data["serious_incident"]
    return render(request, "pia/rules.html", {"rules": rules, "entries": entries, "factors": factors,
                                              "serious": serious, "serious_source": rules.cite(serious.get("cite"))})


@action_required(Action.PIA_DRAFT)
def draft(request: SignedInRequest, pk: int) -> HttpResponse:
    file = _file(request, Action.PIA_DRAFT, pk)
    computed = selectors.compute(register.describe(file))
    actor = actor_of(request)
    record(action=Action.PIA_DRAFT, **actor.log_fields(), target_type="file", target_id=file.pk,
           details={"format": "print", "level": computed.result.level})
    return render(request, "pia/draft.html", {"c": computed, "rows": selectors.draft(computed),
                                              "org": get_profile().organisation})


@action_required(Action.PIA_DRAFT)
def draft_xlsx(request: SignedInRequest, pk: int) -> HttpResponse:
    file = _file(request, Action.PIA_DRAFT, pk)
    computed = selectors.compute(register.describe(file))
    actor = actor_of(request)
    profile = get_profile()
    title = _("特定個人情報保護評価書（基礎項目評価書）案")
    data = workbook(title, f"{profile.organisation.name}　{jdates.to_wareki(timezone.localdate())}",
                    [(file.name[:28] or "draft", [_("項目"), _("内容")], [list(r) for r in selectors.draft(computed)])])
    record(action=Action.PIA_DRAFT, **actor.log_fields(), target_type="file", target_id=file.pk,
           details={"format": "xlsx", "level": computed.result.level})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="pia-draft-{file.pk}.xlsx"'
    return response


@action_required(Action.PIA_DISCLOSURE)
def disclosure(request: SignedInRequest) -> HttpResponse:
    """The form (GET) and, on POST, the report itself, printable, to hand to the person."""
    form = DisclosureForm(request.POST or None, initial=DisclosureForm.initial_values())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        report = disclosure_service.issue(actor=actor_of(request), my_number=d["my_number"],
                                          period_from=d["period_from"], period_to=d["period_to"],
                                          approval_id=d.get("approval_id"))
        return render(request, "pia/disclosure_report.html", {
            "r": report, "org": get_profile().organisation, "issued_on": timezone.localdate()})
    return render(request, "pia/disclosure.html", {"form": form,
                                                   "approval": get_profile().pia.disclosure.approval})
