from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表与打印"

    def ready(self):
        from evaluations.selectors import register_not_outstanding_figures

        from .dashboards.filters import register_class_list_filters
        from .dashboards.figures import not_outstanding_figures

        register_class_list_filters()
        register_not_outstanding_figures(not_outstanding_figures)
