from django.urls import path

from .views import demand, rectification, teachers

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
    path("rectifications/", rectification.rectification_list, name="rectification_list"),
    path("rectifications/new/", rectification.rectification_new, name="rectification_new"),
    path("rectifications/<int:pk>/", rectification.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/evidence/", rectification.rectification_evidence, name="rectification_evidence"),
    path("rectifications/<int:pk>/send-back/", rectification.rectification_send_back, name="rectification_send_back"),
    path("rectifications/<int:pk>/close/", rectification.rectification_close, name="rectification_close"),
    path("rectifications/files/<int:pk>/", rectification.rectification_attachment, name="rectification_attachment"),
]
