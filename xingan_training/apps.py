from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin index (the app itself gives none)."""

    verbose_name = "登录锁定"
