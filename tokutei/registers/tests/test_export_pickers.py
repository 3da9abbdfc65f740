"""The export form offers the approvals the clerk holds to choose from (issue 18 items 3–4): no approval
number is typed, and nobody else's or a used one is offered."""

from __future__ import annotations

import re

from tokutei.approvals import services
from tokutei.approvals.tests.conftest import a_unit
from tokutei.policy import Actor


def _select(html: str, name: str) -> str:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"{name} is not a choice"
    return found[1]


def test_the_export_form_offers_the_clerks_granted_approvals_to_choose_from(client, activate, make_user):
    activate("sayama")
    staff, other = (make_user("staff1", "staff", tasks=["local_tax"], unit=a_unit()),
                    make_user("staff2", "staff", tasks=["local_tax"], unit=a_unit()))
    pm = make_user("kacho", "pm", unit=a_unit())
    mine = services.create_request(actor=Actor.console(staff), operation="copy", particulars={"purpose": "local_tax"})
    services.decide(actor=Actor.console(pm), request_id=mine.pk, approve=True)
    waiting = services.create_request(actor=Actor.console(staff), operation="copy",
                                      particulars={"purpose": "local_tax"})
    theirs = services.create_request(actor=Actor.console(other), operation="copy",
                                     particulars={"purpose": "local_tax"})
    services.decide(actor=Actor.console(pm), request_id=theirs.pk, approve=True)
    client.force_login(staff)
    html = client.get("/registers/exports/").content.decode()
    offered = _select(html, "approval_id")
    assert f'value="{mine.pk}"' in offered
    assert f'value="{waiting.pk}"' not in offered and f'value="{theirs.pk}"' not in offered
    _select(html, "bulk_approval_id")
    assert "承認番号" not in html.split("<form", 1)[1].split("</form>", 1)[0]  # nothing to type
