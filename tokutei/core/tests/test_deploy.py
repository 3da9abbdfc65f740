import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TOKUTEI_", "DJANGO_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "tokutei.settings",
        "TOKUTEI_DATA_DIR": str(tmp_path),
        "TOKUTEI_SECRET_KEY": "x" * 30 + "-production-like-secret-value-1234567890",
        "TOKUTEI_ALLOWED_HOSTS": "tokutei.example.lg.jp",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_start_up_without_a_secret_key_stops_with_a_clear_message(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TOKUTEI_", "DJANGO_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "tokutei.settings",
        "TOKUTEI_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "tokutei init" in result.stderr


def test_an_auditor_verifies_a_bundle_with_no_installation_at_all(tmp_path):
    """tokutei log verify --bundle runs with no secret key, no data directory and no database."""
    bundle = tmp_path / "bundle.jsonl"
    bundle.write_text("not a bundle\n", encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    tokutei = Path(sys.executable).with_name("tokutei")
    result = subprocess.run([str(tokutei), "log", "verify", "--bundle", str(bundle)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert "SECRET_KEY" not in result.stderr and "Traceback" not in result.stderr
    assert result.returncode == 1  # a broken bundle fails verification, with a message, not a crash
