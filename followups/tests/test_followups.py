"""Policy §4–§5 on the database: drawing, idempotency, replacement, coverage, forwarding, grading, scoping."""

import time
from datetime import date

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from classes.models import Enrollment, TraineeCategory, TrainingClass
from conftest import enroll, make_class, run_at_once
from followups import services
from followups.models import CallAttempt, EmploymentRecord, FollowupItem, FollowupSample, Reminder
from followups.sampling import draw_order
from followups.selectors import coverage_of, employment_grades
from xingan_training.celery import app as celery_app
from xingan_training.errors import ServiceError

from .conftest import ANSWERS, ended_class


class TestDrawing:
    def test_a_fifth_rounded_up_is_drawn_with_a_re_derivable_seed_and_a_clipped_due_date(self, sampled):
        training_class, sample = sampled
        assert sample.target_size == 3
        assert sample.due_date == date(2026, 2, 28)
        drawn = list(sample.items.order_by("position").values_list("enrollment_id", flat=True))
        candidates = sorted(training_class.enrollments.values_list("id", flat=True))
        assert sample.candidates == candidates
        assert drawn == draw_order(candidates, sample.seed)[:3]

    def test_drawing_twice_keeps_the_first_draw(self, sampled):
        training_class, sample = sampled
        again = services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished")
        assert again.pk == sample.pk and again.seed == sample.seed
        assert FollowupItem.objects.filter(sample=sample).count() == 3

    def test_the_sweep_draws_due_classes_once(self, institution, occupation, training_class):
        for number in range(3):
            ended_class(institution, occupation, batch=f"XA152201-2026-51{number}", size=5 + number)
        not_ended = make_class(institution, occupation, batch_number="XA152201-2026-520", status=TrainingClass.Status.IN_TRAINING)
        enroll(not_ended, 4)
        assert services.followup_samples_sweep() == 3
        assert services.followup_samples_sweep() == 0
        assert FollowupSample.objects.count() == 3
        assert not FollowupSample.objects.filter(training_class__in=[not_ended, training_class]).exists()

    def test_a_class_with_no_roster_or_no_assessment_end_is_not_drawn(self, institution, occupation, training_class):
        empty = make_class(institution, occupation, batch_number="XA152201-2026-521", status=TrainingClass.Status.FINISHED,
                           assessment_end_date=date(2026, 5, 20))
        assert services.followup_sample_draw(training_class_id=empty.pk, trigger="class_finished") is None
        assert services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished") is None

    def test_a_draw_that_fails_half_way_leaves_nothing(self, institution, occupation, monkeypatch):
        training_class = ended_class(institution, occupation)

        def killed(*args, **kwargs):
            raise RuntimeError("worker killed")

        monkeypatch.setattr(FollowupItem.objects, "bulk_create", killed)
        with pytest.raises(RuntimeError):
            services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished")
        assert not FollowupSample.objects.filter(training_class=training_class).exists()

    def test_the_county_button_draws_at_once_and_is_scoped(self, client, county_user, other_county_user, institution, occupation):
        training_class = ended_class(institution, occupation)
        client.force_login(other_county_user)
        assert client.post(reverse("followups:draw", args=[training_class.pk])).status_code == 404
        client.force_login(county_user)
        page = client.post(reverse("followups:draw", args=[training_class.pk]), follow=True).content.decode()
        assert "已抽取 3 名学员，回访截止 2026-02-28" in page
        assert FollowupSample.objects.get(training_class=training_class).drawn_by == county_user

    def test_the_management_command_runs_the_sweep(self, institution, occupation):
        from io import StringIO

        from django.core.management import call_command

        ended_class(institution, occupation)
        output = StringIO()
        call_command("sample_followups", stdout=output)
        assert "1 个培训班" in output.getvalue()


class TestCalls:
    def test_completed_calls_reach_the_target_despite_replacements(self, sampled, county_user, settings):
        settings.FOLLOWUP_MAX_FAILED_ATTEMPTS = 1
        training_class, sample = sampled
        services.call_attempt_record(actor=county_user, item=sample.items.get(position=0), outcome="refused")
        for item in sample.items.filter(status=FollowupItem.Status.PENDING):
            services.call_attempt_record(actor=county_user, item=item, outcome="completed", answers=ANSWERS)
        coverage = coverage_of(training_class)
        assert coverage.completed == 3 and coverage.target == 3 and coverage.is_reached

    def test_a_completed_call_feeds_the_employment_file(self, sampled, county_user):
        _training_class, sample = sampled
        item = sample.items.first()
        services.call_attempt_record(actor=county_user, item=item, outcome="completed", answers=ANSWERS)
        record = EmploymentRecord.objects.get(enrollment=item.enrollment)
        assert (record.destination, record.employer, record.monthly_wage, record.source) == ("employee", "某酒店", 3200, "followup")

    def test_a_completed_call_needs_its_answers_and_a_callback_needs_a_time(self, sampled, county_user):
        _training_class, sample = sampled
        item = sample.items.first()
        with pytest.raises(ServiceError, match="接通完成须填写"):
            services.call_attempt_record(actor=county_user, item=item, outcome="completed", answers={})
        with pytest.raises(ServiceError, match="回拨时间"):
            services.call_attempt_record(actor=county_user, item=item, outcome="callback")
        assert not CallAttempt.objects.exists()

    def test_institutions_cannot_phone_or_see_the_worklist(self, client, sampled, institution_user):
        _training_class, sample = sampled
        with pytest.raises(ServiceError, match="只有盟、旗县市人社部门"):
            services.call_attempt_record(actor=institution_user, item=sample.items.first(), outcome="no_answer")
        client.force_login(institution_user)
        assert client.get(reverse("followups:worklist")).status_code == 404
        assert client.get(reverse("followups:call", args=[sample.items.first().pk])).status_code == 404

    def test_the_call_page_shows_the_number_and_audits_it(self, client, sampled, league_user):
        _training_class, sample = sampled
        item = sample.items.first()
        client.force_login(league_user)
        page = client.get(reverse("followups:call", args=[item.pk])).content.decode()
        assert item.enrollment.phone in page and "回访话术" in page
        assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA, actor=league_user).count() == 1

    def test_another_county_reaches_none_of_it(self, client, sampled, other_county_user):
        training_class, sample = sampled
        client.force_login(other_county_user)
        for url in (
            reverse("followups:call", args=[sample.items.first().pk]),
            reverse("followups:class_followups", args=[training_class.pk]),
            reverse("followups:class_employment", args=[training_class.pk]),
            reverse("followups:employment_export", args=[training_class.pk]),
            reverse("followups:employment_edit", args=[training_class.pk, sample.items.first().enrollment_id]),
            reverse("reports:followups", args=[training_class.pk]),
        ):
            assert client.get(url).status_code == 404, url
        assert sample.items.first().enrollment.trainee.name not in client.get(reverse("followups:worklist")).content.decode()


class TestCoverageAndForwarding:
    def test_forwarding_is_refused_until_a_fifth_is_phoned(self, institution_user, county_user, institution, occupation):
        from evaluations import services as review
        from evaluations.tests.conftest import add_forms, self_assess, verify

        training_class = ended_class(institution, occupation, size=10)
        add_forms(training_class, ["excellent"] * 10)
        self_assess(institution_user, training_class)
        verify(county_user, training_class)
        with pytest.raises(ServiceError, match="尚未抽取电话回访样本"):
            review.review_forward(actor=county_user, training_class=training_class)
        sample = services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished")
        first, second = sample.items.all()
        services.call_attempt_record(actor=county_user, item=first, outcome="completed", answers=ANSWERS)
        with pytest.raises(ServiceError, match=r"电话回访未达到20%（已完成 1 人，须完成 2 人）"):
            review.review_forward(actor=county_user, training_class=training_class)
        services.call_attempt_record(actor=county_user, item=second, outcome="completed", answers=ANSWERS)
        review.review_forward(actor=county_user, training_class=training_class)

    def test_on_time_counts_calls_completed_by_the_due_date(self, sampled, county_user):
        training_class, sample = sampled
        late, on_time, _rest = sample.items.all()
        for item in (late, on_time):
            services.call_attempt_record(actor=county_user, item=item, outcome="completed", answers=ANSWERS)
        FollowupItem.objects.filter(pk=on_time.pk).update(completed_at=timezone.make_aware(timezone.datetime(2026, 2, 10, 9)))
        coverage = coverage_of(training_class)
        assert (coverage.completed, coverage.on_time) == (2, 1)

    def test_county_coverage_report_sums_its_classes(self, client, sampled, county_user):
        _training_class, sample = sampled
        services.call_attempt_record(actor=county_user, item=sample.items.first(), outcome="completed", answers=ANSWERS)
        client.force_login(county_user)
        page = client.get(reverse("followups:coverage"), {"due_from": "2026-01-01", "due_to": "2026-12-31"}).content.decode()
        assert "<td>乌兰浩特市</td><td class=\"text-end\">1</td><td class=\"text-end\">0</td><td class=\"text-end\">3</td><td class=\"text-end\">1</td>" in page

    def test_the_coverage_report_counts_reached_classes_and_calls_on_time(self, client, county_user, institution, occupation):
        reached, short = (ended_class(institution, occupation, batch=f"XA152201-2026-53{number}") for number in range(2))
        # Due 2026-02-28: the first two calls of each class are made on 2026-02-10, the third (a class's last) today.
        before_due = timezone.make_aware(timezone.datetime(2026, 2, 10, 9))
        for training_class, calls in ((reached, 3), (short, 1)):
            sample = services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished")
            for number, item in enumerate(sample.items.order_by("position")[:calls]):
                with time_machine.travel(before_due if number < 2 else timezone.now(), tick=False):
                    services.call_attempt_record(actor=county_user, item=item, outcome="completed", answers=ANSWERS)
        client.force_login(county_user)
        page = client.get(reverse("followups:coverage"), {"due_from": "2026-01-01", "due_to": "2026-12-31"}).content.decode()
        cells = "".join(f'<td class="text-end">{figure}</td>' for figure in (2, 1, 6, 4, 3))
        assert f"<td>乌兰浩特市</td>{cells}" in page, "2 classes, 1 reached 20%, 6 to phone, 4 phoned, 3 on time"

    def test_the_worklist_lists_pending_calls_by_due_date_then_draw_order(self, client, county_user, institution, occupation):
        later = ended_class(institution, occupation, batch="XA152201-2026-540", ended=date(2026, 1, 31))
        sooner = ended_class(institution, occupation, batch="XA152201-2026-541", ended=date(2025, 12, 15))
        samples = [services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished")
                   for training_class in (later, sooner)]
        assert samples[1].due_date < samples[0].due_date
        first_call = samples[1].items.order_by("position").first()
        services.call_attempt_record(actor=county_user, item=first_call, outcome="completed", answers=ANSWERS)
        client.force_login(county_user)
        shown = [item.pk for item in client.get(reverse("followups:worklist")).context["page"]]
        expected = [item.pk for sample in reversed(samples) for item in sample.items.order_by("position")
                    if item.pk != first_call.pk]
        assert shown == expected

    def test_overdue_follow_ups_remind_the_county_once_a_day(self, sampled, county_user, other_county_user):
        assert services.reminders_create_for_overdue(today=date(2026, 3, 1)) == 1
        assert services.reminders_create_for_overdue(today=date(2026, 3, 1)) == 0
        reminder = Reminder.objects.get()
        assert reminder.user == county_user and "已完成 0 人，须完成 3 人" in reminder.message
        assert services.reminders_create_for_overdue(today=date(2026, 2, 20)) == 0, "not overdue before the due date"

    def test_a_follow_up_that_reached_its_target_is_not_reminded(self, sampled, county_user):
        _training_class, sample = sampled
        items = list(sample.items.order_by("position"))
        for item in items[:-1]:
            services.call_attempt_record(actor=county_user, item=item, outcome="completed", answers=ANSWERS)
        services.reminders_create_for_overdue(today=date(2026, 3, 1))
        assert f"已完成 {len(items) - 1} 人，须完成 {len(items)} 人" in Reminder.objects.get().message
        services.call_attempt_record(actor=county_user, item=items[-1], outcome="completed", answers=ANSWERS)
        assert services.reminders_create_for_overdue(today=date(2026, 3, 2)) == 0


class TestEmploymentGrading:
    def grade_class(self, training_class, employed: int, destination="employee"):
        for enrollment in training_class.enrollments.order_by("id")[:employed]:
            EmploymentRecord.objects.create(enrollment=enrollment, destination=destination, source="institution",
                                            updated_by_id=training_class.created_by_id or 1)
        return {grade.group: grade for grade in employment_grades(training_class.enrollments.all())}

    def test_farmer_herder_boundaries(self, institution, occupation, institution_user):
        training_class = ended_class(institution, occupation, size=10)
        TrainingClass.objects.filter(pk=training_class.pk).update(created_by=institution_user)
        training_class.refresh_from_db()
        grades = self.grade_class(training_class, 3)
        farmer = grades["farmer_herder"]
        assert (farmer.successes, farmer.total, farmer.grade) == (3, 10, "excellent")
        assert grades["urban_unemployed"].grade is None

    def test_only_completed_trainees_count(self, institution, occupation, institution_user):
        training_class = ended_class(institution, occupation, size=10)
        TrainingClass.objects.filter(pk=training_class.pk).update(created_by=institution_user)
        training_class.refresh_from_db()
        Enrollment.objects.filter(pk__in=training_class.enrollments.order_by("-id").values_list("id", flat=True)[:2]).update(
            completion=Enrollment.Completion.DROPPED
        )
        farmer = self.grade_class(training_class, 2)["farmer_herder"]
        assert (farmer.successes, farmer.total, farmer.grade) == (2, 8, "good")

    def test_entrepreneurship_classes_grade_business_starts_for_everyone(self, institution, occupation, institution_user):
        training_class = ended_class(institution, occupation, size=10)
        TrainingClass.objects.filter(pk=training_class.pk).update(category="entrepreneurship", created_by=institution_user)
        training_class.refresh_from_db()
        grades = self.grade_class(training_class, 1, destination="business")
        assert (grades["entrepreneurship"].successes, grades["entrepreneurship"].total) == (1, 10)
        assert grades["entrepreneurship"].grade == "excellent"
        assert grades["farmer_herder"].total == 0

    def test_students_are_reported_not_graded(self, institution, occupation, institution_user):
        training_class = ended_class(institution, occupation, size=5)
        TrainingClass.objects.filter(pk=training_class.pk).update(created_by=institution_user)
        training_class.refresh_from_db()
        student = TraineeCategory.objects.get(code="college_graduate")
        for enrollment in training_class.enrollments.all():
            enrollment.trainee.category = student
            enrollment.trainee.save()
        grades = self.grade_class(training_class, 2)
        assert all(grade.total == 0 for grade in grades.values())

    def test_institution_keeps_the_file_and_the_class_page_grades_it(self, client, institution, occupation, institution_user):
        training_class = ended_class(institution, occupation, size=5)
        enrollment = training_class.enrollments.first()
        client.force_login(institution_user)
        client.post(reverse("followups:employment_edit", args=[training_class.pk, enrollment.pk]),
                    {"destination": "flexible", "employer": "网约车", "monthly_wage": "4000"})
        assert EmploymentRecord.objects.get(enrollment=enrollment).source == "institution"
        page = client.get(reverse("followups:class_employment", args=[training_class.pk])).content.decode()
        assert "1/5" in page and "20.0%" in page and "一般" in page


@pytest.mark.django_db(transaction=True)
class TestBroker:
    def queued(self) -> int:
        queue = celery_app.conf.task_default_queue
        with celery_app.connection_for_write() as connection:
            return connection.default_channel.queue_declare(queue=queue, passive=False).message_count

    def purge(self):
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_purge(celery_app.conf.task_default_queue)

    def test_a_task_enqueued_in_a_rolled_back_transaction_is_never_sent(self, institution, occupation):
        training_class = ended_class(institution, occupation)
        self.purge()
        with pytest.raises(RuntimeError), transaction.atomic():
            services.enqueue_sample_draw(training_class.pk)
            raise RuntimeError("rolled back")
        assert self.queued() == 0
        with transaction.atomic():
            services.enqueue_sample_draw(training_class.pk)
        assert self.queued() == 1
        self.purge()

    def test_a_dead_broker_neither_hangs_the_request_nor_loses_the_draw(self, client, institution_user, institution, occupation):
        from conftest import make_class as new_class

        training_class = new_class(institution, occupation, batch_number="XA152201-2026-530",
                                   status=TrainingClass.Status.IN_TRAINING, end_date=date(2026, 5, 18))
        enroll(training_class, 6)
        original = celery_app.conf.broker_url, celery_app.conf.broker_transport_options

        def use_broker(url, options):
            celery_app.conf.broker_url = url
            celery_app.conf.broker_transport_options = options
            celery_app._pool = None
            celery_app.amqp._producer_pool = None

        # Nothing listens on port 1; the options are the ones production uses with Redis.
        use_broker("redis://127.0.0.1:1/0", {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                              "interval_max": 0.5, "socket_connect_timeout": 2})
        try:
            client.force_login(institution_user)
            started = time.monotonic()
            page = client.post(reverse("classes:class_finish", args=[training_class.pk]),
                               {"assessment_end_date": "2026-05-20"}, follow=True).content.decode()
            elapsed = time.monotonic() - started
        finally:
            use_broker(*original)
        assert "培训班已结业" in page and elapsed < 5
        assert not FollowupSample.objects.filter(training_class=training_class).exists()
        assert services.followup_samples_sweep() == 1
        assert FollowupSample.objects.get(training_class=training_class).target_size == 2


class TestEmploymentFile:
    def test_export_then_import_round_trip_is_all_or_nothing(self, client, institution, occupation, institution_user):
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from openpyxl import load_workbook

        training_class = ended_class(institution, occupation, size=3)
        client.force_login(institution_user)
        exported = client.get(reverse("followups:employment_export", args=[training_class.pk])).content
        workbook = load_workbook(io.BytesIO(exported))
        sheet = workbook.active
        rows = list(sheet.iter_rows(min_row=2))
        assert "*" in rows[0][2].value, "ID numbers are masked in the export"
        rows[0][3].value, rows[0][4].value, rows[0][5].value = "单位就业", "兴安盟某酒店", 3500
        rows[1][3].value = "退休"
        rows[2][3].value = "灵活就业"
        buffer = io.BytesIO()
        workbook.save(buffer)
        url = reverse("followups:employment_import", args=[training_class.pk])
        page = client.post(url, {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())}).content.decode()
        assert "第 3 行" in page and "就业去向“退休”不在可选范围内" in page
        assert not EmploymentRecord.objects.exists()

        rows[1][3].value = "未就业"
        buffer = io.BytesIO()
        workbook.save(buffer)
        page = client.post(url, {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())}, follow=True).content.decode()
        assert "已导入 3 名学员的就业跟踪档案" in page
        first = EmploymentRecord.objects.get(enrollment_id=rows[0][0].value)
        assert (first.destination, first.employer, first.monthly_wage) == ("employee", "兴安盟某酒店", 3500)

    def test_rows_of_another_class_are_refused(self, client, institution, occupation, institution_user, other_class):
        from classes.demo_data import roster_workbook_bytes

        training_class = ended_class(institution, occupation, size=1)
        foreign = other_class.enrollments.first()
        data = roster_workbook_bytes([[foreign.pk, foreign.trainee.name, "", "单位就业", "", "", ""]],
                                     headers=["学员编号", "姓名", "身份证号", "就业去向", "就业单位", "月工资收入（元）", "技能提升情况"])
        written, errors = services.employment_records_import(actor=institution_user, training_class=training_class, data=data)
        assert written == 0 and errors[0].message == "学员编号不属于本班花名册"


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_draw_each_class_once(institution, occupation):
    """Issue #12: the beat sweep may run on two workers at once; SKIP LOCKED shares the classes between them."""
    classes = [ended_class(institution, occupation, batch=f"XA152201-2026-6{number:02d}", size=6) for number in range(8)]
    drawn = run_at_once(lambda: services.followup_samples_sweep(batch_size=1), lambda: services.followup_samples_sweep(batch_size=1))
    assert all(isinstance(count, int) for count in drawn), drawn
    assert sum(drawn) == 8
    assert sorted(FollowupSample.objects.values_list("training_class_id", flat=True)) == sorted(c.pk for c in classes)
    assert all(sample.items.count() == 2 for sample in FollowupSample.objects.all())
    assert services.followup_samples_sweep() == 0


@pytest.mark.django_db
def test_a_sweep_that_collides_counts_only_the_samples_it_drew(institution, occupation, monkeypatch):
    """Two sweeps at once: a class the other worker locked, drew and released is not skipped, and this batch's
    snapshot may predate that sample. The insert then collides; the fallback must not count the other's sample."""
    drawn_before = ended_class(institution, occupation, batch="XA152201-2026-701", size=6)
    pending = ended_class(institution, occupation, batch="XA152201-2026-702", size=6)
    services.followup_sample_draw(training_class_id=drawn_before.pk, trigger=FollowupSample.Trigger.SWEEP)
    stale_snapshot = TrainingClass.objects.filter(pk__in=[drawn_before.pk, pending.pk])
    monkeypatch.setattr(services, "_eligible_classes", lambda: stale_snapshot)

    assert services.followup_samples_sweep() == 1
    assert FollowupSample.objects.filter(training_class=drawn_before).count() == 1
    assert FollowupSample.objects.get(training_class=pending).items.count() == 2
