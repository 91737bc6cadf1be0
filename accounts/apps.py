from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户与审计"

    def ready(self):
        from . import signals  # noqa: F401  (connects the login audit receivers)
