"""tokutei profiles list | show | check."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import BROKEN_PATHS, DATA_DIR, SHIPPED


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("profiles", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_list_shows_the_five_shipped_profiles_as_valid():
    out, _ = run("list")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["名前", "コード", "組織"]
    for name, code in SHIPPED.items():
        row = next(line for line in lines if line.startswith(name + " "))
        assert code in row and row.rstrip().endswith("✓")
    assert len(lines) == 1 + len(SHIPPED)


def test_list_marks_a_broken_profile_invalid(broken_profile):
    out, _ = run("list")
    row = next(line for line in out.splitlines() if line.startswith("broken "))
    assert "✗" in row


def test_show_renders_a_japanese_summary():
    out, _ = run("show", "000")
    assert out.startswith("仙台市職員共済組合（組織コード 000")
    for heading in ("【役割】", "【事務（利用目的）と使用できる項目】", "【承認】", "【認証】", "【保存期間】",
                    "【規程が定めていない値（組織が決めたもの）】"):
        assert heading in out
    assert "指定する者: 本人確認情報管理責任者" in out  # システム操作者 is designated by the 管理責任者
    assert "［本人確認情報管理責任者］ → ［住基ネットシステム管理者］" in out
    assert "操作履歴: 7年" in out
    assert "bulk.open" in out


def test_show_yaml_prints_the_file():
    out, _ = run("show", "hyogo-kyosai", "--yaml")
    assert out == (DATA_DIR / "hyogo-kyosai.yaml").read_text(encoding="utf-8")


def test_show_refuses_an_unknown_name():
    with pytest.raises(CommandError, match="見つかりません"):
        run("show", "nowhere")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_check_accepts_every_shipped_file(name):
    out, err = run("check", str(DATA_DIR / f"{name}.yaml"))
    assert "有効です" in out and err == ""


def test_check_prints_every_error_with_its_key_path_and_fails(broken_profile):
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("profiles", "check", str(broken_profile), stdout=StringIO(), stderr=err)
    assert excinfo.value.returncode == 1
    printed = {line.strip().split(": ")[0] for line in err.getvalue().splitlines()[1:]}
    assert printed == BROKEN_PATHS
    assert "もしかして 'designated_by'" in err.getvalue()
    assert "unknown role 'boss'" in err.getvalue()


def test_check_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="見つかりません"):
        run("check", str(tmp_path / "nothing.yaml"))
