from django.urls import path

from .views import demand, inspections, teachers

app_name = "supervision"

urlpatterns = [
    path("catalogue/", demand.catalogue_list, name="catalogue_list"),
    path("catalogue/new/", demand.catalogue_create, name="catalogue_create"),
    path("catalogue/<int:pk>/", demand.catalogue_detail, name="catalogue_detail"),
    path("catalogue/<int:pk>/edit/", demand.catalogue_edit, name="catalogue_edit"),
    path("catalogue/<int:pk>/end/", demand.catalogue_end, name="catalogue_end"),
    path("demand/", demand.demand_overview, name="demand_overview"),
    path("wishes/", demand.wish_list, name="wish_list"),
    path("wishes/notify/", demand.wish_notify, name="wish_notify"),
    path("wishes/<int:pk>/reveal/", demand.wish_reveal, name="wish_reveal"),
    path("teachers/", teachers.teacher_list, name="teacher_list"),
    path("teachers/propose/", teachers.teacher_propose, name="teacher_propose"),
    path("teachers/queue/", teachers.teacher_queue, name="teacher_queue"),
    path("teachers/<int:pk>/", teachers.teacher_detail, name="teacher_detail"),
    path("teachers/<int:pk>/reveal/", teachers.teacher_reveal, name="teacher_reveal"),
    path("teachers/<int:pk>/confirm/", teachers.teacher_confirm, name="teacher_confirm"),
    path("teachers/<int:pk>/reject/", teachers.teacher_reject, name="teacher_reject"),
    path("classes/<int:pk>/teachers/", teachers.class_teachers, name="class_teachers"),
    path("classes/<int:pk>/inspections/plan/", inspections.inspection_plan, name="inspection_plan"),
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/coverage/", inspections.inspection_coverage, name="inspection_coverage"),
    path("inspections/sw.js", inspections.inspection_service_worker, name="inspection_service_worker"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/record/", inspections.inspection_record, name="inspection_record"),
    path("inspections/<int:pk>/cancel/", inspections.inspection_cancel, name="inspection_cancel"),
    path("inspections/files/<int:pk>/", inspections.inspection_attachment, name="inspection_attachment"),
]
