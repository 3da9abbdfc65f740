"""The bulk import in the rule book: loading a J-LIS result file is intake of 特定個人情報等 into one
file, so it takes the vault's intake rule — a designated handler for the declared task, within the
designation's units and 取扱いの範囲 (the whole file), into an active file that serves the task (E-01, E-02, E-04) — over the channel it
runs on (the console only where the profile's ``authentication.console`` allows it)."""

from __future__ import annotations

from tokutei.auditlog.actions import Action
from tokutei.policy import Rule, register
from tokutei.vault.rules import _scope, new_records_in_scope

register(Rule(Action.BULK_IMPORT, task=True, check=new_records_in_scope, scope=_scope))
