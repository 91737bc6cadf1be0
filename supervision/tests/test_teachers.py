"""Policy §8.8 (S2 五(一)): the league's teacher pool — institutions propose, league staff confirm or reject,
institutions assign confirmed teachers to their draft classes; one teacher on overlapping classes is a conflict."""

import random
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import AuditEvent
from classes.demo_data import make_resident_id
from classes.models import TrainingClass
from conftest import make_class
from supervision import teachers as services
from supervision.models import ClassTeacher, Teacher
from supervision.teacher_selectors import teacher_conflicts, teachers_visible_to
from xingan_training.errors import ServiceError

RNG = random.Random(8)
ID_NUMBERS = [make_resident_id(RNG, area_code="152201") for _ in range(6)]


def proposal(occupations, **changes):
    fields = {
        "name": "刘建国", "id_number": ID_NUMBERS[0], "employment_type": "part_time", "occupations": occupations,
        "qualification": "skill_level_certificate", "certificate_number": "S152200123456", "employer": "兴安盟技工学校",
    }
    fields.update(changes)
    return fields


def propose(actor, occupations, **changes):
    return services.teacher_propose(actor=actor, **proposal(occupations, **changes))


@pytest.fixture
def proposed(institution_user, occupation):
    return propose(institution_user, [occupation])


@pytest.fixture
def confirmed(institution_user, league_user, occupation):
    teacher = propose(institution_user, [occupation], name="白玉兰", id_number=ID_NUMBERS[1])
    return services.teacher_confirm(actor=league_user, teacher=teacher)


@pytest.fixture
def other_proposal(other_institution_user, occupation):
    return propose(other_institution_user, [occupation], name="其木格", id_number=ID_NUMBERS[2])


def form_data(occupation, **changes):
    data = proposal([occupation.pk], **changes)
    return data


# Proposing ------------------------------------------------------------------------------------------


class TestPropose:
    def test_an_institution_proposes_a_teacher_who_waits_for_confirmation(self, login, institution_user, occupation):
        response = login(institution_user).post(reverse("supervision:teacher_propose"), form_data(occupation), follow=True)
        teacher = Teacher.objects.get()
        assert teacher.status == Teacher.Status.PROPOSED and teacher.proposed_by_institution == institution_user.institution
        assert teacher.history.first().history_user == institution_user
        page = response.content.decode()
        assert "等待盟级确认入库" in page and "待确认" in page and teacher.masked_id_number in page
        assert teacher.id_number not in page

    @pytest.mark.parametrize("role_fixture", ["league_user", "county_user"])
    def test_bureaus_do_not_propose(self, request, login, role_fixture, occupation):
        user = request.getfixturevalue(role_fixture)
        with pytest.raises(ServiceError, match="只有培训机构人员可以推荐教师"):
            propose(user, [occupation])
        assert login(user).post(reverse("supervision:teacher_propose"), form_data(occupation)).status_code == 404
        assert not Teacher.objects.exists()

    @pytest.mark.parametrize(("changes", "message"), [
        ({"id_number": "152201199001011235"}, "身份证号校验位错误"),
        ({"id_number": "15220119900101123"}, "身份证号应为18位"),
        ({"name": "长" * 41}, "确保该变量包含不超过 40 字符"),
        ({"employer": "单" * 101}, "确保该变量包含不超过 100 字符"),
        ({"employment_type": "both"}, "所选内容不在可选范围内"),
        ({"qualification": "\x01"}, "所选内容不在可选范围内"),
        ({"occupations": ["999999"]}, "所选内容不在可选范围内"),
        ({"occupations": ["1\x01"]}, "所选内容不在可选范围内"),
        ({"occupations": []}, "请至少选择一个授课职业"),
    ])
    def test_invalid_input_gives_a_chinese_form_error(self, login, institution_user, occupation, changes, message):
        response = login(institution_user).post(reverse("supervision:teacher_propose"), {**form_data(occupation), **changes})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Teacher.objects.exists()

    @pytest.mark.parametrize("changes", [{"employment_type": "both"}, {"qualification": "diploma"}, {"employer": "单" * 101}])
    def test_the_service_refuses_what_the_form_would(self, institution_user, occupation, changes):
        with pytest.raises(ServiceError):
            propose(institution_user, [occupation], **changes)
        assert not Teacher.objects.exists()

    def test_one_person_is_one_teacher(self, institution_user, other_institution_user, proposed, league_user, occupation):
        with pytest.raises(ServiceError, match="已被推荐，正在等待盟级确认"):
            propose(other_institution_user, [occupation])
        services.teacher_confirm(actor=league_user, teacher=proposed)
        with pytest.raises(ServiceError, match="已在师资库中"):
            propose(other_institution_user, [occupation], id_number=proposed.id_number.lower())
        assert Teacher.objects.count() == 1

    def test_a_rejected_person_may_be_proposed_again_on_the_same_row(self, league_user, other_institution_user, proposed, occupation):
        services.teacher_reject(actor=league_user, teacher=proposed, reason="证书编号查不到")
        again = propose(other_institution_user, [occupation], certificate_number="S999")
        assert again.pk == proposed.pk and again.status == Teacher.Status.PROPOSED and again.rejection_reason == ""
        assert again.proposed_by_institution == other_institution_user.institution
        assert again.history.filter(status=Teacher.Status.REJECTED, rejection_reason="证书编号查不到").exists()


# Confirming and rejecting --------------------------------------------------------------------------


class TestReview:
    def test_league_staff_confirm_from_the_queue(self, login, league_user, proposed):
        client = login(league_user)
        queue = client.get(reverse("supervision:teacher_queue")).content.decode()
        assert "刘建国" in queue and "S152200123456" in queue
        client.post(reverse("supervision:teacher_confirm", args=[proposed.pk]))
        proposed.refresh_from_db()
        assert proposed.status == Teacher.Status.CONFIRMED and proposed.reviewed_by == league_user
        assert proposed.history.first().history_user == league_user
        assert "没有待确认的推荐" in client.get(reverse("supervision:teacher_queue")).content.decode()

    def test_a_rejection_needs_a_reason_which_the_institution_sees(self, login, league_user, institution_user, proposed):
        client = login(league_user)
        response = client.post(reverse("supervision:teacher_reject", args=[proposed.pk]), {"reason": " "}, follow=True)
        assert "请填写未通过的原因" in response.content.decode()
        proposed.refresh_from_db()
        assert proposed.status == Teacher.Status.PROPOSED
        with pytest.raises(ServiceError, match="请填写未通过的原因"):
            services.teacher_reject(actor=league_user, teacher=proposed, reason="")
        client.post(reverse("supervision:teacher_reject", args=[proposed.pk]), {"reason": "证书与授课职业不符"})
        proposed.refresh_from_db()
        assert proposed.status == Teacher.Status.REJECTED
        page = login(institution_user).get(reverse("supervision:teacher_detail", args=[proposed.pk])).content.decode()
        assert "未通过" in page and "证书与授课职业不符" in page

    def test_only_a_proposal_can_be_reviewed(self, league_user, confirmed, proposed):
        with pytest.raises(ServiceError, match="只有“待确认”的教师可以审核，当前为“已入库”"):
            services.teacher_confirm(actor=league_user, teacher=confirmed)
        services.teacher_reject(actor=league_user, teacher=proposed, reason="不符")
        with pytest.raises(ServiceError, match="当前为“未通过”"):
            services.teacher_confirm(actor=league_user, teacher=proposed)

    @pytest.mark.parametrize("role_fixture", ["county_user", "institution_user"])
    def test_only_league_staff_review(self, request, login, role_fixture, proposed):
        user = request.getfixturevalue(role_fixture)
        with pytest.raises(ServiceError, match="只有盟级人社部门可以审核师资"):
            services.teacher_confirm(actor=user, teacher=proposed)
        with pytest.raises(ServiceError, match="只有盟级人社部门可以审核师资"):
            services.teacher_reject(actor=user, teacher=proposed, reason="x")
        client = login(user)
        assert client.get(reverse("supervision:teacher_queue")).status_code == 404
        assert client.post(reverse("supervision:teacher_confirm", args=[proposed.pk])).status_code == 404
        assert client.post(reverse("supervision:teacher_reject", args=[proposed.pk]), {"reason": "x"}).status_code == 404
        proposed.refresh_from_db()
        assert proposed.status == Teacher.Status.PROPOSED


# Who sees which teacher ---------------------------------------------------------------------------


class TestVisibility:
    def test_role_by_role(self, proposed, confirmed, other_proposal, league_user, county_user, other_county_user,
                          institution_user, other_institution_user, superuser):
        assert set(teachers_visible_to(league_user)) == {proposed, confirmed, other_proposal}
        assert set(teachers_visible_to(superuser)) == {proposed, confirmed, other_proposal}
        assert set(teachers_visible_to(institution_user)) == {proposed, confirmed}
        assert set(teachers_visible_to(other_institution_user)) == {confirmed, other_proposal}
        assert set(teachers_visible_to(county_user)) == {proposed, confirmed}
        assert set(teachers_visible_to(other_county_user)) == {confirmed, other_proposal}
        assert not teachers_visible_to(AnonymousUser()).exists()

    def test_another_institutions_proposal_is_404(self, login, institution_user, other_proposal, confirmed):
        client = login(institution_user)
        listing = client.get(reverse("supervision:teacher_list")).content.decode()
        assert "白玉兰" in listing and "其木格" not in listing
        assert client.get(reverse("supervision:teacher_detail", args=[other_proposal.pk])).status_code == 404

    def test_the_pool_list_searches_filters_and_pages(self, login, league_user, institution_user, confirmed, proposed,
                                                       occupation, unlicensed_occupation):
        client = login(league_user)
        assert "白玉兰" in client.get(reverse("supervision:teacher_list"), {"q": "白玉"}).content.decode()
        confirmed_only = client.get(reverse("supervision:teacher_list"), {"status": "confirmed"}).content.decode()
        assert "白玉兰" in confirmed_only and "刘建国" not in confirmed_only
        welders = client.get(reverse("supervision:teacher_list"), {"occupation": unlicensed_occupation.pk}).content.decode()
        assert "没有符合条件的教师" in welders
        rng = random.Random(3)
        for number in range(30):
            propose(institution_user, [occupation], name=f"教师{number:02d}", id_number=make_resident_id(rng, area_code="152222"))
        assert "第 1 / 2 页，共 32 条" in client.get(reverse("supervision:teacher_list")).content.decode()
        invalid = client.get(reverse("supervision:teacher_list"), {"occupation": "x\x01", "status": "bogus"})
        assert invalid.status_code == 200 and "筛选条件无效" in invalid.content.decode()

    def test_anonymous_visitors_are_sent_to_login(self, client, confirmed):
        assert client.get(reverse("supervision:teacher_list")).status_code == 302
        assert client.get(reverse("supervision:teacher_detail", args=[confirmed.pk])).status_code == 302


class TestReveal:
    def test_league_staff_see_the_full_id_number_on_an_audited_reveal(self, login, league_user, confirmed):
        client = login(league_user)
        detail = client.get(reverse("supervision:teacher_detail", args=[confirmed.pk])).content.decode()
        assert confirmed.masked_id_number in detail and confirmed.id_number not in detail
        page = client.post(reverse("supervision:teacher_reveal", args=[confirmed.pk])).content.decode()
        assert confirmed.id_number in page
        event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_PERSONAL_DATA)
        assert event.actor == league_user and event.object_id == str(confirmed.pk)

    def test_the_proposing_institution_may_reveal_others_may_not(self, login, institution_user, other_institution_user,
                                                                 county_user, confirmed):
        assert confirmed.id_number in login(institution_user).post(
            reverse("supervision:teacher_reveal", args=[confirmed.pk])).content.decode()
        for outsider in (other_institution_user, county_user):
            assert login(outsider).post(reverse("supervision:teacher_reveal", args=[confirmed.pk])).status_code == 404
            with pytest.raises(ServiceError, match="无权查看"):
                services.teacher_reveal_id_number(actor=outsider, teacher=confirmed)
        assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA).count() == 1


# Assigning teachers to classes ---------------------------------------------------------------------


class TestAssign:
    def test_an_institution_assigns_confirmed_teachers_to_its_draft_class(self, login, institution_user, training_class, confirmed):
        client = login(institution_user)
        page = client.get(reverse("supervision:class_teachers", args=[training_class.pk])).content.decode()
        assert "尚未安排授课教师" in page and "白玉兰" in page
        response = client.post(reverse("supervision:class_teachers", args=[training_class.pk]), {"teachers": [confirmed.pk]}, follow=True)
        assert "授课教师已保存" in response.content.decode()
        assignment = ClassTeacher.objects.get()
        assert (assignment.training_class, assignment.teacher, assignment.assigned_by) == (training_class, confirmed, institution_user)
        detail = client.get(reverse("supervision:teacher_detail", args=[confirmed.pk])).content.decode()
        assert training_class.batch_number in detail

    def test_the_list_replaces_the_previous_one(self, institution_user, training_class, confirmed, league_user, occupation):
        second = services.teacher_confirm(actor=league_user, teacher=propose(institution_user, [occupation], name="那日苏", id_number=ID_NUMBERS[3]))
        services.class_teachers_assign(actor=institution_user, training_class=training_class, teachers=[confirmed, second])
        services.class_teachers_assign(actor=institution_user, training_class=training_class, teachers=[second])
        assert list(ClassTeacher.objects.values_list("teacher__name", flat=True)) == ["那日苏"]
        assert ClassTeacher.history.filter(history_type="-", teacher=confirmed).exists()

    def test_unconfirmed_or_rejected_teachers_are_refused(self, institution_user, training_class, proposed, league_user, occupation):
        with pytest.raises(ServiceError, match="只能选择师资库中已确认入库的教师"):
            services.class_teachers_assign(actor=institution_user, training_class=training_class, teachers=[proposed])
        services.teacher_reject(actor=league_user, teacher=proposed, reason="不符")
        with pytest.raises(ServiceError, match="只能选择师资库中已确认入库的教师"):
            services.class_teachers_assign(actor=institution_user, training_class=training_class, teachers=[proposed])
        assert not ClassTeacher.objects.exists()

    def test_the_page_refuses_an_unconfirmed_teacher_with_a_chinese_error(self, login, institution_user, training_class, proposed):
        response = login(institution_user).post(reverse("supervision:class_teachers", args=[training_class.pk]), {"teachers": [proposed.pk]})
        assert response.status_code == 400 and "只能选择师资库中已确认入库的教师" in response.content.decode()
        assert not ClassTeacher.objects.exists()

    def test_another_institutions_class_is_refused(self, login, other_institution_user, training_class, confirmed):
        with pytest.raises(ServiceError, match="培训班不存在或无权操作"):
            services.class_teachers_assign(actor=other_institution_user, training_class=training_class, teachers=[confirmed])
        client = login(other_institution_user)
        assert client.get(reverse("supervision:class_teachers", args=[training_class.pk])).status_code == 404
        assert client.post(reverse("supervision:class_teachers", args=[training_class.pk]), {"teachers": [confirmed.pk]}).status_code == 404
        assert not ClassTeacher.objects.exists()

    @pytest.mark.parametrize("status", [TrainingClass.Status.IN_TRAINING, TrainingClass.Status.FINISHED])
    def test_only_a_draft_class_takes_teachers(self, login, institution_user, training_class, confirmed, status):
        TrainingClass.objects.filter(pk=training_class.pk).update(status=status)
        with pytest.raises(ServiceError, match="只有“筹备中”的培训班可以安排授课教师"):
            services.class_teachers_assign(actor=institution_user, training_class=training_class, teachers=[confirmed])
        page = login(institution_user).get(reverse("supervision:class_teachers", args=[training_class.pk])).content.decode()
        assert "保存授课教师" not in page

    def test_a_teacher_of_another_occupation_is_refused(self, institution_user, league_user, training_class, unlicensed_occupation):
        welder = services.teacher_confirm(actor=league_user, teacher=propose(institution_user, [unlicensed_occupation], id_number=ID_NUMBERS[4]))
        with pytest.raises(ServiceError, match="授课职业不含“养老护理员”"):
            services.class_teachers_assign(actor=institution_user, training_class=training_class, teachers=[welder])

    @pytest.mark.parametrize("role_fixture", ["county_user", "league_user"])
    def test_bureaus_read_a_classs_teachers_but_do_not_assign(self, request, login, role_fixture, institution_user, training_class, confirmed):
        services.class_teachers_assign(actor=institution_user, training_class=training_class, teachers=[confirmed])
        user = request.getfixturevalue(role_fixture)
        client = login(user)
        page = client.get(reverse("supervision:class_teachers", args=[training_class.pk])).content.decode()
        assert "白玉兰" in page and confirmed.masked_id_number in page and "保存授课教师" not in page
        assert client.post(reverse("supervision:class_teachers", args=[training_class.pk]), {"teachers": []}).status_code == 404
        with pytest.raises(ServiceError, match="只有培训机构人员可以安排授课教师"):
            services.class_teachers_assign(actor=user, training_class=training_class, teachers=[])
        assert ClassTeacher.objects.count() == 1

    def test_another_countys_class_is_404(self, login, other_county_user, training_class):
        assert login(other_county_user).get(reverse("supervision:class_teachers", args=[training_class.pk])).status_code == 404


# Conflicts -----------------------------------------------------------------------------------------


def assign(teacher, training_class, user):
    return ClassTeacher.objects.create(training_class=training_class, teacher=teacher, assigned_by=user)


class TestConflicts:
    def test_overlapping_dates_are_a_conflict_adjacent_dates_are_not(self, institution, other_institution, occupation,
                                                                     confirmed, institution_user):
        first = make_class(institution, occupation, batch_number="C1", start_date=date(2026, 5, 1), end_date=date(2026, 5, 10))
        same_last_day = make_class(other_institution, occupation, batch_number="C2", start_date=date(2026, 5, 10), end_date=date(2026, 5, 20))
        adjacent = make_class(institution, occupation, batch_number="C3", start_date=date(2026, 5, 21), end_date=date(2026, 5, 30))
        for training_class in (first, same_last_day, adjacent):
            assign(confirmed, training_class, institution_user)
        conflicts = teacher_conflicts()
        assert [(c.teacher, c.first_class, c.second_class) for c in conflicts] == [(confirmed, first, same_last_day)]

    def test_different_teachers_on_overlapping_classes_are_no_conflict(self, institution, occupation, confirmed, proposed, institution_user):
        first = make_class(institution, occupation, batch_number="C1", start_date=date(2026, 5, 1), end_date=date(2026, 5, 10))
        second = make_class(institution, occupation, batch_number="C2", start_date=date(2026, 5, 5), end_date=date(2026, 5, 15))
        assign(confirmed, first, institution_user)
        assign(proposed, second, institution_user)
        assert teacher_conflicts() == []

    def test_conflicts_can_be_asked_for_some_teachers(self, institution, occupation, confirmed, proposed, institution_user):
        classes = [make_class(institution, occupation, batch_number=f"C{n}", start_date=date(2026, 5, n), end_date=date(2026, 5, 10 + n))
                   for n in range(1, 3)]
        for teacher in (confirmed, proposed):
            for training_class in classes:
                assign(teacher, training_class, institution_user)
        assert {c.teacher for c in teacher_conflicts()} == {confirmed, proposed}
        assert [c.teacher for c in teacher_conflicts([proposed.pk])] == [proposed]
        assert teacher_conflicts([]) == []

    def test_the_teacher_page_warns_and_hides_the_other_countys_class(self, login, institution, other_institution, occupation,
                                                                     confirmed, institution_user, county_user, league_user):
        own = make_class(institution, occupation, batch_number="C1", start_date=date(2026, 5, 1), end_date=date(2026, 5, 10))
        foreign = make_class(other_institution, occupation, batch_number="C2-FOREIGN", start_date=date(2026, 5, 3), end_date=date(2026, 5, 8))
        assign(confirmed, own, institution_user)
        assign(confirmed, foreign, institution_user)
        page = login(county_user).get(reverse("supervision:teacher_detail", args=[confirmed.pk])).content.decode()
        assert "时间冲突" in page and "C1" in page and "辖区外的一个培训班" in page and "C2-FOREIGN" not in page
        league_page = login(league_user).get(reverse("supervision:teacher_detail", args=[confirmed.pk])).content.decode()
        assert "C2-FOREIGN" in league_page and "辖区外" not in league_page
