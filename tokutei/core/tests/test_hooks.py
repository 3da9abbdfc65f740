"""Each app registers its API router, demo loader and init hook on its AppConfig (tokutei.core.hooks)."""

from __future__ import annotations

import importlib.util

from django.apps import apps

from tokutei.core.hooks import app_hooks


def _labels(hook) -> list[str]:
    return [h.config.label for h in app_hooks(hook)]


def test_every_app_with_an_api_module_or_a_demo_module_declares_it():
    for config in apps.get_app_configs():
        if not config.name.startswith("tokutei."):
            continue
        for module, hook in (("api", "api_router"), ("demo", "demo_loader")):
            if importlib.util.find_spec(f"{config.name}.{module}") is not None:
                assert getattr(config, hook, None), f"{config.label}: {module}.py but no AppConfig.{hook}"


def test_the_demo_loaders_run_in_the_order_the_data_needs():
    # staff designates the people who enter the vault's; the log's checkpoint signs what came before it.
    assert _labels("demo_loader") == ["staff", "vault", "auditlog", "ledgers", "registers", "approvals",
                                          "incidents", "pia", "vendors", "audits"]


def test_init_creates_the_vault_keys_then_the_log_signing_key():
    assert [h.path for h in app_hooks("init_hook")] == ["tokutei.vault.keys.ensure_keys",
                                                        "tokutei.auditlog.signing.ensure_keys"]


def test_the_api_mounts_every_declared_router(client):
    from tokutei.api import api

    prefixes = {prefix for prefix, _router in api._routers}
    for hook in app_hooks("api_router"):
        prefix = importlib.import_module(hook.path.rpartition(".")[0]).PREFIX
        assert f"/{prefix}" in prefixes
    assert client.get("/api/v1/openapi.json").status_code == 200
