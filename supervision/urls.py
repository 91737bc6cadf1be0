from django.urls import path

from .views import attendance

app_name = "supervision"

urlpatterns = [
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
