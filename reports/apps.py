from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表与打印"

    def ready(self):
        from evaluations.selectors import register_not_outstanding_figures
        from followups.selectors import register_employment_summary
        from supervision.performance_selectors import register_league_employment_summary

        from .dashboards.filters import register_class_list_filters
        from .dashboards.figures import not_outstanding_figures
        from .dashboards.services import classes_employment_counts, institution_employment_counts
        from .models import Printout
        from .statistics.report import printed_figures
        from .verification.fingerprints import register_fingerprint_source

        register_class_list_filters()
        register_not_outstanding_figures(not_outstanding_figures)
        register_employment_summary(institution_employment_counts)
        register_league_employment_summary(classes_employment_counts)
        # Registered at start-up, not on first import of the report: the public page may be a process's first request.
        register_fingerprint_source(Printout.Kind.STATISTICS_REPORT, printed_figures)
