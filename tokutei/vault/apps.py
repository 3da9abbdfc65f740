from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "tokutei.vault"
