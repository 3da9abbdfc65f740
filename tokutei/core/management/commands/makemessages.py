"""``makemessages`` that also extracts ``N_("…")`` and ``_lazy("…")``: the project marks texts translated later (navigation
labels, column headings, stage names) with ``gettext_noop as N_``, which xgettext does not know by itself."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_", "--keyword=_lazy"]
