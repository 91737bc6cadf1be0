from django.urls import path

from .views import attendance, demand, signals, teachers

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
    path("classes/<int:pk>/signals/", signals.class_signals, name="class_signals"),
    path("signals/", signals.signal_list, name="signal_list"),
    path("signals/<int:pk>/dismiss/", signals.signal_dismiss, name="signal_dismiss"),
    path("attendance/", attendance.attendance_classes, name="attendance_classes"),
    path("attendance/classes/<int:pk>/", attendance.attendance_class, name="attendance_class"),
    path("attendance/classes/<int:pk>/trainees/", attendance.attendance_trainees, name="attendance_trainees"),
    path("attendance/classes/<int:pk>/days/<str:day>/", attendance.attendance_day, name="attendance_day"),
    path("attendance/classes/<int:pk>/site/", attendance.class_site_edit, name="class_site_edit"),
    path("attendance/classes/<int:pk>/code/", attendance.attendance_code, name="attendance_code"),
    path("attendance/classes/<int:pk>/code/current/", attendance.attendance_code_current, name="attendance_code_current"),
    path("attendance/classes/<int:pk>/code/open/", attendance.attendance_day_open, name="attendance_day_open"),
    path("attendance/classes/<int:pk>/spot-checks/", attendance.spot_checks, name="spot_checks"),
    path(
        "attendance/classes/<int:pk>/trainees/<int:enrollment_pk>/dismiss/",
        attendance.shortfall_dismiss, name="shortfall_dismiss",
    ),
    path("attendance/check-ins/<int:pk>/photo/", attendance.check_in_photo, name="check_in_photo"),
    path("attendance/check-ins/<int:pk>/dismiss/", attendance.check_in_dismiss, name="check_in_dismiss"),
    path("attendance/spot-checks/<int:pk>/", attendance.spot_check, name="spot_check"),
    path("attendance/spot-check-items/<int:item_pk>/verdict/", attendance.spot_check_verdict, name="spot_check_verdict"),
]
