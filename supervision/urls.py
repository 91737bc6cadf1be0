from django.urls import path

from .views import demand, department_lists, opening, teachers

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
    # Class-opening review (开班审核) and change requests (备案变更), policy §8.2.
    path("opening/", opening.opening_list, name="opening_list"),
    path("classes/<int:pk>/opening/", opening.opening_class, name="opening_class"),
    path("classes/<int:pk>/opening/documents/", opening.opening_document_upload, name="opening_document_upload"),
    path("classes/<int:pk>/opening/documents/<int:document_pk>/", opening.opening_document_download,
         name="opening_document_download"),
    path("classes/<int:pk>/opening/documents/<int:document_pk>/delete/", opening.opening_document_delete,
         name="opening_document_delete"),
    path("classes/<int:pk>/opening/submit/", opening.opening_submit, name="opening_submit"),
    path("classes/<int:pk>/opening/review/", opening.opening_review, name="opening_review"),
    path("classes/<int:pk>/opening/review/trainees/<int:enrollment_pk>/", opening.opening_trainee_decide,
         name="opening_trainee_decide"),
    path("classes/<int:pk>/opening/review/approve/", opening.opening_approve, name="opening_approve"),
    path("classes/<int:pk>/opening/review/return/", opening.opening_return, name="opening_return"),
    path("classes/<int:pk>/changes/", opening.change_list, name="change_list"),
    path("classes/<int:pk>/changes/new/", opening.change_create, name="change_create"),
    path("classes/<int:pk>/changes/<int:change_pk>/", opening.change_detail, name="change_detail"),
    path("classes/<int:pk>/changes/<int:change_pk>/approve/", opening.change_approve, name="change_approve"),
    path("classes/<int:pk>/changes/<int:change_pk>/refuse/", opening.change_refuse, name="change_refuse"),
    # Departments' lists (部门名单), league staff only.
    path("department-lists/", department_lists.department_list_list, name="department_list_list"),
    path("department-lists/import/", department_lists.department_list_import, name="department_list_import"),
    path("department-lists/template.xlsx", department_lists.department_list_template, name="department_list_template"),
    path("department-lists/<int:pk>/", department_lists.department_list_detail, name="department_list_detail"),
    path("department-lists/<int:pk>/entries/<int:entry_pk>/reveal/", department_lists.department_list_entry_reveal,
         name="department_list_entry_reveal"),
]
