from django.http import HttpResponse
from django.shortcuts import render

from tokutei.auditlog.actions import Action
from tokutei.policy.web import action_required
from tokutei.staff.http import SignedInRequest


@action_required(Action.AUDITS_VIEW)
def index(request: SignedInRequest) -> HttpResponse:
    return render(request, "audits/index.html", {})
