from django.urls import path

from . import notice_views, views

app_name = "evaluations"

urlpatterns = [
    path("queue/county/", views.county_queue, name="county_queue"),
    path("queue/league/", views.league_queue, name="league_queue"),
    path("commendations/", views.commendations, name="commendations"),
    path("classes/<int:pk>/", views.class_evaluation, name="class_evaluation"),
    path("classes/<int:pk>/self-assessment/", views.self_assessment, name="self_assessment"),
    path("classes/<int:pk>/verification/", views.county_verification, name="county_verification"),
    path("classes/<int:pk>/forward/", views.forward, name="forward"),
    path("classes/<int:pk>/approve/", views.approve, name="approve"),
    path("classes/<int:pk>/return/", views.return_to_county, name="return"),
    path("classes/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("classes/<int:pk>/paper-forms/", views.paper_entry, name="paper_entry"),
    path("classes/<int:pk>/link/", views.link_create, name="link_create"),
    path("classes/<int:pk>/link/<int:link_pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("classes/<int:pk>/poster/", views.link_poster, name="link_poster"),
    path("classes/<int:pk>/rectifications/", views.rectification_issue, name="rectification_issue"),
    path("classes/<int:pk>/rectifications/<int:notice_pk>/close/", views.rectification_close, name="rectification_close"),
    path("classes/<int:pk>/investigations/", views.investigation_open, name="investigation_open"),
    path("classes/<int:pk>/investigations/<int:investigation_pk>/conclude/", views.investigation_conclude, name="investigation_conclude"),
    path("rectifications/<int:notice_pk>/", notice_views.rectification_notice, name="rectification_notice"),
    path("rectifications/<int:notice_pk>/report/", notice_views.rectification_notice_report, name="rectification_notice_report"),
    path("rectifications/<int:notice_pk>/return/", notice_views.rectification_notice_return, name="rectification_notice_return"),
    path("rectifications/<int:notice_pk>/close/", notice_views.rectification_notice_close, name="rectification_notice_close"),
    path("forms/<int:evaluation_pk>/", views.trainee_evaluation_detail, name="trainee_evaluation"),
    path("forms/<int:evaluation_pk>/untruthful/", views.mark_untruthful, name="mark_untruthful"),
]
