"""Policy §8.2 (S2 三): the class-opening review — the institution submits, the county sees every check with its
evidence, decides on each failing trainee, approves or returns; only approved classes start; afterwards the
registered fields change by change request. Every refusal, every rule boundary, scoping on every URL."""

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from classes import services as class_services
from classes.demo_data import make_roster_rows, make_resident_id, roster_workbook_bytes
from classes.models import Enrollment, Institution, Trainee, TraineeCategory, TrainingClass
from conftest import approve_opening, enroll, make_class
from supervision import opening, rules, teachers
from supervision.demand_selectors import classes_matching_wishes
from supervision.models import ChangeRequest, ClassTeacher, OpeningDocument, OpeningEvent, OpeningReview, Teacher
from supervision.opening_selectors import (
    opening_checks, opening_list_for, opening_list_page_source, opening_reviews_visible_to, trainee_checks,
)
from xingan_training.errors import ServiceError
from xingan_training.personal_data import phone_digest

from .opening_helpers import JPG, OLE, PDF, PNG, import_list, list_enrollments, office_bytes, ole_bytes, prepare, upload

Status = OpeningReview.Status
ID_NUMBERS = [make_resident_id(random.Random(90 + index), area_code="152201") for index in range(4)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def teacher(institution_user, league_user, occupation):
    proposed = teachers.teacher_propose(
        actor=institution_user, name="白玉兰", id_number=ID_NUMBERS[0], occupations=[occupation],
        employment_type="full_time", qualification="skill_level_certificate", certificate_number="S1522001",
        employer="乌兰浩特测试职业培训学校",
    )
    return teachers.teacher_confirm(actor=league_user, teacher=proposed)


@pytest.fixture
def trainees(training_class):
    return enroll(training_class, 3)


@pytest.fixture
def ready_class(institution_user, training_class, trainees, teacher):
    prepare(institution_user, training_class, teacher)
    return training_class


@pytest.fixture
def submitted(institution_user, ready_class):
    opening.opening_submit(actor=institution_user, training_class=ready_class, note="请审核")
    return ready_class


def submit(actor, training_class, note=""):
    return opening.opening_submit(actor=actor, training_class=training_class, note=note)


def decide_all(actor, training_class, decision="accept", reason="经电话核实，符合条件"):
    review = OpeningReview.objects.get(training_class=training_class)
    for check in opening_checks(training_class, review=review).needing_decision:
        opening.opening_trainee_decide(actor=actor, training_class=training_class, enrollment=check.enrollment,
                                       decision=decision, reason=reason)


def status_of(training_class):
    return OpeningReview.objects.get(training_class=training_class).status


def check_of(training_class, enrollment):
    return trainee_checks(training_class, [Enrollment.objects.select_related("trainee__category").get(pk=enrollment.pk)])[0]


def other_class(institution, occupation, batch_number, *, start, days=14, state="approved", **extra):
    """Another class, in one of the states that count: approved for opening, in training, finished, or submitted."""
    status = {"in_training": TrainingClass.Status.IN_TRAINING, "finished": TrainingClass.Status.FINISHED}.get(
        state, TrainingClass.Status.DRAFT)
    created = make_class(institution, occupation, batch_number=batch_number, start_date=start,
                         end_date=start + timedelta(days=days), status=status, **extra)
    if state == "approved":
        approve_opening(created)
    elif state == "submitted":
        OpeningReview.objects.create(training_class=created, status=Status.SUBMITTED, submitted_at=timezone.now())
    return created


def also_in(training_class, enrollment, **fields):
    return Enrollment.objects.create(training_class=training_class, trainee=enrollment.trainee,
                                     roster_name=enrollment.roster_name, phone=fields.pop("phone", "13900000001"), **fields)


# Pure rules ---------------------------------------------------------------------------------------------


class TestRules:
    def test_dates_overlap_on_a_shared_day_not_on_adjacent_days(self):
        assert rules.dates_overlap(date(2026, 5, 4), date(2026, 5, 18), date(2026, 5, 18), date(2026, 5, 30)) is True
        assert rules.dates_overlap(date(2026, 5, 4), date(2026, 5, 18), date(2026, 5, 19), date(2026, 5, 30)) is False
        assert rules.dates_overlap(date(2026, 5, 19), date(2026, 5, 30), date(2026, 5, 4), date(2026, 5, 18)) is False
        assert rules.dates_overlap(date(2026, 5, 4), date(2026, 5, 4), date(2026, 5, 1), date(2026, 5, 10)) is True
        with pytest.raises(ValueError):
            rules.dates_overlap(date(2026, 5, 4), date(2026, 5, 1), date(2026, 5, 1), date(2026, 5, 10))

    @pytest.mark.parametrize(("people", "expected"), [(1, False), (2, False), (3, True), (7, True)])
    def test_a_phone_shared_by_three_or_more_is_a_signal(self, people, expected):
        assert rules.phone_shared_too_widely(people) is expected

    @pytest.mark.parametrize("people", [-1, True, 2.0])
    def test_impossible_phone_counts_are_refused(self, people):
        with pytest.raises(ValueError):
            rules.phone_shared_too_widely(people)

    def test_only_the_six_policy_categories_are_eligible(self):
        assert all(rules.trainee_category_eligible(code) for code in (
            "poverty_monitoring", "college_graduate", "school_leaver", "rural_migrant", "urban_registered_unemployed",
            "hard_to_employ"))
        assert rules.trainee_category_eligible("retired_cadre") is False

    def test_list_match_needs_a_list_of_the_declared_category(self):
        assert rules.department_list_match("rural_migrant", []) == rules.LIST_UNMATCHED
        assert rules.department_list_match("rural_migrant", ["college_graduate", None]) == rules.LIST_OTHER_CATEGORY
        assert rules.department_list_match("rural_migrant", ["college_graduate", "rural_migrant"]) == rules.LIST_MATCHED

    def test_a_decision_is_needed_for_any_failing_check_and_not_for_a_shared_phone(self):
        passing = {"category_eligible": True, "list_match": rules.LIST_MATCHED, "subsidy_eligible": True, "has_overlap": False}
        assert rules.trainee_needs_decision(**passing) is False
        for failing in ({"category_eligible": False}, {"list_match": rules.LIST_UNMATCHED},
                        {"list_match": rules.LIST_OTHER_CATEGORY}, {"subsidy_eligible": False}, {"has_overlap": True}):
            assert rules.trainee_needs_decision(**{**passing, **failing}) is True
        with pytest.raises(ValueError):
            rules.trainee_needs_decision(**{**passing, "list_match": "maybe"})


# Documents ----------------------------------------------------------------------------------------------


class TestDocuments:
    @pytest.mark.parametrize(("name", "data", "file_type"), [
        ("教学计划.pdf", PDF, "pdf"), ("计划.PNG", PNG, "png"), ("计划.jpeg", JPG, "jpg"),
        ("计划.doc", ole_bytes("WordDocument"), "doc"), ("计划.xls", ole_bytes("Workbook"), "xls"),
        ("计划.docx", office_bytes("docx"), "docx"), ("计划.xlsx", office_bytes("xlsx"), "xlsx"),
    ])
    def test_each_accepted_type_is_stored_under_a_generated_private_path(self, institution_user, training_class, media_root,
                                                                         name, data, file_type):
        document = upload(institution_user, training_class, name=name, data=data)
        assert document.file_type == file_type and document.original_name == name and document.size == len(data)
        assert document.file.name.startswith(f"opening-documents/{training_class.pk}/") and name not in document.file.name
        assert (Path(media_root) / document.file.name).read_bytes() == data

    @pytest.mark.parametrize(("name", "data", "message"), [
        ("计划.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, "文件内容不是"),
        ("计划.exe", b"MZ\x90\x00", "只接受"),
        ("计划.txt", b"hello", "只接受"),
        ("计划.png", PDF, "与扩展名（.png）不符"),
        ("计划.pdf", b"", "文件为空"),
        ("计划.docx", office_bytes("docx", extra={"word/vbaProject.bin": b"vba"}), "含有宏"),
        ("计划.docx", office_bytes("docx", encrypt=True), "已加密"),
        ("计划.doc", ole_bytes("WordDocument", "Macros"), "含有宏"),
        ("计划.doc", OLE, "无法识别的 Office 文件"),
        ("计划.docx", b"PK\x03\x04broken", "已损坏"),
        ("计划.xlsx", office_bytes("docx"), "与扩展名（.xlsx）不符"),
    ])
    def test_content_decides_not_the_name(self, institution_user, training_class, name, data, message):
        with pytest.raises(ServiceError, match=message):
            upload(institution_user, training_class, name=name, data=data)
        assert not OpeningDocument.objects.exists()

    def test_a_file_over_the_limit_is_refused(self, settings, institution_user, training_class):
        settings.OPENING_DOCUMENT_MAX_BYTES = 1024
        with pytest.raises(ServiceError, match="文件过大，上限为"):
            upload(institution_user, training_class, data=PDF + b"0" * 1024)

    def test_a_name_with_a_path_or_invisible_characters_is_cleaned(self, institution_user, training_class):
        document = upload(institution_user, training_class, name="..\\..\\教学\u200b计划.pdf")
        assert document.original_name == "教学计划.pdf"

    @pytest.mark.parametrize("role_fixture", ["county_user", "league_user", "other_institution_user"])
    def test_only_the_owner_institution_uploads(self, request, training_class, role_fixture):
        with pytest.raises(ServiceError):
            upload(request.getfixturevalue(role_fixture), training_class)

    def test_the_upload_page_refuses_a_bad_file_in_chinese(self, login, institution_user, training_class):
        response = login(institution_user).post(
            reverse("supervision:opening_document_upload", args=[training_class.pk]),
            {"kind": "teaching_plan", "file": SimpleUploadedFile("计划.pdf", b"<html>not a pdf</html>")}, follow=True,
        )
        assert "上传失败：文件内容不是" in response.content.decode() and not OpeningDocument.objects.exists()

    def test_download_is_scoped(self, client, login, institution_user, county_user, league_user, other_county_user,
                                other_institution_user, training_class):
        document = upload(institution_user, training_class, name="教学计划.pdf")
        url = reverse("supervision:opening_document_download", args=[training_class.pk, document.pk])
        for user in (institution_user, county_user, league_user):
            response = login(user).get(url)
            assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
            assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
        for outsider in (other_county_user, other_institution_user):
            assert login(outsider).get(url).status_code == 404
        client.logout()
        assert client.get(url).status_code == 302

    def test_a_document_missing_from_the_storage_is_a_404_not_an_error(self, login, institution_user, training_class):
        document = upload(institution_user, training_class)
        document.file.delete(save=False)
        url = reverse("supervision:opening_document_download", args=[training_class.pk, document.pk])
        assert login(institution_user).get(url).status_code == 404

    def test_documents_are_fixed_once_submitted_and_editable_after_return(self, institution_user, county_user, submitted):
        document = submitted.opening_documents.first()
        with pytest.raises(ServiceError, match="开班审核进行中"):
            opening.opening_document_delete(actor=institution_user, document=document)
        with pytest.raises(ServiceError, match="开班审核进行中"):
            upload(institution_user, submitted, "other")
        opening.opening_return(actor=county_user, training_class=submitted, reason="请补充实操场地照片")
        upload(institution_user, submitted, "other", name="场地.jpg", data=JPG)
        opening.opening_document_delete(actor=institution_user, document=document)
        assert submitted.opening_documents.count() == 2


# Submission ---------------------------------------------------------------------------------------------


class TestSubmit:
    def test_the_institution_submits_and_the_class_waits_for_the_county(self, institution_user, ready_class):
        review = submit(institution_user, ready_class, note="请审核")
        assert review.status == Status.SUBMITTED and review.round == 1 and review.submitted_by == institution_user
        event = OpeningEvent.objects.get(review=review)
        assert (event.action, event.from_status, event.to_status, event.actor) == ("提交开班审核", "", Status.SUBMITTED, institution_user)

    @pytest.mark.parametrize("role_fixture", ["county_user", "league_user"])
    def test_bureaus_do_not_submit(self, request, ready_class, role_fixture):
        with pytest.raises(ServiceError, match="只有培训机构人员"):
            submit(request.getfixturevalue(role_fixture), ready_class)

    def test_another_institution_cannot_submit_the_class(self, other_institution_user, ready_class):
        with pytest.raises(ServiceError, match="培训班不存在或无权操作"):
            submit(other_institution_user, ready_class)

    @pytest.mark.parametrize("catalogue_status", ["suspended", "removed"])
    def test_an_institution_out_of_the_catalogue_cannot_submit(self, institution_user, ready_class, catalogue_status):
        Institution.objects.filter(pk=ready_class.institution_id).update(catalogue_status=catalogue_status)
        with pytest.raises(ServiceError, match="不能提交开班审核"):
            submit(institution_user, ready_class)
        assert not OpeningReview.objects.exists()

    def test_missing_plans_teachers_and_roster_are_named(self, institution_user, training_class):
        with pytest.raises(ServiceError) as refusal:
            submit(institution_user, training_class)
        for missing in ("花名册人数：花名册 0 人", "授课教师：尚未安排", "教学计划：未上传", "考核（鉴定）方案：未上传"):
            assert missing in refusal.value.message

    def test_an_unconfirmed_teacher_is_refused(self, institution_user, training_class, trainees, occupation):
        proposed = teachers.teacher_propose(
            actor=institution_user, name="刘建国", id_number=ID_NUMBERS[1], occupations=[occupation],
            employment_type="part_time", qualification="skill_level_certificate", certificate_number="S2", employer="某公司",
        )
        with pytest.raises(ServiceError, match="只能选择师资库中已确认入库的教师"):
            teachers.class_teachers_assign(actor=institution_user, training_class=training_class, teachers=[proposed])
        # Even one that got on the class another way (the pool may change) blocks the submission.
        ClassTeacher.objects.create(training_class=training_class, teacher=proposed, assigned_by=institution_user)
        upload(institution_user, training_class, "teaching_plan")
        upload(institution_user, training_class, "assessment_plan")
        with pytest.raises(ServiceError, match="刘建国（待确认）"):
            submit(institution_user, training_class)

    def test_a_roster_above_the_headcount_is_refused(self, institution_user, ready_class):
        TrainingClass.objects.filter(pk=ready_class.pk).update(registered_headcount=2)
        with pytest.raises(ServiceError, match="花名册 3 人，备案人数 2 人"):
            submit(institution_user, ready_class)

    def test_a_started_class_is_not_submitted(self, institution_user, ready_class):
        TrainingClass.objects.filter(pk=ready_class.pk).update(status=TrainingClass.Status.IN_TRAINING)
        with pytest.raises(ServiceError, match="不能再办理开班审核"):
            submit(institution_user, ready_class)

    def test_a_submitted_class_is_not_submitted_again(self, institution_user, submitted):
        with pytest.raises(ServiceError, match="开班审核进行中"):
            submit(institution_user, submitted)

    def test_while_submitted_the_class_roster_and_teachers_are_held(self, institution_user, submitted, teacher, trainees):
        with pytest.raises(ServiceError, match="开班审核进行中"):
            class_services.training_class_update(actor=institution_user, training_class=submitted, location="新址")
        with pytest.raises(ServiceError, match="开班审核进行中"):
            class_services.enrollment_remove(actor=institution_user, enrollment=trainees[0])
        with pytest.raises(ServiceError, match="开班审核进行中"):
            class_services.roster_import_preview(actor=institution_user, training_class=submitted, file_name="a.xlsx",
                                                 data=roster_workbook_bytes(make_roster_rows(random.Random(3), 1)))
        with pytest.raises(ServiceError, match="授课教师暂不能修改"):
            teachers.class_teachers_assign(actor=institution_user, training_class=submitted, teachers=[teacher])


# The start gate -----------------------------------------------------------------------------------------


class TestStart:
    def test_a_class_starts_only_once_approved(self, institution_user, county_user, ready_class):
        with pytest.raises(ServiceError, match="尚未提交开班审核"):
            class_services.training_class_start(actor=institution_user, training_class=ready_class)
        submit(institution_user, ready_class)
        with pytest.raises(ServiceError, match="开班审核尚未完成"):
            class_services.training_class_start(actor=institution_user, training_class=ready_class)
        opening.opening_return(actor=county_user, training_class=ready_class, reason="请核实学员类别")
        with pytest.raises(ServiceError, match="开班审核已退回"):
            class_services.training_class_start(actor=institution_user, training_class=ready_class)
        submit(institution_user, ready_class)
        decide_all(county_user, ready_class)
        opening.opening_approve(actor=county_user, training_class=ready_class)
        started = class_services.training_class_start(actor=institution_user, training_class=ready_class)
        assert started.status == TrainingClass.Status.IN_TRAINING

    def test_the_class_page_offers_start_only_after_approval(self, login, institution_user, ready_class):
        client = login(institution_user)
        url = reverse("classes:class_detail", args=[ready_class.pk])
        page = client.get(url).content.decode()
        assert 'action="/classes/%d/start/"' % ready_class.pk not in page and "开班审核：未提交" in page
        approve_opening(ready_class)
        page = client.get(url).content.decode()
        assert 'action="/classes/%d/start/"' % ready_class.pk in page and "已核准开班" in page
        response = client.post(reverse("classes:class_start", args=[ready_class.pk]), follow=True)
        assert "培训班已开班" in response.content.decode()


# The county's decision ----------------------------------------------------------------------------------


class TestDecision:
    def test_every_failing_trainee_needs_a_decision_before_approval(self, county_user, submitted, trainees):
        with pytest.raises(ServiceError, match="还有 3 名学员核查未通过且未给出审核意见"):
            opening.opening_approve(actor=county_user, training_class=submitted)
        for enrollment in trainees[:2]:
            opening.opening_trainee_decide(actor=county_user, training_class=submitted, enrollment=enrollment,
                                           decision="accept", reason="村委会出具证明")
        with pytest.raises(ServiceError, match=f"还有 1 名学员.*{trainees[2].roster_name}"):
            opening.opening_approve(actor=county_user, training_class=submitted)
        opening.opening_trainee_decide(actor=county_user, training_class=submitted, enrollment=trainees[2],
                                       decision="exclude", reason="不属于政策规定人员")
        review = opening.opening_approve(actor=county_user, training_class=submitted)
        assert review.status == Status.APPROVED and review.decided_by == county_user and review.decided_at is not None
        assert review.registered_values["registered_headcount"] == submitted.registered_headcount
        assert review.registered_values["enrolled"] == 3
        excluded = Enrollment.objects.get(pk=trainees[2].pk)
        assert not excluded.is_subsidy_eligible and "开班审核不予纳入补贴：不属于政策规定人员" in excluded.ineligibility_reason
        assert Enrollment.objects.get(pk=trainees[0].pk).is_subsidy_eligible
        event = OpeningEvent.objects.filter(review=review).first()
        assert event.action == "核准开班" and event.actor == county_user and "认可 2 人，不予纳入补贴 1 人" in event.reason

    def test_trainees_the_lists_bear_out_need_no_decision(self, league_user, county_user, submitted, trainees):
        list_enrollments(league_user, trainees)
        opening.opening_approve(actor=county_user, training_class=submitted)
        assert status_of(submitted) == Status.APPROVED

    def test_a_passing_trainee_takes_no_decision(self, league_user, county_user, submitted, trainees):
        list_enrollments(league_user, trainees)
        with pytest.raises(ServiceError, match="各项核查均已通过"):
            opening.opening_trainee_decide(actor=county_user, training_class=submitted, enrollment=trainees[0],
                                           decision="accept", reason="x")

    def test_a_decision_needs_a_reason_and_a_known_choice(self, county_user, submitted, trainees):
        with pytest.raises(ServiceError, match="请填写理由"):
            opening.opening_trainee_decide(actor=county_user, training_class=submitted, enrollment=trainees[0],
                                           decision="accept", reason="  ")
        with pytest.raises(ServiceError, match="请选择审核意见"):
            opening.opening_trainee_decide(actor=county_user, training_class=submitted, enrollment=trainees[0],
                                           decision="maybe", reason="x")

    def test_a_second_decision_replaces_the_first_and_both_stay_in_the_history(self, county_user, submitted, trainees):
        first = opening.opening_trainee_decide(actor=county_user, training_class=submitted, enrollment=trainees[0],
                                               decision="accept", reason="先认可")
        second = opening.opening_trainee_decide(actor=county_user, training_class=submitted, enrollment=trainees[0],
                                                decision="exclude", reason="复核后不予纳入")
        assert first.pk == second.pk and second.decision == "exclude"
        assert "未在现行部门名单中" in second.evidence
        assert second.history.count() == 2

    @pytest.mark.parametrize("role_fixture", ["institution_user", "league_user", "other_county_user"])
    def test_only_the_county_of_the_class_decides(self, request, submitted, trainees, role_fixture):
        actor = request.getfixturevalue(role_fixture)
        with pytest.raises(ServiceError):
            opening.opening_trainee_decide(actor=actor, training_class=submitted, enrollment=trainees[0],
                                           decision="accept", reason="x")
        with pytest.raises(ServiceError):
            opening.opening_approve(actor=actor, training_class=submitted)
        with pytest.raises(ServiceError):
            opening.opening_return(actor=actor, training_class=submitted, reason="x")
        assert status_of(submitted) == Status.SUBMITTED

    def test_a_class_not_submitted_cannot_be_decided(self, county_user, ready_class, trainees):
        with pytest.raises(ServiceError, match="尚未提交开班审核"):
            opening.opening_approve(actor=county_user, training_class=ready_class)
        with pytest.raises(ServiceError, match="尚未提交开班审核"):
            opening.opening_trainee_decide(actor=county_user, training_class=ready_class, enrollment=trainees[0],
                                           decision="accept", reason="x")

    def test_approved_and_returned_classes_are_not_decided_again(self, county_user, submitted):
        opening.opening_return(actor=county_user, training_class=submitted, reason="请补充")
        with pytest.raises(ServiceError, match="只有待开班审核的培训班可以核准"):
            opening.opening_approve(actor=county_user, training_class=submitted)
        with pytest.raises(ServiceError, match="只有待开班审核的培训班可以退回"):
            opening.opening_return(actor=county_user, training_class=submitted, reason="again")

    def test_a_class_check_failing_after_submission_blocks_approval(self, county_user, submitted):
        Institution.objects.filter(pk=submitted.institution_id).update(catalogue_status="removed")
        decide_all(county_user, submitted)
        with pytest.raises(ServiceError, match="不能核准：培训机构在补贴性培训机构目录内"):
            opening.opening_approve(actor=county_user, training_class=submitted)

    def test_return_needs_a_reason_and_the_institution_sees_it_at_once(self, login, county_user, institution_user, submitted):
        with pytest.raises(ServiceError, match="退回必须填写原因"):
            opening.opening_return(actor=county_user, training_class=submitted, reason=" ")
        opening.opening_return(actor=county_user, training_class=submitted, reason="学员张三同时在其他培训班，请核实")
        page = login(institution_user).get(reverse("supervision:opening_class", args=[submitted.pk])).content.decode()
        assert "开班审核已退回" in page and "学员张三同时在其他培训班，请核实" in page and "重新提交" in page

    def test_a_returned_class_is_fixed_and_resubmitted_as_a_new_round(self, county_user, institution_user, submitted, trainees):
        opening.opening_trainee_decide(actor=county_user, training_class=submitted, enrollment=trainees[0],
                                       decision="exclude", reason="不符合")
        opening.opening_return(actor=county_user, training_class=submitted, reason="请移除不符合条件的学员")
        class_services.enrollment_remove(actor=institution_user, enrollment=trainees[0])
        review = submit(institution_user, submitted, note="已移除")
        assert review.round == 2 and review.status == Status.SUBMITTED
        checks = opening_checks(submitted, review=review)
        assert len(checks.trainees) == 2 and all(check.decision is None for check in checks.trainees)
        actions = list(OpeningEvent.objects.filter(review=review).order_by("id").values_list("action", flat=True))
        assert actions == ["提交开班审核", "退回开班审核", "修改后重新提交"]


# The checks and their evidence --------------------------------------------------------------------------


class TestChecks:
    def test_department_lists_match_by_id_number_with_list_name_and_date(self, league_user, training_class, trainees):
        first, second, third = trainees
        import_list(league_user, "rural_migrants", [(first.trainee.name, first.trainee.id_number)], source="兴安盟农牧局",
                    list_date=date(2026, 4, 1))
        import_list(league_user, "college_graduates", [(second.trainee.name, second.trainee.id_number)])
        matched, other, unmatched = trainee_checks(training_class, list(training_class.enrollments.order_by("id")))
        assert matched.list_match == rules.LIST_MATCHED and not matched.needs_decision
        assert str(matched.list_entries[0]).startswith("农村牧区转移就业劳动者（兴安盟农牧局，2026-04-01")
        assert other.list_match == rules.LIST_OTHER_CATEGORY and other.needs_decision
        assert "仅在其他名单中：毕业年度高校毕业生（兴安盟教育局，2026-03-01" in other.problems()[0]
        assert unmatched.list_match == rules.LIST_UNMATCHED and "未在现行部门名单中" in unmatched.problems()[0]

    def test_a_category_outside_the_six_is_flagged(self, training_class, trainees):
        extra = TraineeCategory.objects.create(code="retired_cadre", name="退休干部", employment_group="student")
        Trainee.objects.filter(pk=trainees[0].trainee_id).update(category=extra)
        check = check_of(training_class, trainees[0])
        assert not check.category_eligible and "人员类别“退休干部”不在政策规定的六类人员中" in check.problems()

    def test_the_third_subsidised_class_of_a_year_is_eligible_the_fourth_is_not(self, institution, other_institution,
                                                                               training_class, trainees):
        from classes.models import Occupation

        person = trainees[0]
        occupations = [Occupation.objects.create(code=f"4-99-0{index}", name=f"职业{index}", level="5",
                                                 training_type="employment_skills", subsidy_per_person=1000)
                       for index in range(3)]
        year = training_class.start_date.year
        for index, occupation in enumerate(occupations[:2]):
            also_in(other_class(other_institution, occupation, f"P{index}", start=date(year, 1, 5 + 20 * index), days=5), person)
        assert check_of(training_class, person).subsidy_eligible, "two before: this is the third"
        also_in(other_class(institution, occupations[2], "P2", start=date(year, 3, 1), days=5, state="finished"), person)
        check = check_of(training_class, person)
        assert not check.subsidy_eligible and check.needs_decision and "超出补贴次数限制" in "".join(check.problems())
        assert [item.batch_number for item in check.prior] == ["P0", "P1", "P2"]

    def test_classes_of_another_year_do_not_count_toward_three(self, other_institution, training_class, trainees):
        from classes.models import Occupation

        for index in range(3):
            occupation = Occupation.objects.create(code=f"4-98-0{index}", name=f"职业{index}", level="5",
                                                   training_type="employment_skills", subsidy_per_person=1000)
            also_in(other_class(other_institution, occupation, f"Y{index}", start=date(2025, 3, 1 + 7 * index), days=3,
                                state="finished"), trainees[0])
        assert check_of(training_class, trainees[0]).subsidy_eligible

    def test_the_same_occupation_and_level_twice_is_refused_whatever_the_year(self, other_institution, occupation,
                                                                            training_class, trainees):
        also_in(other_class(other_institution, occupation, "SAME", start=date(2023, 6, 1), state="finished"), trainees[0])
        check = check_of(training_class, trainees[0])
        assert not check.subsidy_eligible and "SAME" in "".join(check.problems())

    def test_a_refused_subsidy_or_an_undeclared_class_is_not_prior_training(self, other_institution, occupation,
                                                                           training_class, trainees):
        also_in(other_class(other_institution, occupation, "REFUSED", start=date(2023, 6, 1), state="finished"), trainees[0],
                is_subsidy_eligible=False, ineligibility_reason="开班审核不予纳入补贴")
        also_in(other_class(other_institution, occupation, "DRAFTONLY", start=date(2024, 6, 1), state="draft"), trainees[0])
        assert check_of(training_class, trainees[0]).subsidy_eligible

    def test_an_overlapping_class_is_flagged_an_adjacent_one_is_not(self, other_institution, unlicensed_occupation,
                                                                  training_class, trainees):
        first, second, _third = trainees
        adjacent = other_class(other_institution, unlicensed_occupation, "ADJ", start=training_class.end_date + timedelta(days=1))
        also_in(adjacent, first)
        touching = other_class(other_institution, unlicensed_occupation, "TOUCH", start=training_class.end_date, state="submitted")
        also_in(touching, second)
        assert check_of(training_class, first).overlaps == []
        overlap = check_of(training_class, second).overlaps
        assert [item.batch_number for item in overlap] == ["TOUCH"]
        assert overlap[0].institution == other_institution.name and overlap[0].county == "突泉县"

    def test_a_draft_class_nobody_declared_is_not_an_overlap(self, other_institution, unlicensed_occupation,
                                                           training_class, trainees):
        also_in(other_class(other_institution, unlicensed_occupation, "DRAFT", start=training_class.start_date, state="draft"),
                trainees[0])
        assert check_of(training_class, trainees[0]).overlaps == []

    def test_a_phone_given_by_three_people_is_shown_with_their_names(self, training_class, trainees, other_institution,
                                                                   unlicensed_occupation):
        first, second, third = trainees
        Enrollment.objects.filter(pk__in=[first.pk, second.pk]).update(phone="13912345678", phone_digest=phone_digest("13912345678"))
        checks = opening_checks(training_class)
        assert checks.shared_phones == [], "two people on one phone is not yet a signal"
        elsewhere = other_class(other_institution, unlicensed_occupation, "ELSE", start=date(2025, 1, 5), state="finished")
        also_in(elsewhere, third, phone="13912345678")
        checks = opening_checks(training_class)
        (masked, group, people), = checks.shared_phones
        assert masked == "139****5678" and people == 3 and {check.enrollment.pk for check in group} == {first.pk, second.pk}
        assert group[0].phone_shared_in_class == [second.roster_name]

    def test_class_checks_show_scope_catalogue_and_teachers(self, ready_class):
        checks = {check.label: check for check in opening_checks(ready_class).classes}
        assert checks["培训职业在办学许可范围内"].passed and "养老护理员" in checks["培训职业在办学许可范围内"].evidence
        assert checks["培训机构在补贴性培训机构目录内"].passed
        assert checks["授课教师"].passed and "白玉兰" in checks["授课教师"].evidence
        assert checks["培训职业在本盟培训需求目录内"].passed is False and not checks["培训职业在本盟培训需求目录内"].is_blocking


# Pages and scoping --------------------------------------------------------------------------------------


class TestPages:
    def test_the_county_sees_every_check_with_its_evidence(self, login, county_user, submitted, trainees,
                                                           other_institution, unlicensed_occupation):
        elsewhere = other_class(other_institution, unlicensed_occupation, "XA152224-2026-077", start=submitted.start_date)
        also_in(elsewhere, trainees[0])
        page = login(county_user).get(reverse("supervision:opening_review", args=[submitted.pk])).content.decode()
        for text in ("培训班核查", "培训职业在办学许可范围内", "学员核查", "未在部门名单中", "XA152224-2026-077",
                     other_institution.name, "核准开班", "退回机构修改", trainees[0].trainee.masked_id_number):
            assert text in page, text
        assert trainees[0].trainee.id_number not in page and trainees[0].phone not in page

    def test_the_institution_never_sees_the_evidence(self, login, institution_user, submitted, trainees,
                                                     other_institution, unlicensed_occupation):
        elsewhere = other_class(other_institution, unlicensed_occupation, "XA152224-2026-077", start=submitted.start_date)
        also_in(elsewhere, trainees[0])
        client = login(institution_user)
        assert client.get(reverse("supervision:opening_review", args=[submitted.pk])).status_code == 404
        for url in (reverse("supervision:opening_class", args=[submitted.pk]), reverse("supervision:opening_list")):
            page = client.get(url).content.decode()
            assert "XA152224-2026-077" not in page and other_institution.name not in page

    def test_after_a_return_the_institution_sees_only_the_countys_words(self, login, county_user, institution_user, submitted,
                                                                       trainees, other_institution, unlicensed_occupation):
        elsewhere = other_class(other_institution, unlicensed_occupation, "XA152224-2026-077", start=submitted.start_date)
        also_in(elsewhere, trainees[0])
        opening.opening_trainee_decide(actor=county_user, training_class=submitted, enrollment=trainees[0],
                                       decision="exclude", reason="与其他培训班时间冲突")
        opening.opening_return(actor=county_user, training_class=submitted, reason="请核实一名学员")
        page = login(institution_user).get(reverse("supervision:opening_class", args=[submitted.pk])).content.decode()
        assert "与其他培训班时间冲突" in page and "不予纳入补贴" in page and trainees[0].roster_name in page
        assert "XA152224-2026-077" not in page and other_institution.name not in page

    def test_the_county_decides_approves_and_returns_through_the_pages(self, login, county_user, submitted, trainees):
        client = login(county_user)
        decide_url = reverse("supervision:opening_trainee_decide", args=[submitted.pk, trainees[0].pk])
        response = client.post(decide_url, {"decision": "accept", "reason": ""}, follow=True)
        assert "请填写理由" in response.content.decode()
        for enrollment in trainees:
            client.post(reverse("supervision:opening_trainee_decide", args=[submitted.pk, enrollment.pk]),
                        {"decision": "accept", "reason": "村委会证明", "show": "attention"})
        response = client.post(reverse("supervision:opening_approve", args=[submitted.pk]), follow=True)
        assert f"已核准 {submitted.batch_number} 开班" in response.content.decode()
        assert status_of(submitted) == Status.APPROVED

    def test_a_bad_decision_choice_or_empty_return_is_a_message_not_an_error(self, login, county_user, submitted, trainees):
        client = login(county_user)
        response = client.post(reverse("supervision:opening_trainee_decide", args=[submitted.pk, trainees[0].pk]),
                               {"decision": "\x01x", "reason": "x"}, follow=True)
        assert response.status_code in (200, 400)
        response = client.post(reverse("supervision:opening_return", args=[submitted.pk]), {"reason": ""}, follow=True)
        assert "退回必须填写原因" in response.content.decode() and status_of(submitted) == Status.SUBMITTED

    def test_every_new_url_is_scoped(self, client, login, institution_user, other_county_user, other_institution_user,
                                     county_user, submitted, trainees):
        document = submitted.opening_documents.first()
        urls = {
            "get": [reverse("supervision:opening_class", args=[submitted.pk]),
                    reverse("supervision:opening_review", args=[submitted.pk]),
                    reverse("supervision:opening_document_download", args=[submitted.pk, document.pk]),
                    reverse("supervision:change_list", args=[submitted.pk]),
                    reverse("supervision:change_create", args=[submitted.pk])],
            "post": [reverse("supervision:opening_document_upload", args=[submitted.pk]),
                     reverse("supervision:opening_document_delete", args=[submitted.pk, document.pk]),
                     reverse("supervision:opening_submit", args=[submitted.pk]),
                     reverse("supervision:opening_trainee_decide", args=[submitted.pk, trainees[0].pk]),
                     reverse("supervision:opening_approve", args=[submitted.pk]),
                     reverse("supervision:opening_return", args=[submitted.pk])],
        }
        for outsider in (other_county_user, other_institution_user):
            session = login(outsider)
            for method, targets in urls.items():
                for url in targets:
                    assert getattr(session, method)(url, {"reason": "x", "decision": "accept"}).status_code == 404, (outsider, url)
        # The owner institution may read its pages but not the county's.
        session = login(institution_user)
        for url in urls["post"][3:] + [urls["get"][1]]:
            assert session.post(url, {"reason": "x", "decision": "accept"}).status_code == 404, url
        client.logout()
        assert client.get(urls["get"][0]).status_code == 302
        assert status_of(submitted) == Status.SUBMITTED and submitted.opening_documents.count() == 2

    def test_county_a_cannot_review_county_bs_class_but_its_own(self, login, county_user, other_county_user, submitted):
        assert login(other_county_user).get(reverse("supervision:opening_review", args=[submitted.pk])).status_code == 404
        assert not opening_reviews_visible_to(other_county_user).exists()
        assert login(county_user).get(reverse("supervision:opening_review", args=[submitted.pk])).status_code == 200

    def test_the_list_is_paginated_and_filtered_by_state(self, login, county_user, institution, occupation, submitted):
        for index in range(30):
            created = make_class(institution, occupation, batch_number=f"XA152201-2026-{300 + index}")
            OpeningReview.objects.create(training_class=created, status=Status.SUBMITTED, submitted_at=timezone.now())
        client = login(county_user)
        page = client.get(reverse("supervision:opening_list"), {"state": "submitted"}).content.decode()
        assert "第 1 / 2 页，共 31 条" in page
        page = client.get(reverse("supervision:opening_list"), {"state": "approved"}).content.decode()
        assert "没有符合条件的培训班" in page
        assert client.get(reverse("supervision:opening_list"), {"state": "\x00"}).status_code == 400
        response = client.get(reverse("supervision:opening_list"), {"state": "nonsense", "page": "x"})
        assert response.status_code == 200 and "筛选条件无效" in response.content.decode()

    def test_the_list_pages_oldest_submission_first_then_the_classes_never_submitted(
        self, login, county_user, institution, occupation,
    ):
        start = timezone.now() - timedelta(days=30)
        submitted = []
        for index in range(27):  # created out of submission order, so the order comes from submitted_at
            created = make_class(institution, occupation, batch_number=f"XA152201-2026-{500 + index}")
            OpeningReview.objects.create(training_class=created, status=Status.SUBMITTED,
                                         submitted_at=start + timedelta(hours=(index * 7) % 27))
            submitted.append((start + timedelta(hours=(index * 7) % 27), created.batch_number))
        drafts = [make_class(institution, occupation, batch_number=f"XA152201-2026-{600 + index}",
                             start_date=date(2026, 9, 1) - timedelta(days=index)) for index in range(4)]
        client = login(county_user)
        url = reverse("supervision:opening_list")
        shown = []
        for number in (1, 2):
            response = client.get(url, {"page": number})
            shown += [training_class.batch_number for training_class in response.context["page"]]
        expected = [batch for _when, batch in sorted(submitted)] + [draft.batch_number for draft in reversed(drafts)]
        assert shown == expected, "oldest submission first; never submitted last, earliest start first"
        assert "第 2 / 2 页，共 31 条" in response.content.decode()
        assert shown == [training_class.batch_number for training_class in opening_list_for(county_user)], "the export's order"
        assert client.get(url, {"state": "not_submitted"}).context["page"].paginator.count == 4
        source = opening_list_page_source(county_user)
        for begin in range(0, 31, 2):  # within the submitted, across the boundary and wholly beyond it
            assert [row.batch_number for row in source[begin:begin + 3]] == expected[begin:begin + 3], begin

    def test_the_queue_counts_each_rows_trainees_in_a_fixed_number_of_queries(
        self, login, county_user, institution, occupation, submitted, django_assert_max_num_queries,
        django_assert_num_queries,
    ):
        client = login(county_user)
        url = reverse("supervision:opening_list")
        client.get(url)
        with django_assert_max_num_queries(10) as few:
            response = client.get(url)
        rows = {row.pk: row for row in response.context["page"]}
        assert rows[submitted.pk].enrolled_count == submitted.enrollments.count() > 0
        assert rows[submitted.pk].pending_changes == 0
        for index in range(25):
            created = make_class(institution, occupation, batch_number=f"XA152201-2026-{400 + index}")
            enroll(created, 3)
            OpeningReview.objects.create(training_class=created, status=Status.SUBMITTED, submitted_at=timezone.now())
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(url)
        assert {row.enrolled_count for row in response.context["page"]} >= {3}
        assert response.context["page"].paginator.num_pages == 2

    def test_the_trainee_list_is_paginated(self, login, county_user, institution_user, training_class, teacher):
        TrainingClass.objects.filter(pk=training_class.pk).update(registered_headcount=60)
        enroll(training_class, 55)
        prepare(institution_user, training_class, teacher)
        submit(institution_user, training_class)
        page = login(county_user).get(reverse("supervision:opening_review", args=[training_class.pk])).content.decode()
        assert "第 1 / 2 页，共 55 条" in page


# Change requests ----------------------------------------------------------------------------------------


@pytest.fixture
def approved(county_user, submitted):
    decide_all(county_user, submitted)
    opening.opening_approve(actor=county_user, training_class=submitted)
    return submitted


class TestChangeRequests:
    def test_after_approval_direct_changes_are_refused_and_routed_to_change_requests(self, login, institution_user, approved,
                                                                                     trainees):
        with pytest.raises(ServiceError, match="请提交备案变更申请"):
            class_services.training_class_update(actor=institution_user, training_class=approved, location="新址")
        with pytest.raises(ServiceError, match="请提交备案变更申请"):
            class_services.enrollment_remove(actor=institution_user, enrollment=trainees[0])
        with pytest.raises(ServiceError, match="请提交备案变更申请"):
            class_services.roster_import_preview(actor=institution_user, training_class=approved, file_name="a.xlsx",
                                                 data=roster_workbook_bytes(make_roster_rows(random.Random(3), 1)))
        client = login(institution_user)
        assert client.get(reverse("classes:class_edit", args=[approved.pk])).status_code == 404
        assert client.get(reverse("classes:roster_upload", args=[approved.pk])).status_code == 404
        assert "申请备案变更" in client.get(reverse("supervision:opening_class", args=[approved.pk])).content.decode()

    def test_a_change_request_is_approved_and_the_class_page_shows_both_values(self, login, institution_user, county_user,
                                                                             approved):
        new_start, new_end = approved.start_date + timedelta(days=7), approved.end_date + timedelta(days=7)
        request = opening.change_request_submit(
            actor=institution_user, training_class=approved, reason="场地检修，顺延一周",
            changes={"start_date": new_start, "end_date": new_end, "location": "新实训楼"},
        )
        assert set(request.field_changes) == {"start_date", "end_date", "location"}
        approved.refresh_from_db()
        assert approved.location == "培训基地", "nothing changes before the county approves"
        opening.change_request_approve(actor=county_user, change_request=request)
        approved.refresh_from_db()
        assert (approved.start_date, approved.end_date, approved.location) == (new_start, new_end, "新实训楼")
        request.refresh_from_db()
        assert request.status == ChangeRequest.Status.APPROVED and request.decided_by == county_user
        page = login(institution_user).get(reverse("supervision:change_list", args=[approved.pk])).content.decode()
        assert "培训基地" in page and "新实训楼" in page and "已变更" in page and "场地检修，顺延一周" in page
        lines = [page.index(label) for label in ("培训开始日期：", "培训结束日期：", "培训地点：")]
        assert lines == sorted(lines), "the changes read in the order of the form (PostgreSQL's jsonb sorts its keys)"
        actions = set(OpeningEvent.objects.filter(change_request=request).values_list("action", flat=True))
        assert actions == {"申请备案变更", "核准备案变更"}

    def test_a_refusal_needs_a_reason_and_keeps_the_class(self, institution_user, county_user, approved):
        request = opening.change_request_submit(actor=institution_user, training_class=approved, reason="扩招",
                                                changes={"registered_headcount": 45})
        with pytest.raises(ServiceError, match="不予核准必须填写原因"):
            opening.change_request_refuse(actor=county_user, change_request=request, reason="")
        opening.change_request_refuse(actor=county_user, change_request=request, reason="场地容纳不下")
        approved.refresh_from_db()
        assert approved.registered_headcount == 40
        with pytest.raises(ServiceError, match="不能再审核"):
            opening.change_request_approve(actor=county_user, change_request=request)

    def test_roster_changes_go_through_the_request(self, institution_user, county_user, approved, trainees):
        added = roster_workbook_bytes(make_roster_rows(random.Random(77), 2))
        request = opening.change_request_submit(
            actor=institution_user, training_class=approved, reason="一人退出，补录两人",
            removed_enrollments=[trainees[0]], roster_file_name="补录.xlsx", roster_data=added,
        )
        assert request.roster_additions == 2 and request.roster_removals[0]["name"] == trainees[0].roster_name
        assert approved.enrollments.count() == 3
        opening.change_request_approve(actor=county_user, change_request=request)
        assert approved.enrollments.count() == 4 and not approved.enrollments.filter(pk=trainees[0].pk).exists()
        request.refresh_from_db()
        assert bytes(request.roster_content) == b"", "the added people's file is not kept once decided"

    def test_a_trainee_with_records_in_the_class_cannot_be_removed_by_a_change(self, institution_user, county_user,
                                                                             approved, trainees):
        from evaluations.models import TraineeEvaluation
        from evaluations.tests.conftest import trainee_answers

        TraineeEvaluation.objects.create(enrollment=trainees[0], source="paper", **trainee_answers(approved))
        request = opening.change_request_submit(actor=institution_user, training_class=approved, reason="退出",
                                                removed_enrollments=[trainees[0]], changes={"location": "新址"})
        with pytest.raises(ServiceError, match="已有评价、回访等记录，不能移出花名册"):
            opening.change_request_approve(actor=county_user, change_request=request)
        approved.refresh_from_db()
        request.refresh_from_db()
        assert approved.location == "培训基地" and approved.enrollments.count() == 3, "all or nothing"
        assert request.status == ChangeRequest.Status.PENDING

    def test_a_roster_file_with_bad_rows_is_refused_with_each_error(self, institution_user, approved):
        rows = make_roster_rows(random.Random(5), 2)
        rows[1][2] = "152201199001011235"
        with pytest.raises(opening.RosterRowsError) as refusal:
            opening.change_request_submit(actor=institution_user, training_class=approved, reason="补录",
                                          roster_file_name="a.xlsx", roster_data=roster_workbook_bytes(rows))
        assert [(error.row_number, error.message) for error in refusal.value.errors] == [(3, "身份证号校验位错误")]
        assert not ChangeRequest.objects.exists()

    @pytest.mark.parametrize(("changes", "message"), [
        ({}, "申请中没有任何变更"),
        ({"location": "培训基地"}, "申请中没有任何变更"),
        ({"end_date": date(2026, 1, 1)}, "培训结束日期不能早于开始日期"),
        ({"registered_headcount": 2}, "超过备案人数 2 人"),
        ({"registered_headcount": 201}, "备案人数应为1至200人"),
        ({"class_hours": 0}, "培训课时至少为1"),
    ])
    def test_impossible_requests_are_refused(self, institution_user, approved, changes, message):
        with pytest.raises(ServiceError, match=message):
            opening.change_request_submit(actor=institution_user, training_class=approved, reason="调整", changes=changes)

    def test_an_unlicensed_occupation_is_refused(self, institution_user, approved, unlicensed_occupation):
        with pytest.raises(ServiceError, match="不在本机构的办学许可范围内"):
            opening.change_request_submit(actor=institution_user, training_class=approved, reason="换职业",
                                          changes={"occupation": unlicensed_occupation})

    def test_one_pending_request_at_a_time_and_a_reason_is_needed(self, institution_user, approved):
        with pytest.raises(ServiceError, match="请填写变更理由"):
            opening.change_request_submit(actor=institution_user, training_class=approved, reason="", changes={"location": "A"})
        opening.change_request_submit(actor=institution_user, training_class=approved, reason="换场地", changes={"location": "A"})
        with pytest.raises(ServiceError, match="已有待审核的备案变更申请"):
            opening.change_request_submit(actor=institution_user, training_class=approved, reason="再换", changes={"location": "B"})

    def test_before_approval_there_is_no_change_request(self, institution_user, submitted, ready_class):
        with pytest.raises(ServiceError, match="只有已核准开班的培训班需要申请备案变更"):
            opening.change_request_submit(actor=institution_user, training_class=submitted, reason="x", changes={"location": "A"})

    @pytest.mark.parametrize("role_fixture", ["institution_user", "league_user", "other_county_user"])
    def test_only_the_county_of_the_class_decides_a_change(self, request, institution_user, approved, role_fixture):
        change = opening.change_request_submit(actor=institution_user, training_class=approved, reason="换场地",
                                               changes={"location": "A"})
        actor = request.getfixturevalue(role_fixture)
        with pytest.raises(ServiceError):
            opening.change_request_approve(actor=actor, change_request=change)
        with pytest.raises(ServiceError):
            opening.change_request_refuse(actor=actor, change_request=change, reason="x")
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.PENDING

    def test_change_pages_are_scoped_and_show_the_county_the_checks(self, login, institution_user, county_user,
                                                                  other_county_user, other_institution_user, approved,
                                                                  other_institution, unlicensed_occupation):
        rows = make_roster_rows(random.Random(78), 1)
        change = opening.change_request_submit(actor=institution_user, training_class=approved, reason="补录",
                                               roster_file_name="补录.xlsx", roster_data=roster_workbook_bytes(rows))
        person = Trainee.objects.create(id_number=rows[0][2], name=rows[0][0], gender="male" if rows[0][1] == "男" else "female",
                                        birth_date=date(1990, 1, 1), category=TraineeCategory.objects.get(code="rural_migrant"))
        elsewhere = other_class(other_institution, unlicensed_occupation, "XA152224-2026-088", start=approved.start_date)
        Enrollment.objects.create(training_class=elsewhere, trainee=person, roster_name=person.name, phone="13900000009")
        url = reverse("supervision:change_detail", args=[approved.pk, change.pk])
        county_page = login(county_user).get(url).content.decode()
        assert "XA152224-2026-088" in county_page and "拟增加" in county_page and "核准变更" in county_page
        institution_page = login(institution_user).get(url).content.decode()
        assert "XA152224-2026-088" not in institution_page and "核准变更" not in institution_page
        assert rows[0][2] not in institution_page and rows[0][2] not in county_page
        for outsider in (other_county_user, other_institution_user):
            session = login(outsider)
            assert session.get(url).status_code == 404
            assert session.post(reverse("supervision:change_approve", args=[approved.pk, change.pk])).status_code == 404
            assert session.post(reverse("supervision:change_refuse", args=[approved.pk, change.pk]), {"reason": "x"}).status_code == 404
        assert login(institution_user).post(reverse("supervision:change_approve", args=[approved.pk, change.pk])).status_code == 404

    def test_the_change_form_submits_and_refuses_in_chinese(self, login, institution_user, approved):
        client = login(institution_user)
        url = reverse("supervision:change_create", args=[approved.pk])
        response = client.post(url, {"reason": "调整", "registered_headcount": "abc"})
        assert response.status_code == 400 and "请输入整数" in response.content.decode()
        response = client.post(url, {"reason": "调整", "start_date": "2026-99-01"})
        assert response.status_code == 400 and "请输入有效的日期" in response.content.decode()
        response = client.post(url, {"reason": "换场地", "location": "新实训楼"}, follow=True)
        assert "已提交备案变更申请" in response.content.decode()
        assert ChangeRequest.objects.get().field_changes["location"]["new"] == "新实训楼"


class TestWishes:
    def test_a_class_opens_for_registrants_once_approved(self, county_user, county, institution_user, submitted, occupation):
        TrainingClass.objects.filter(pk=submitted.pk).update(start_date=timezone.localdate() + timedelta(days=5),
                                                             end_date=timezone.localdate() + timedelta(days=20))
        matching = classes_matching_wishes(county_user, county_id=county.pk, occupation_code=occupation.code,
                                           today=timezone.localdate())
        assert not matching.exists(), "submitted is not yet open"
        decide_all(county_user, submitted)
        opening.opening_approve(actor=county_user, training_class=submitted)
        assert list(classes_matching_wishes(county_user, county_id=county.pk, occupation_code=occupation.code,
                                            today=timezone.localdate())) == [submitted]


class TestTeacherPool:
    def test_teachers_are_fixed_after_approval(self, institution_user, approved, teacher):
        with pytest.raises(ServiceError, match="已核准开班，授课教师不能再更换"):
            teachers.class_teachers_assign(actor=institution_user, training_class=approved, teachers=[])
        assert approved.teacher_assignments.count() == 1
        assert Teacher.objects.filter(pk=teacher.pk).exists()


def test_the_demo_has_a_class_in_every_opening_state_and_is_idempotent(reference_data):
    from django.core.management import call_command

    from supervision.demo import seed_supervision_demo
    from supervision.demo_opening import seed_opening_demo
    from supervision.models import DepartmentList

    call_command("seed_demo")
    seed_supervision_demo(random.Random(1))
    first = seed_opening_demo(random.Random(2))
    counts = (OpeningReview.objects.count(), OpeningEvent.objects.count(), ChangeRequest.objects.count(),
              DepartmentList.objects.count(), Enrollment.objects.count(), TrainingClass.objects.count())
    assert seed_opening_demo(random.Random(3)) == first
    assert counts == (OpeningReview.objects.count(), OpeningEvent.objects.count(), ChangeRequest.objects.count(),
                      DepartmentList.objects.count(), Enrollment.objects.count(), TrainingClass.objects.count())
    assert set(OpeningReview.objects.values_list("status", flat=True)) == set(Status.values)
    assert TrainingClass.objects.filter(status=TrainingClass.Status.DRAFT, opening_review__isnull=True).exists()
    assert not TrainingClass.objects.exclude(status=TrainingClass.Status.DRAFT).filter(opening_review__isnull=True).exists()
    assert set(ChangeRequest.objects.values_list("status", flat=True)) == set(ChangeRequest.Status.values)
    assert DepartmentList.objects.filter(is_current=True).count() == 4
    waiting = TrainingClass.objects.get(batch_number__endswith="-K01")
    checks = opening_checks(waiting, review=waiting.opening_review)
    assert checks.shared_phones and any(check.overlaps for check in checks.trainees)
    assert any(check.list_match == rules.LIST_MATCHED for check in checks.trainees)
    assert any(check.list_match != rules.LIST_MATCHED for check in checks.trainees)
    assert not checks.class_blockers
