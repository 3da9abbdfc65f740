from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "tokutei.policy"
    label = "policy"
    verbose_name = "アクセス判定"
