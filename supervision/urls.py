from django.urls import path

from .views import demand, performance, teachers

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
    path("performance/", performance.performance_list, name="performance_list"),
    path("performance/<int:pk>/<int:year>/", performance.performance_detail, name="performance_detail"),
    path("performance/<int:pk>/<int:year>/evaluate/", performance.performance_evaluate, name="performance_evaluate"),
    path("performance/<int:pk>/<int:year>/decide/", performance.performance_decide, name="performance_decide"),
    path("performance/<int:pk>/<int:year>/readmit/", performance.institution_readmit, name="institution_readmit"),
    path("performance/decisions/", performance.decision_list, name="decision_list"),
    path("performance/decisions/<int:pk>/publish/", performance.decision_publish, name="decision_publish"),
    path("performance/decisions/<int:pk>/withdraw/", performance.decision_withdraw, name="decision_withdraw"),
    path("teacher-performance/", performance.teacher_performance, name="teacher_performance"),
]
