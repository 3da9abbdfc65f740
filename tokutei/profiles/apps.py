from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "tokutei.profiles"
    verbose_name = "組織プロファイル"
