"""The registers' fixtures: the approvals' 000 organisation and its officers (carry-outs and exports need
the approvals the profile names), and a directory for the export files."""

from __future__ import annotations

import pytest

from tokutei.approvals.tests.conftest import (  # noqa: F401 (fixtures)
    officers000,
    org000,
    profiles_dir,
    t97,
)


@pytest.fixture
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    return settings.EXPORT_DIR
