"""What each app contributes to the whole project, declared on its AppConfig (its ``apps.py``) only.

An app names its contributions as dotted paths, imported when they are used::

    class VaultConfig(AppConfig):
        name = "tokutei.vault"
        hook_order = 20
        api_router = "tokutei.vault.api.router"       # mounted under /api/v1/<PREFIX of that module>/
        demo_loader = "tokutei.vault.demo.load"       # tokutei demo: () -> list[str] of lines to print
        init_hook = "tokutei.vault.keys.ensure_keys"  # tokutei init: () -> Any, before the profile is loaded

The project (``tokutei/api.py``, ``tokutei demo``, ``tokutei init``) calls them app by app in
``hook_order`` (lowest first; ties and apps without one keep their INSTALLED_APPS order), so a new app
adds itself in its own ``apps.py`` and nowhere else. Menu entries and dashboard cards are found the same
way by convention (``nav.py``, ``tokutei.core.navigation``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string

Hook = Literal["api_router", "demo_loader", "init_hook"]
DEFAULT_ORDER = 100


@dataclass(frozen=True)
class AppHook:
    config: AppConfig
    path: str  # the dotted path the AppConfig names
    target: Any  # what it names, imported


def ordered_app_configs() -> list[AppConfig]:
    """The project's own apps, in the order their hooks are called."""
    configs = [c for c in apps.get_app_configs() if c.name.startswith("tokutei.")]
    return sorted(configs, key=lambda c: getattr(c, "hook_order", DEFAULT_ORDER))  # sorted() is stable


def app_hooks(hook: Hook) -> list[AppHook]:
    """Every app's ``hook``, imported, for the apps that declare one."""
    found = []
    for config in ordered_app_configs():
        path = getattr(config, hook, None)
        if path:
            found.append(AppHook(config, path, import_string(path)))
    return found
