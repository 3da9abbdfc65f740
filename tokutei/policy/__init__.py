"""One access decision for the whole project (design: docs/architecture.md).

``decide(actor, action, obj)`` and ``restrict(queryset, actor, action)`` answer, from the rule each app
registers (``<app>/rules.py``) and the organisation profile, who may do what — for web pages, the API and
the console alike. Views use ``action_required``; services call ``require`` before their transaction.
"""

from .actor import Actor, Channel, designated_tasks, session_purpose
from .engine import Decision, decide, get_or_refuse, refusal, require, restrict, role_names, terminal_ok
from .records import RecordScope, records_sql, within_records
from .rules import Deny, Rule, all_rules, register, rule_for

__all__ = [
    "Actor", "Channel", "Decision", "Deny", "RecordScope", "Rule", "all_rules", "decide", "designated_tasks",
    "get_or_refuse", "records_sql", "refusal", "register", "require", "restrict", "role_names", "rule_for",
    "session_purpose", "terminal_ok", "within_records",
]
