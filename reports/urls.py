from django.urls import path

from . import ledger_views, views
from .audit_trail import views as audit_trail_views
from .dashboards import views as dashboard_views
from .exports import views as export_views
from .search import views as search_views
from .statistics import views as statistics_views

app_name = "reports"

urlpatterns = [
    path("classes/<int:pk>/form1.pdf", views.form1, name="form1"),
    path("classes/<int:pk>/form2.pdf", views.class_form2, name="class_form2"),
    path("classes/<int:pk>/form2-blank.pdf", views.blank_form2, name="blank_form2"),
    path("forms/<int:evaluation_pk>/form2.pdf", views.trainee_form2, name="trainee_form2"),
    path("classes/<int:pk>/followups.pdf", views.followups, name="followups"),
    path("rectifications/<int:notice_pk>/notice.pdf", views.rectification_notice, name="rectification_notice"),
    path("rectifications/open-items.pdf", ledger_views.rectification_open_items, name="rectification_open_items"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/status.json", views.document_status, name="document_status"),
    path("documents/<int:pk>/download.pdf", views.document_download, name="document_download"),
    path("blank/form1.pdf", views.blank_form1, name="blank_form1"),
    path("blank/form2.pdf", views.blank_form2_generic, name="blank_form2_generic"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("statistics/", statistics_views.statistics, name="statistics"),
    path("statistics/report.pdf", statistics_views.statistics_pdf, name="statistics_pdf"),
    path("statistics/report.xlsx", statistics_views.statistics_xlsx, name="statistics_xlsx"),
    path("exports/<slug:key>.xlsx", export_views.list_export, name="list_export"),
    path("trainees/search/", search_views.trainee_search, name="trainee_search"),
    path("audit-trail/", audit_trail_views.audit_trail, name="audit_trail"),
]
