from django.urls import path

from . import views

app_name = "classes"

urlpatterns = [
    path("", views.class_list, name="class_list"),
    path("new/", views.class_create, name="class_create"),
    path("roster-template.xlsx", views.roster_template, name="roster_template"),
    path("<int:pk>/", views.class_detail, name="class_detail"),
    path("<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("<int:pk>/start/", views.class_start, name="class_start"),
    path("<int:pk>/finish/", views.class_finish, name="class_finish"),
    path("<int:pk>/roster/upload/", views.roster_upload, name="roster_upload"),
    path("<int:pk>/roster/imports/<int:import_pk>/", views.roster_import_detail, name="roster_import_detail"),
    path("<int:pk>/roster/imports/<int:import_pk>/confirm/", views.roster_import_confirm, name="roster_import_confirm"),
    path("<int:pk>/roster/export.xlsx", views.roster_export, name="roster_export"),
    path("<int:pk>/roster/<int:enrollment_pk>/reveal/", views.enrollment_reveal, name="enrollment_reveal"),
    path("<int:pk>/roster/<int:enrollment_pk>/remove/", views.enrollment_remove, name="enrollment_remove"),
    path("<int:pk>/roster/<int:enrollment_pk>/dropped/", views.enrollment_mark_dropped, name="enrollment_mark_dropped"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
]
