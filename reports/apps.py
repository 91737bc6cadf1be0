from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表与打印"

    def ready(self):
        from followups.selectors import register_employment_summary

        from .dashboards.filters import register_class_list_filters
        from .dashboards.services import institution_employment_counts

        register_class_list_filters()
        register_employment_summary(institution_employment_counts)
