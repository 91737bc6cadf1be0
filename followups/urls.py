from django.urls import path

from . import views

app_name = "followups"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("coverage/", views.coverage_report, name="coverage"),
    path("employment/", views.employment_overview, name="employment_overview"),
    path("items/<int:item_pk>/", views.call, name="call"),
    path("classes/<int:pk>/", views.class_followups, name="class_followups"),
    path("classes/<int:pk>/draw/", views.draw, name="draw"),
    path("classes/<int:pk>/employment/", views.class_employment, name="class_employment"),
    path("classes/<int:pk>/employment/<int:enrollment_pk>/", views.employment_edit, name="employment_edit"),
    path("classes/<int:pk>/employment.xlsx", views.employment_export, name="employment_export"),
    path("classes/<int:pk>/employment/import/", views.employment_import, name="employment_import"),
]
