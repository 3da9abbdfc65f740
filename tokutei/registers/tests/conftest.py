"""The registers' fixtures are the approvals' (the 000 organisation and its officers): carry-outs and
exports need the approvals the profile names."""

from __future__ import annotations

from tokutei.approvals.tests.conftest import (  # noqa: F401 (fixtures)
    export_dir,
    officers000,
    org000,
    profiles_dir,
    t97,
)
