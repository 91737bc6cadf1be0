"""Fraud signals (policy §8.4): detection at every boundary, the recompute's lifecycle, dismissal, scoping of
every page, and the task queued after commit."""

import json
import random
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from classes import services as class_services
from classes.hooks import ClassChange, notify_class_changed
from classes.models import Enrollment, Occupation, TrainingClass
from conftest import enroll, make_class, run_at_once
from evaluations.items import TRAINEE_ITEM_FIELDS
from evaluations.models import TraineeEvaluation
from followups.models import FollowupItem, FollowupSample
from supervision import attendance as attendance_services
from supervision import fraud_signals
from supervision import signals_detection as detection
from supervision.models import AttendanceDay, CheckIn, ClassSignalCheck, ClassTeacher, FraudSignal, ShortfallDismissal, Teacher
from supervision.signal_evidence import evidence_view
from supervision.tasks import recompute_signals
from xingan_training.errors import ServiceError
from xingan_training.personal_data import phone_digest

from .conftest import north_of_site

SHARED = "13912345678"
ID_NUMBER = "152201199001011234"
UTC = dt_timezone.utc


# Pure detection -------------------------------------------------------------------------------------------------


def class_facts(pk, start=date(2026, 5, 1), end=date(2026, 5, 10), *, code="4-10-01-05", level="4", status="finished"):
    return detection.ClassFacts(pk, 1, f"B-{pk}", "机构", code, level, "养老护理员（四级/中级工）", start, end, status)


def roster_entry(enrollment_id, class_id, trainee_id, *, phone="13800000001", completion="completed"):
    return detection.RosterEntry(enrollment_id, class_id, trainee_id, ID_NUMBER, f"学员{trainee_id}", phone, completion)


def form(form_id, moment, answers=("good",) * 3, class_id=1):
    return detection.FormFacts(form_id, class_id, form_id, f"学员{form_id}", ID_NUMBER, moment, answers)


MORNING = datetime(2026, 5, 9, 8, 0, tzinfo=UTC)


class TestDetection:
    @pytest.mark.parametrize("second_start, expected", [(date(2026, 5, 10), True), (date(2026, 5, 11), False)])
    def test_an_id_in_two_classes_overlaps_when_one_starts_on_the_day_the_other_ends(self, second_start, expected):
        classes = {1: class_facts(1), 2: class_facts(2, second_start, second_start + timedelta(days=5))}
        findings = detection.id_overlap_findings([roster_entry(1, 1, 7), roster_entry(2, 2, 7)], classes)
        assert bool(findings) is expected
        if expected:
            assert findings[0].class_ids == (1, 2) and findings[0].key == findings[0].subject == "trainee:7"
            assert findings[0].evidence["pairs"] == [[1, 2]]

    @pytest.mark.parametrize("trainees, expected", [(2, False), (3, True)])
    def test_a_phone_is_a_signal_from_three_trainees_on(self, trainees, expected):
        classes = {1: class_facts(1), 2: class_facts(2)}
        entries = [roster_entry(number, 1 + number % 2, number, phone=SHARED) for number in range(trainees)]
        findings = detection.shared_phone_findings(entries, classes, lambda phone: "digest")
        assert bool(findings) is expected
        if expected:
            assert findings[0].class_ids == (1, 2) and findings[0].evidence["masked_phone"] == "139****5678"

    def test_the_same_person_twice_with_one_phone_counts_once(self):
        classes = {1: class_facts(1), 2: class_facts(2, date(2026, 6, 1), date(2026, 6, 9))}
        entries = [roster_entry(1, 1, 7, phone=SHARED), roster_entry(2, 2, 7, phone=SHARED), roster_entry(3, 1, 8, phone=SHARED)]
        assert detection.shared_phone_findings(entries, classes, str) == []

    @pytest.mark.parametrize("level, completion, expected", [("4", "completed", True), ("3", "completed", False), ("4", "dropped", False)])
    def test_the_same_occupation_and_level_twice_is_a_signal(self, level, completion, expected):
        classes = {1: class_facts(1), 2: class_facts(2, date(2027, 3, 1), date(2027, 3, 9), level=level)}
        findings = detection.repeat_training_findings([roster_entry(1, 1, 7), roster_entry(2, 2, 7, completion=completion)], classes)
        assert bool(findings) is expected
        if expected:
            assert findings[0].key == "trainee:7|occupation:4-10-01-05:4" and findings[0].subject == "trainee:7"

    @pytest.mark.parametrize("count, expected", [(4, False), (5, True)])
    def test_identical_forms_are_a_signal_from_five_on(self, count, expected):
        forms = [form(number, MORNING + timedelta(minutes=number)) for number in range(count)]
        findings = detection.identical_forms_findings(forms, {1: class_facts(1)})
        assert bool(findings) is expected

    @pytest.mark.parametrize("span, expected", [(timedelta(minutes=10), True), (timedelta(minutes=10, seconds=1), False)])
    def test_the_ten_minutes_include_their_last_second(self, span, expected):
        moments = [MORNING, MORNING + timedelta(minutes=1), MORNING + timedelta(minutes=2), MORNING + timedelta(minutes=3), MORNING + span]
        findings = detection.identical_forms_findings([form(number, moment) for number, moment in enumerate(moments)], {1: class_facts(1)})
        assert bool(findings) is expected

    def test_one_different_answer_breaks_the_set(self):
        forms = [form(number, MORNING + timedelta(minutes=number)) for number in range(4)]
        forms.append(form(9, MORNING, answers=("good", "good", "fair")))
        assert detection.identical_forms_findings(forms, {1: class_facts(1)}) == []

    def test_only_the_forms_inside_a_burst_are_evidence(self):
        moments = [MORNING - timedelta(hours=2)] + [MORNING + timedelta(minutes=number) for number in range(5)]
        [finding] = detection.identical_forms_findings([form(number, moment) for number, moment in enumerate(moments)], {1: class_facts(1)})
        assert finding.evidence["count"] == 5 and [row["form_id"] for row in finding.evidence["rows"]] == [1, 2, 3, 4, 5]

    @pytest.mark.parametrize("distance, expected", [(1000, False), (1001, True)])
    def test_a_check_in_is_far_beyond_the_limit_not_at_it(self, distance, expected):
        check_in = detection.CheckInFacts(1, 1, 1, "学员", ID_NUMBER, date(2026, 5, 2), distance)
        assert bool(detection.far_check_in_findings([check_in], {1: class_facts(1)}, far_metres=1000)) is expected

    @pytest.mark.parametrize("attended, status, expected", [(8, "finished", False), (7, "finished", True), (7, "in_training", False)])
    def test_attendance_below_eighty_percent_of_a_finished_class(self, attended, status, expected):
        row = detection.AttendanceFacts(1, 1, "学员", ID_NUMBER, attended)  # the class has 10 training days
        findings = detection.attendance_shortfall_findings([row], {1: class_facts(1, status=status)})
        assert bool(findings) is expected
        if expected:
            assert findings[0].evidence["rows"][0]["training_days"] == 10

    @pytest.mark.parametrize("received, form2_completed, expected", [(False, True, True), (False, None, False), (False, False, False), (True, True, False)])
    def test_a_call_contradicts_the_form_only_when_the_form_says_completed(self, received, form2_completed, expected):
        call = detection.FollowupFacts(1, 1, 5, "学员", ID_NUMBER, received, None if not received else True, form2_completed)
        findings = detection.followup_contradiction_findings([call], {1: class_facts(1)})
        assert bool(findings) is expected

    def test_a_teacher_is_one_finding_over_all_overlapping_classes(self):
        classes = {pk: class_facts(pk) for pk in (1, 2, 3)}
        pairs = [detection.TeacherPair(4, "李老师", "152201********1234", 1, 2), detection.TeacherPair(4, "李老师", "152201********1234", 2, 3)]
        [finding] = detection.teacher_conflict_findings(pairs, classes)
        assert finding.class_ids == (1, 2, 3) and finding.evidence["pairs"] == [[1, 2], [2, 3]]

    def test_evidence_never_holds_a_full_id_or_phone(self):
        classes = {1: class_facts(1), 2: class_facts(2)}
        entries = [roster_entry(number, 1 + number % 2, number, phone=SHARED) for number in range(3)] + [roster_entry(9, 2, 0, phone=SHARED)]
        findings = detection.all_findings(detection.Facts(classes=classes, enrollments=entries), phone_key=lambda phone: "k", far_metres=1000)
        text = json.dumps([finding.evidence for finding in findings], ensure_ascii=False)
        assert {finding.kind for finding in findings} == {detection.SHARED_PHONE, detection.ID_OVERLAP, detection.REPEAT_TRAINING}
        assert ID_NUMBER not in text and SHARED not in text and "152201********1234" in text

    def test_a_county_reads_other_counties_classes_only_as_a_count(self):
        classes = {1: class_facts(1), 2: class_facts(2)}
        entries = [roster_entry(1, 1, 1, phone=SHARED), roster_entry(2, 1, 2, phone=SHARED), roster_entry(3, 2, 3, phone=SHARED)]
        [finding] = detection.shared_phone_findings(entries, classes, str)
        view = evidence_view(finding.kind, finding.evidence, {1}, tz=UTC)
        assert [row[1] for row in view.rows] == ["学员1", "学员2"] and view.hidden_classes == 1
        assert "辖区外 1 个培训班（无权查看其学员信息）。" in view.notes and "学员3" not in repr(view)


# Recompute and lifecycle ----------------------------------------------------------------------------------------


def recompute(*classes):
    return fraud_signals.fraud_signals_recompute(class_ids=[training_class.pk for training_class in classes])


def share_phone(enrollments, phone=SHARED):
    Enrollment.objects.filter(pk__in=[enrollment.pk for enrollment in enrollments]).update(phone=phone, phone_digest=phone_digest(phone))


def unshare(enrollments):
    for number, enrollment in enumerate(enrollments):
        share_phone([enrollment], f"137000000{number:02d}")


@pytest.fixture
def phone_class(institution, occupation):
    """A class of the county whose first three trainees give one phone number."""
    training_class = make_class(institution, occupation, batch_number="XA152201-2026-301")
    share_phone(enroll(training_class, 5)[:3])
    return training_class


def only_signal(**filters) -> FraudSignal:
    return FraudSignal.objects.get(**filters)


class TestRecompute:
    def test_a_second_recompute_changes_nothing(self, phone_class):
        first = recompute(phone_class)
        signal = only_signal(kind="shared_phone")
        assert (first.created, signal.status, signal.training_class_id, signal.evidence["trainee_count"]) == (1, "open", phone_class.pk, 3)
        again = recompute(phone_class)
        assert (again.created, again.reopened, again.no_longer_detected) == (0, 0, 0)
        assert FraudSignal.objects.count() == 1 and only_signal().first_detected_at == signal.first_detected_at
        assert ClassSignalCheck.objects.get(training_class=phone_class).checked_at >= signal.checked_at

    def test_a_signal_whose_evidence_disappears_reads_no_longer_detected_and_comes_back_open(self, phone_class):
        recompute(phone_class)
        sharer = phone_class.enrollments.filter(phone_digest=phone_digest(SHARED)).first()
        Enrollment.objects.filter(pk=sharer.pk).update(phone="13700000000", phone_digest=phone_digest("13700000000"))
        assert recompute(phone_class).no_longer_detected == 1
        signal = only_signal()
        assert signal.status == "not_detected" and signal.not_detected_since is not None
        Enrollment.objects.filter(pk=sharer.pk).update(phone=SHARED, phone_digest=phone_digest(SHARED))
        assert recompute(phone_class).reopened == 1
        assert only_signal().status == "open" and only_signal().not_detected_since is None

    def test_a_dismissal_survives_every_recompute(self, phone_class, county_user):
        recompute(phone_class)
        fraud_signals.fraud_signal_dismiss(actor=county_user, signal=only_signal(), reason="一家三口共用一部手机，已电话核实")
        recompute(phone_class)
        signal = only_signal()
        assert (signal.status, signal.dismissed_by, signal.dismissal_reason) == ("dismissed", county_user, "一家三口共用一部手机，已电话核实")
        assert not signal.is_evidence_changed_since_dismissal
        share_phone(phone_class.enrollments.order_by("id")[3:4])  # a fourth trainee gives the number
        recompute(phone_class)
        assert only_signal().status == "dismissed" and only_signal().is_evidence_changed_since_dismissal
        sharers = list(phone_class.enrollments.order_by("id")[:4])
        unshare(sharers[:2])
        recompute(phone_class)
        assert only_signal().status == "not_detected" and only_signal().dismissal_reason
        share_phone(sharers[:2])
        recompute(phone_class)
        assert only_signal().status == "dismissed"

    def test_an_id_in_two_counties_is_a_signal_on_both_classes_and_leaves_both_when_it_leaves_one(
        self, institution, other_institution, occupation
    ):
        own = make_class(institution, occupation, batch_number="XA152201-2026-302")
        other = make_class(other_institution, occupation, batch_number="XA152224-2026-302", start_date=own.end_date)
        person = enroll(own, 2)[0]
        Enrollment.objects.create(training_class=other, trainee=person.trainee, roster_name=person.roster_name, phone="13600000000")
        recompute(own)
        assert set(FraudSignal.objects.filter(kind="id_overlap").values_list("training_class_id", "status")) == {
            (own.pk, "open"), (other.pk, "open"),
        }
        Enrollment.objects.filter(training_class=other, trainee=person.trainee).delete()
        recompute(other)  # the person has left the other class: the recompute of that class decides both rows
        assert set(FraudSignal.objects.values_list("status", flat=True)) == {"not_detected"}

    def test_a_phone_that_leaves_a_class_is_decided_for_the_classes_still_sharing_it(self, institution, occupation):
        first = make_class(institution, occupation, batch_number="XA152201-2026-303")
        second = make_class(institution, occupation, batch_number="XA152201-2026-304")
        share_phone(enroll(first, 2) + enroll(second, 1))
        recompute(first)
        assert FraudSignal.objects.filter(kind="shared_phone", status="open").count() == 2
        share_phone(first.enrollments.all()[:1], "13700000000")
        recompute(second)
        assert set(FraudSignal.objects.values_list("status", flat=True)) == {"not_detected"}

    def test_an_older_read_never_overwrites_a_newer_one(self, phone_class):
        recompute(phone_class)
        FraudSignal.objects.update(checked_at=timezone.now() + timedelta(minutes=5))
        unshare(phone_class.enrollments.all())
        assert recompute(phone_class).no_longer_detected == 0 and only_signal().status == "open"

    def test_a_class_recomputed_since_the_task_was_queued_is_skipped(self, phone_class):
        queued_at = timezone.now()
        recompute(phone_class)
        unshare(phone_class.enrollments.all())
        assert fraud_signals.fraud_signals_recompute(class_ids=[phone_class.pk], unless_checked_since=queued_at).classes == 0
        assert recompute_signals([phone_class.pk]) == 0 and only_signal().status == "not_detected"

    def test_the_sweep_covers_every_class_once(self, phone_class, institution, occupation):
        quiet = make_class(institution, occupation, batch_number="XA152201-2026-305")
        enroll(quiet, 3)
        result = fraud_signals.fraud_signals_sweep(batch_size=1)
        assert (result.classes, result.created) == (2, 1)
        assert fraud_signals.fraud_signals_sweep().created == 0
        assert ClassSignalCheck.objects.filter(checked_at__isnull=False).count() == 2


def online_forms(training_class, moments, **answers):
    values = {name: "excellent" for name in TRAINEE_ITEM_FIELDS}
    values.update(
        overall="excellent", completed_training=True, attended_from=training_class.start_date,
        attended_to=training_class.end_date, attended_amount=90, attended_unit="hours",
        organiser_name=training_class.institution.name, occupation_name=training_class.occupation.name,
        is_confirmed=True, signed_on=training_class.end_date,
    )
    values.update(answers)
    for index, (enrollment, moment) in enumerate(zip(training_class.enrollments.order_by("id"), moments)):
        created = TraineeEvaluation.objects.create(enrollment=enrollment, suggestions=f"建议{index}", **values)
        TraineeEvaluation.objects.filter(pk=created.pk).update(submitted_at=moment)


class TestEvidenceFromTheDatabase:
    def test_five_online_forms_alike_but_for_the_suggestions_are_a_signal(self, training_class):
        enroll(training_class, 6)
        online_forms(training_class, [MORNING + timedelta(minutes=2 * number) for number in range(5)], source="online")
        recompute(training_class)
        signal = only_signal(kind="identical_forms")
        assert signal.evidence["count"] == 5 and signal.key.startswith("answers:")

    def test_paper_forms_typed_in_by_the_county_are_not(self, training_class):
        enroll(training_class, 6)
        online_forms(training_class, [MORNING + timedelta(minutes=number) for number in range(6)], source="paper")
        recompute(training_class)
        assert not FraudSignal.objects.exists()

    def test_far_check_ins_and_low_attendance_of_a_finished_class(self, training_class, institution_user, county_user):
        first, second = enroll(training_class, 2)
        TrainingClass.objects.filter(pk=training_class.pk).update(
            status="finished", start_date=date(2026, 5, 1), end_date=date(2026, 5, 10)
        )
        for day in range(1, 11):
            AttendanceDay.objects.create(training_class=training_class, date=date(2026, 5, day), opened_by=institution_user)
            attends = [first] + ([second] if day <= 7 else [])
            for enrollment in attends:
                CheckIn.objects.create(enrollment=enrollment, training_class=training_class, date=date(2026, 5, day),
                                       checked_in_at=timezone.now(), latitude=46.0, longitude=122.0,
                                       distance_m=5000 if (day, enrollment) == (3, first) else 50)
        recompute(training_class)
        far, short = only_signal(kind="far_check_ins"), only_signal(kind="attendance_shortfall")
        assert far.evidence["count"] == 1 and far.evidence["rows"][0]["distance_m"] == 5000
        assert [(row["enrollment_id"], row["attended_days"]) for row in short.evidence["rows"]] == [(second.pk, 7)]
        # What the county dismissed on the attendance pages is no longer evidence here.
        CheckIn.objects.filter(distance_m=5000).update(flag_dismissed_reason="校外实训", flag_dismissed_by=county_user,
                                                       flag_dismissed_at=timezone.now())
        ShortfallDismissal.objects.create(enrollment=second, attended_days=7, training_days=10, reason="病假", dismissed_by=county_user)
        recompute(training_class)
        assert set(FraudSignal.objects.values_list("status", flat=True)) == {"not_detected"}

    def test_a_follow_up_call_denying_a_completed_form(self, training_class, county_user):
        enrollment = enroll(training_class, 1)[0]
        online_forms(training_class, [MORNING], source="online")
        sample = FollowupSample.objects.create(training_class=training_class, seed="s", candidates=[enrollment.pk],
                                               order=[enrollment.pk], target_size=1, due_date=date(2026, 6, 30), trigger="sweep")
        FollowupItem.objects.create(sample=sample, enrollment=enrollment, position=0, status="completed",
                                    received_training=False, completed_at=timezone.now())
        recompute(training_class)
        signal = only_signal(kind="followup_contradiction")
        assert signal.key == f"enrollment:{enrollment.pk}"
        assert signal.evidence["rows"][0]["problems"] == ["回访中表示未参加此次培训，附表2却填写“已完成此次培训”"]

    def test_a_teacher_on_two_overlapping_classes(self, training_class, other_class, institution, institution_user):
        teacher = Teacher.objects.create(name="李老师", id_number="152201198001011236", employment_type="full_time",
                                         qualification="teacher_qualification", certificate_number="C1", employer="学校",
                                         status="confirmed", proposed_by_institution=institution, proposed_by=institution_user,
                                         proposed_at=timezone.now())
        for training in (training_class, other_class):
            ClassTeacher.objects.create(training_class=training, teacher=teacher, assigned_by=institution_user)
        recompute(training_class)
        assert set(FraudSignal.objects.filter(kind="teacher_conflict").values_list("training_class_id", flat=True)) == {
            training_class.pk, other_class.pk,
        }


# Dismissal ------------------------------------------------------------------------------------------------------


class TestDismissal:
    @pytest.fixture
    def signal(self, phone_class):
        recompute(phone_class)
        return only_signal()

    def test_only_the_county_of_the_class_dismisses_and_with_a_reason(self, signal, other_county_user, league_user, institution_user, county_user):
        for actor, message in ((other_county_user, "疑点不存在或无权操作。"), (league_user, "只有培训班所在旗县市人社部门可以核销疑点。"),
                               (institution_user, "只有培训班所在旗县市人社部门可以核销疑点。"), (county_user, "请填写核销理由。")):
            with pytest.raises(ServiceError, match=message):
                fraud_signals.fraud_signal_dismiss(actor=actor, signal=signal, reason="  " if actor == county_user else "理由")
        fraud_signals.fraud_signal_dismiss(actor=county_user, signal=signal, reason="已核实")
        with pytest.raises(ServiceError, match="该疑点已于"):
            fraud_signals.fraud_signal_dismiss(actor=county_user, signal=signal, reason="再次")
        assert only_signal().dismissed_at is not None and only_signal().dismissal_reason == "已核实"


# Pages and scoping -----------------------------------------------------------------------------------------------


@pytest.fixture
def signals_in_two_counties(phone_class, other_class):
    """The county's phone signal, and one of the other county's classes (its three trainees share a phone)."""
    share_phone(other_class.enrollments.all(), "13500000000")
    recompute(phone_class, other_class)
    return only_signal(training_class=phone_class), only_signal(training_class=other_class)


class TestPages:
    def test_the_county_lists_its_own_signals_with_the_evidence(self, login, county_user, signals_in_two_counties):
        own, other = signals_in_two_counties
        page = login(county_user).get(reverse("supervision:signal_list")).content.decode()
        assert "XA152201-2026-301" in page and "手机号 139****5678 被 3 名学员共用" in page
        assert "XA152224-2026-001" not in page and "135****0000" not in page

    def test_the_league_sees_every_county_and_filters(self, login, league_user, signals_in_two_counties):
        client = login(league_user)
        page = client.get(reverse("supervision:signal_list")).content.decode()
        assert "XA152201-2026-301" in page and "XA152224-2026-001" in page and "核销</a>" not in page
        filtered = client.get(reverse("supervision:signal_list"), {"q": "XA152224"}).content.decode()
        assert "XA152201-2026-301" not in filtered and "XA152224-2026-001" in filtered
        assert "没有符合条件的疑点" in client.get(reverse("supervision:signal_list"), {"kind": "id_overlap"}).content.decode()

    def test_dismissed_signals_leave_the_default_list_and_show_under_all(self, login, county_user, signals_in_two_counties):
        own, _other = signals_in_two_counties
        fraud_signals.fraud_signal_dismiss(actor=county_user, signal=own, reason="已核实")
        client = login(county_user)
        assert "XA152201-2026-301" not in client.get(reverse("supervision:signal_list")).content.decode()
        page = client.get(reverse("supervision:signal_list"), {"status": ""}).content.decode()
        assert "核销：county" in page and "已核实" in page

    @pytest.mark.parametrize("name, args", [("signal_list", False), ("class_signals", True), ("signal_dismiss", True)])
    def test_institutions_and_other_counties_get_404_and_visitors_the_login(
        self, client, login, name, args, signals_in_two_counties, institution_user, other_county_user
    ):
        own, _other = signals_in_two_counties
        url = reverse(f"supervision:{name}", args=[own.training_class_id if name == "class_signals" else own.pk] if args else [])
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
        assert login(institution_user).get(url).status_code == 404
        if args:
            assert login(other_county_user).get(url).status_code == 404

    def test_another_county_cannot_dismiss_by_posting(self, login, other_county_user, signals_in_two_counties):
        own, _other = signals_in_two_counties
        response = login(other_county_user).post(reverse("supervision:signal_dismiss", args=[own.pk]), {"reason": "x", "is_confirmed": "on"})
        assert response.status_code == 404 and only_signal(pk=own.pk).dismissed_at is None

    def test_the_league_reads_a_class_but_has_no_dismissal_form(self, login, league_user, signals_in_two_counties):
        own, _other = signals_in_two_counties
        client = login(league_user)
        assert "手机号 139****5678" in client.get(reverse("supervision:class_signals", args=[own.training_class_id])).content.decode()
        assert client.get(reverse("supervision:signal_dismiss", args=[own.pk])).status_code == 403

    def test_the_dismissal_needs_a_reason_and_the_confirmation(self, login, county_user, signals_in_two_counties):
        own, _other = signals_in_two_counties
        client = login(county_user)
        url = reverse("supervision:signal_dismiss", args=[own.pk])
        assert "确认核销" in client.get(url).content.decode()
        refused = client.post(url, {"reason": "已核实"})
        assert refused.status_code == 400 and "请勾选确认后再核销" in refused.content.decode()
        assert only_signal(pk=own.pk).dismissed_at is None
        done = client.post(url, {"reason": "一家人共用手机", "is_confirmed": "on"})
        assert done.status_code == 302 and done.url == reverse("supervision:class_signals", args=[own.training_class_id])
        assert only_signal(pk=own.pk).status == "dismissed"
        assert "一家人共用手机" in client.get(done.url).content.decode()

    def test_a_signal_across_counties_shows_the_other_county_as_a_count(self, login, county_user, other_county_user, phone_class, other_class):
        share_phone(other_class.enrollments.all()[:1])  # one trainee of the other county gives the same number
        recompute(phone_class)
        own_page = login(county_user).get(reverse("supervision:class_signals", args=[phone_class.pk])).content.decode()
        other_name = other_class.enrollments.order_by("id").first().roster_name
        assert "被 4 名学员共用（2 个培训班）" in own_page and "辖区外 1 个培训班" in own_page and other_name not in own_page
        other_page = login(other_county_user).get(reverse("supervision:class_signals", args=[other_class.pk])).content.decode()
        assert other_name in other_page and "辖区外 1 个培训班" in other_page

    def test_the_class_and_evaluation_pages_link_the_signals_for_bureaus_only(self, login, county_user, institution_user, phone_class):
        recompute(phone_class)
        county = login(county_user)
        assert 'id="signal-link"' in county.get(reverse("classes:class_detail", args=[phone_class.pk])).content.decode()
        card = county.get(reverse("evaluations:class_evaluation", args=[phone_class.pk])).content.decode()
        assert 'id="signal-card"' in card and "待核实 1" in card
        institution = login(institution_user)
        assert "疑点" not in institution.get(reverse("classes:class_detail", args=[phone_class.pk])).content.decode()
        assert 'id="signal-card"' not in institution.get(reverse("evaluations:class_evaluation", args=[phone_class.pk])).content.decode()

    def test_the_list_takes_the_same_queries_for_more_signals(self, login, county_user, institution, occupation, django_assert_max_num_queries):
        def add_classes(start, count):
            for number in range(start, start + count):
                training_class = make_class(institution, occupation, batch_number=f"XA152201-2026-{number}")
                share_phone(enroll(training_class, 3), f"1391234{number:04d}")
                recompute(training_class)

        add_classes(400, 2)
        client = login(county_user)
        with django_assert_max_num_queries(20) as few:
            client.get(reverse("supervision:signal_list"))
        add_classes(500, 12)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(reverse("supervision:signal_list")).content.decode().count("被 3 名学员共用") == 14


# Queued on commit ------------------------------------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    calls = []
    def apply_async(args, countdown, retry):
        assert countdown == fraud_signals.RECOMPUTE_DELAY_SECONDS  # a burst of changes shares one recompute
        calls.append(args)

    monkeypatch.setattr(recompute_signals, "apply_async", apply_async)
    return calls


class TestQueuing:
    def test_a_change_queues_the_recompute_after_commit(self, training_class, institution_user, django_capture_on_commit_callbacks, sent):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            class_services.training_class_update(actor=institution_user, training_class=training_class, location="新址")
        assert len(callbacks) == 1 and sent[0][0] == [training_class.pk] and datetime.fromisoformat(sent[0][1])

    def test_nothing_is_queued_for_a_change_that_rolls_back(self, training_class, institution_user, django_capture_on_commit_callbacks, sent):
        from django.db import transaction

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                class_services.training_class_update(actor=institution_user, training_class=training_class, location="新址")
                raise RuntimeError("rolled back")
        assert callbacks == [] and sent == []

    def test_finishing_a_class_queues_the_recompute_beside_the_follow_up_draw(
        self, training_class, institution_user, django_capture_on_commit_callbacks, sent, monkeypatch
    ):
        from followups.tasks import draw_followup_sample

        monkeypatch.setattr(draw_followup_sample, "apply_async", lambda args, retry: None)
        enroll(training_class, 2)
        TrainingClass.objects.filter(pk=training_class.pk).update(status="in_training", end_date=timezone.localdate())
        training_class.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            class_services.training_class_finish(actor=institution_user, training_class=training_class,
                                                 assessment_end_date=timezone.localdate())
        assert len(callbacks) == 2 and sent[0][0] == [training_class.pk]

    def test_a_far_check_in_queues_the_recompute_and_a_near_one_does_not(
        self, site, open_day, running_class, django_capture_on_commit_callbacks, sent
    ):
        first, second = running_class.enrollments.select_related("trainee").order_by("id")[:2]
        for enrollment, metres in ((first, 200), (second, 5000)):
            with django_capture_on_commit_callbacks(execute=True):
                attendance_services.check_in_record(
                    site=site, name=enrollment.trainee.name, id_number=enrollment.trainee.id_number,
                    location=attendance_services.Location(*north_of_site(metres), 10), photo=None,
                )
        assert [args[0] for args in sent] == [[running_class.pk]]

    def test_a_dead_broker_costs_the_user_nothing(self, training_class, django_capture_on_commit_callbacks, monkeypatch, caplog):
        def refuse(args, countdown, retry):
            raise OperationalError("broker down")

        monkeypatch.setattr(recompute_signals, "apply_async", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            notify_class_changed(training_class.pk, ClassChange.ROSTER_IMPORTED)
        assert "left to the nightly sweep" in caplog.text

    def test_a_burst_of_changes_to_one_class_queues_one_recompute(
        self, training_class, other_class, django_capture_on_commit_callbacks, sent
    ):
        for _ in range(5):
            with django_capture_on_commit_callbacks(execute=True):
                notify_class_changed(training_class.pk, ClassChange.ROSTER_IMPORTED)
        with django_capture_on_commit_callbacks(execute=True):
            notify_class_changed(other_class.pk, ClassChange.ROSTER_IMPORTED)
        assert [args[0] for args in sent] == [[training_class.pk], [other_class.pk]]

    def test_the_task_recomputes_the_classes_it_names(self, phone_class):
        assert recompute_signals([phone_class.pk]) == 1 and only_signal().status == "open"


# Demo data -------------------------------------------------------------------------------------------------------


def test_the_signal_demo_plants_three_cases_and_is_idempotent(institution, other_institution, occupation, county_user):
    from supervision.demo_signals import seed_signals_demo

    today = timezone.localdate()
    home = make_class(institution, occupation, batch_number="XA152201-2026-401", status="in_training",
                      start_date=today - timedelta(days=3), end_date=today + timedelta(days=5))
    enroll(home, 12)
    overlapping = make_class(other_institution, occupation, batch_number="XA152224-2026-401",
                             start_date=today + timedelta(days=1), end_date=today + timedelta(days=9))
    enroll(overlapping, 3)
    first = seed_signals_demo(random.Random("demo"))
    rows = FraudSignal.objects.count(), Enrollment.objects.count(), TraineeEvaluation.objects.count()
    assert seed_signals_demo(random.Random("demo")) == first
    assert (FraudSignal.objects.count(), Enrollment.objects.count(), TraineeEvaluation.objects.count()) == rows
    assert first["shared_phone"] == 1 and first["identical_forms"] == 1 and first["id_overlap"] == 2
    assert Occupation.objects.count() == 1  # nothing else was needed


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_check_each_class_once_and_record_each_signal_once(phone_class, institution, occupation):
    """Issue #12: the nightly sweep may run on two workers at once; SKIP LOCKED shares the classes, the unique
    signal per class and key settles anything else."""
    for number in range(6):
        enroll(make_class(institution, occupation, batch_number=f"XA152201-2026-31{number}"), 3, seed=number + 2)
    results = run_at_once(lambda: fraud_signals.fraud_signals_sweep(batch_size=1),
                          lambda: fraud_signals.fraud_signals_sweep(batch_size=1))
    assert all(isinstance(result, fraud_signals.RecomputeResult) for result in results), results
    assert sum(result.classes for result in results) == 7
    assert sum(result.created for result in results) == 1
    assert FraudSignal.objects.get().kind == "shared_phone"
    assert ClassSignalCheck.objects.filter(checked_at__isnull=False).count() == 7
    assert fraud_signals.fraud_signals_sweep().created == 0
