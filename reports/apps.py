from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表与打印"

    def ready(self):
        from .dashboards.filters import register_class_list_filters

        register_class_list_filters()
