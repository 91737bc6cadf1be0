"""Class lifecycle through the pages, masking of personal data, constant query counts, demo data."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from classes import services
from classes.models import Enrollment, Institution, TrainingClass
from conftest import approve_opening, enroll, make_class
from xingan_training.errors import ServiceError

CLASS_FORM = {
    "batch_number": "XA152201-2026-100",
    "category": "employment_skills",
    "start_date": "2026-12-01",
    "end_date": "2026-12-15",
    "registered_headcount": 30,
    "class_hours": 80,
    "location": "机构本部",
}


class TestLifecycle:
    def test_institution_creates_a_class_in_its_own_institution(self, login, institution_user, occupation):
        response = login(institution_user).post(reverse("classes:class_create"), {**CLASS_FORM, "occupation": occupation.pk})
        created = TrainingClass.objects.get(batch_number="XA152201-2026-100")
        assert response.url == reverse("classes:class_detail", args=[created.pk])
        assert created.institution == institution_user.institution
        assert created.status == TrainingClass.Status.DRAFT
        assert created.history.first().history_user == institution_user

    def test_a_rejected_form_keeps_what_was_typed(self, login, institution_user, occupation):
        response = login(institution_user).post(
            reverse("classes:class_create"), {**CLASS_FORM, "occupation": occupation.pk, "end_date": "2026-11-01"}
        )
        page = response.content.decode()
        assert "培训结束日期不能早于开始日期" in page
        assert 'value="XA152201-2026-100"' in page and 'value="机构本部"' in page
        assert not TrainingClass.objects.exists()

    @pytest.mark.parametrize(("field", "value"), [("start_date", "1899-12-31"), ("end_date", "2100-01-01")])
    def test_dates_outside_the_plausible_range_are_refused(self, login, institution_user, occupation, field, value):
        response = login(institution_user).post(
            reverse("classes:class_create"), {**CLASS_FORM, "occupation": occupation.pk, field: value}
        )
        page = response.content.decode()
        assert "日期不能早于1900年1月1日" in page or "日期不能晚于2099年12月31日" in page
        assert not TrainingClass.objects.exists()

    def test_duplicate_batch_number_is_a_clear_error(self, login, institution_user, occupation, training_class):
        response = login(institution_user).post(
            reverse("classes:class_create"), {**CLASS_FORM, "occupation": occupation.pk, "batch_number": training_class.batch_number}
        )
        assert "已存在" in response.content.decode()

    def test_an_institution_out_of_the_catalogue_cannot_open_classes(self, institution_user, occupation):
        Institution.objects.filter(pk=institution_user.institution_id).update(catalogue_status="suspended")
        institution_user.refresh_from_db()
        with pytest.raises(ServiceError, match="不在补贴性培训机构目录内"):
            services.training_class_create(actor=institution_user, occupation=occupation, **{**CLASS_FORM, "start_date": date(2026, 12, 1), "end_date": date(2026, 12, 15)})

    def test_start_needs_a_roster_then_finish_records_assessment_and_completes_trainees(
        self, login, institution_user, training_class
    ):
        client = login(institution_user)
        response = client.post(reverse("classes:class_start", args=[training_class.pk]), follow=True)
        assert "尚未提交开班审核" in response.content.decode(), "policy §8.2: only approved classes start"
        approve_opening(training_class)
        response = client.post(reverse("classes:class_start", args=[training_class.pk]), follow=True)
        assert "花名册为空" in response.content.decode()
        enroll(training_class, 3)
        client.post(reverse("classes:class_start", args=[training_class.pk]))
        training_class.refresh_from_db()
        assert training_class.status == TrainingClass.Status.IN_TRAINING

        client.post(reverse("classes:class_finish", args=[training_class.pk]), {"assessment_end_date": "2026-05-20"})
        training_class.refresh_from_db()
        assert training_class.status == TrainingClass.Status.FINISHED
        assert training_class.assessment_end_date == date(2026, 5, 20)
        assert set(training_class.enrollments.values_list("completion", flat=True)) == {Enrollment.Completion.COMPLETED}

    def test_transitions_out_of_order_are_refused_and_change_nothing(self, institution_user, training_class):
        with pytest.raises(ServiceError, match="只有“培训中”的培训班可以结业"):
            services.training_class_finish(actor=institution_user, training_class=training_class, assessment_end_date=date(2026, 5, 20))
        training_class.refresh_from_db()
        assert training_class.status == TrainingClass.Status.DRAFT

    def test_assessment_cannot_end_before_training(self, institution_user, training_class):
        enroll(training_class, 1)
        approve_opening(training_class)
        services.training_class_start(actor=institution_user, training_class=training_class)
        with pytest.raises(ServiceError, match="不能早于培训结束日期"):
            services.training_class_finish(actor=institution_user, training_class=training_class, assessment_end_date=date(2026, 5, 1))

    def test_county_staff_cannot_change_a_class_of_their_county(self, county_user, training_class):
        enroll(training_class, 1)
        with pytest.raises(ServiceError, match="只有培训机构人员"):
            services.training_class_start(actor=county_user, training_class=training_class)

    def test_a_finished_class_is_no_longer_editable(self, login, institution_user, training_class):
        TrainingClass.objects.filter(pk=training_class.pk).update(status=TrainingClass.Status.FINISHED)
        assert login(institution_user).get(reverse("classes:class_edit", args=[training_class.pk])).status_code == 404

    def test_class_page_shows_the_change_history(self, login, institution_user, training_class, occupation):
        services.training_class_update(actor=institution_user, training_class=training_class, location="新实训楼")
        page = login(institution_user).get(reverse("classes:class_detail", args=[training_class.pk])).content.decode()
        assert "培训地点：培训基地 → 新实训楼" in page
        assert institution_user.display_name in page

    def test_removing_a_trainee_asks_first_and_is_recorded(self, login, institution_user, training_class):
        enrollment = enroll(training_class, 2)[0]
        client = login(institution_user)
        url = reverse("classes:enrollment_remove", args=[training_class.pk, enrollment.pk])
        assert "确认将" in client.get(url).content.decode()
        client.post(url)
        assert not Enrollment.objects.filter(pk=enrollment.pk).exists()
        assert Enrollment.history.filter(id=enrollment.pk, history_type="-", history_user=institution_user).exists()


    def test_a_trainee_who_left_is_marked_dropped_and_keeps_that_at_the_finish(self, login, institution_user, training_class):
        leaving, staying = enroll(training_class, 2)
        client = login(institution_user)
        url = reverse("classes:enrollment_mark_dropped", args=[training_class.pk, leaving.pk])
        client.post(url)
        assert Enrollment.objects.get(pk=leaving.pk).completion == Enrollment.Completion.ENROLLED, "only while training"
        approve_opening(training_class)
        client.post(reverse("classes:class_start", args=[training_class.pk]))
        client.post(url)
        client.post(reverse("classes:class_finish", args=[training_class.pk]), {"assessment_end_date": "2026-05-20"})
        assert Enrollment.objects.get(pk=leaving.pk).completion == Enrollment.Completion.DROPPED
        assert Enrollment.objects.get(pk=staying.pk).completion == Enrollment.Completion.COMPLETED


class TestPersonalData:
    def test_roster_page_masks_ids_and_phones(self, login, county_user, training_class):
        enrollment = enroll(training_class, 1)[0]
        trainee = enrollment.trainee
        page = login(county_user).get(reverse("classes:class_detail", args=[training_class.pk])).content.decode()
        assert trainee.masked_id_number in page and enrollment.masked_phone in page
        assert trainee.id_number not in page and enrollment.phone not in page

    def test_revealing_the_full_values_is_audited(self, login, county_user, training_class):
        enrollment = enroll(training_class, 1)[0]
        client = login(county_user)
        response = client.post(reverse("classes:enrollment_reveal", args=[training_class.pk, enrollment.pk]))
        assert enrollment.trainee.id_number in response.content.decode()
        assert response["Cache-Control"] == "no-store"
        event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_PERSONAL_DATA)
        assert event.actor == county_user and event.object_id == str(enrollment.trainee.pk)

    def test_reveal_is_post_only(self, login, county_user, training_class):
        enrollment = enroll(training_class, 1)[0]
        response = login(county_user).get(reverse("classes:enrollment_reveal", args=[training_class.pk, enrollment.pk]))
        assert response.status_code == 405
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA).exists()


class TestListsAndQueries:
    def test_class_list_filters_by_status_and_search(self, login, county_user, institution, occupation):
        draft = make_class(institution, occupation, batch_number="XA152201-2026-201")
        running = make_class(institution, occupation, batch_number="XA152201-2026-202", status=TrainingClass.Status.IN_TRAINING)
        client = login(county_user)
        page = client.get(reverse("classes:class_list"), {"status": "in_training"}).content.decode()
        assert running.batch_number in page and draft.batch_number not in page
        page = client.get(reverse("classes:class_list"), {"q": "-201"}).content.decode()
        assert draft.batch_number in page and running.batch_number not in page

    def test_class_search_ignores_letter_case_and_matches_chinese_as_typed(self, login, county_user, institution, occupation):
        nursing = make_class(institution, occupation, batch_number="XA152201-2026-211")
        other = make_class(institution, occupation, batch_number="XA152201-2026-212")
        TrainingClass.objects.filter(pk=nursing.pk).update(location="乌兰浩特市护理实训室")
        client = login(county_user)
        page = client.get(reverse("classes:class_list"), {"q": "xa152201-2026-211"}).content.decode()
        assert nursing.batch_number in page and other.batch_number not in page
        page = client.get(reverse("classes:class_list"), {"q": "护理实训"}).content.decode()
        assert nursing.batch_number in page and other.batch_number not in page

    def test_empty_list_says_so(self, login, county_user):
        assert "没有符合条件的培训班" in login(county_user).get(reverse("classes:class_list")).content.decode()

    def test_class_list_query_count_does_not_grow_with_rows(
        self, login, league_user, institution, occupation, django_assert_max_num_queries
    ):
        client = login(league_user)
        for number in range(3):
            make_class(institution, occupation, batch_number=f"XA152201-2026-3{number:02d}")
        with django_assert_max_num_queries(13) as few:  # 12 + the second factor's device read (django-otp)
            client.get(reverse("classes:class_list"))
        for number in range(3, 25):
            enroll(make_class(institution, occupation, batch_number=f"XA152201-2026-3{number:02d}"), 1, seed=number)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(reverse("classes:class_list"))
        assert response.content.decode().count("XA152201-2026-3") >= 25

    def test_roster_query_count_does_not_grow_with_trainees(
        self, login, county_user, training_class, django_assert_max_num_queries
    ):
        client = login(county_user)
        enroll(training_class, 2)
        url = reverse("classes:class_detail", args=[training_class.pk])
        with django_assert_max_num_queries(30) as few:
            client.get(url)
        enroll(training_class, 20, seed=2)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)

    def test_landing_page_shows_the_counts_of_the_users_scope(self, login, county_user, training_class, other_class):
        enroll(training_class, 4)
        page = login(county_user).get(reverse("home")).content.decode()
        assert '<div class="stat-value">4</div><div class="stat-label">参训人次</div>' in page
        assert other_class.batch_number not in page
