"""Who may back up, restore and record drills: the operations app's actions in the rule book.

Backups are taken at the server's console by a system administrator (``--by``) or by the scheduler (the
system channel); either way the profile's storage article (002 §29, 004 §14(7)) is the one a refusal cites.
A restore runs into a fresh instance whose database holds nobody yet, so it is the system's own act; the
restored database records it, and the drill that proves it is recorded by whoever ran it.
"""

from __future__ import annotations

from tokutei.auditlog.actions import Action
from tokutei.policy import Channel, Rule, register
from tokutei.profiles.schema import Profile

CONSOLE_OR_SCHEDULER = frozenset({Channel.CONSOLE, Channel.SYSTEM})


def _admins(profile: Profile) -> set[str]:
    return profile.admin_roles()


def _article(profile: Profile) -> str:
    return profile.storage.article


register(
    Rule(Action.SYSTEM_BACKUP, roles=_admins, article=_article,
         channels=CONSOLE_OR_SCHEDULER),
    Rule(Action.SYSTEM_BACKUP_KEYS, roles=_admins, article=_article,
         channels=CONSOLE_OR_SCHEDULER),
    Rule(Action.SYSTEM_BACKUP_REGISTER, roles=_admins, article=_article,
         channels=CONSOLE_OR_SCHEDULER),
    Rule(Action.SYSTEM_RESTORE_DRILL, roles=_admins, article=_article,
         channels=CONSOLE_OR_SCHEDULER),
    Rule(Action.SYSTEM_RESTORE, roles=_admins, article=_article,
         channels=frozenset({Channel.SYSTEM})),
)
