"""Trainee search: county and league staff only, scoped to the rosters they may see, searched by POST, audited
with the query masked, and never an ID or phone number in a log line or a cacheable answer."""

import logging
import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from classes.models import Enrollment
from conftest import enroll
from evaluations.tests.conftest import add_forms, complete_followups, finished_class  # noqa: F401 (fixture)

URL = reverse("reports:trainee_search")


def search(client, user, query, *, status=200):
    client.force_login(user)
    response = client.post(URL, {"q": query})
    assert response.status_code == status
    return response


@pytest.fixture
def trainee_of_a(finished_class, county_user):  # noqa: F811
    add_forms(finished_class, ["excellent"] * 10)
    complete_followups(finished_class, county_user)
    return finished_class.enrollments.select_related("trainee").order_by("id").first()


@pytest.fixture
def trainee_of_b(other_class):
    return other_class.enrollments.select_related("trainee").order_by("id").first()


class TestScope:
    def test_a_county_finds_its_trainee_by_id_phone_or_name_with_classes_forms_and_followups(
        self, client, county_user, trainee_of_a
    ):
        trainee = trainee_of_a.trainee
        for query in (trainee.id_number, trainee_of_a.phone, f"+86 {trainee_of_a.phone}", trainee.name):
            page = search(client, county_user, query).content.decode()
            assert "找到 <strong>1</strong> 人" in page, query
            assert trainee.masked_id_number in page and trainee_of_a.training_class.batch_number in page
            assert "有效 · 综合评价优" in page
        page = search(client, county_user, trainee.id_number).content.decode()
        assert reverse("evaluations:trainee_evaluation", args=[trainee_of_a.evaluations.get().pk]) in page
        followup = trainee_of_a.followups.first()
        assert ("已完成" in page) if followup else ("未抽中" in page)

    def test_county_a_finds_nothing_of_county_b(self, client, county_user, trainee_of_a, trainee_of_b):
        for query in (trainee_of_b.trainee.id_number, trainee_of_b.phone, trainee_of_b.trainee.name):
            page = search(client, county_user, query).content.decode()
            assert "找到 <strong>0</strong> 人" in page and 'id="no-results"' in page
            assert trainee_of_b.training_class.batch_number not in page

    def test_a_person_on_rosters_of_both_counties_shows_only_the_searcher_s_classes(
        self, client, county_user, league_user, trainee_of_a, other_class
    ):
        Enrollment.objects.create(training_class=other_class, trainee=trainee_of_a.trainee,
                                  roster_name=trainee_of_a.roster_name, phone="13600000001")
        page = search(client, county_user, trainee_of_a.trainee.id_number).content.decode()
        assert trainee_of_a.training_class.batch_number in page and other_class.batch_number not in page
        # The phone the other county's roster gave finds nothing here: it is not this county's record.
        assert "找到 <strong>0</strong> 人" in search(client, county_user, "13600000001").content.decode()
        page = search(client, league_user, trainee_of_a.trainee.id_number).content.decode()
        assert trainee_of_a.training_class.batch_number in page and other_class.batch_number in page

    def test_institutions_get_404_and_visitors_log_in(self, client, institution_user, trainee_of_a):
        client.force_login(institution_user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, {"q": trainee_of_a.trainee.id_number}).status_code == 404
        client.logout()
        assert client.post(URL, {"q": trainee_of_a.trainee.id_number}).status_code == 302
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA).exists()

    def test_too_many_matches_are_cut_and_said_so(self, client, county_user, training_class, monkeypatch):
        from reports.search import selectors

        monkeypatch.setattr(selectors, "MAX_RESULTS", 3)
        enroll(training_class, 5)
        surname = training_class.enrollments.first().trainee.name[:1]
        enrollments = list(training_class.enrollments.select_related("trainee"))
        for enrollment in enrollments:
            enrollment.trainee.name = f"{surname}测试{enrollment.pk}"
            enrollment.trainee.save()
        page = search(client, county_user, f"{surname}测试").content.decode()
        assert page.count('class="card mb-3 trainee-result"') == 3 and "只显示前 3 人" in page


class TestPrivacy:
    def test_a_search_by_id_is_audited_with_the_number_masked(self, client, county_user, trainee_of_a):
        trainee = trainee_of_a.trainee
        search(client, county_user, trainee.id_number)
        audit = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_PERSONAL_DATA)
        assert audit.detail == f"学员查询：按身份证号 {trainee.masked_id_number}，找到1人"
        assert audit.actor == county_user and audit.ip_address == "127.0.0.1"
        search(client, county_user, trainee_of_a.phone)
        details = list(AuditEvent.objects.values_list("detail", flat=True))
        assert f"学员查询：按手机号 {trainee_of_a.masked_phone}，找到1人" in details
        assert not any(trainee.id_number in detail or trainee_of_a.phone in detail for detail in details)

    def test_no_id_or_phone_reaches_a_log_line_or_a_cache(self, client, county_user, trainee_of_a, caplog):
        trainee = trainee_of_a.trainee
        with caplog.at_level(logging.DEBUG):
            response = search(client, county_user, trainee.id_number)
            search(client, county_user, trainee_of_a.phone)
            search(client, county_user, trainee.id_number[:10], status=400)
        assert "no-store" in response["Cache-Control"]
        lines = [record.getMessage() for record in caplog.records]
        assert lines, "the requests did log (logins), none of it personal"
        for secret in (trainee.id_number, trainee_of_a.phone, trainee.id_number[:10]):
            assert not any(secret in line for line in lines), secret

    def test_a_query_string_does_not_search(self, client, county_user, trainee_of_a):
        client.force_login(county_user)
        page = client.get(URL, {"q": trainee_of_a.trainee.id_number}).content.decode()
        assert "找到" not in page and trainee_of_a.trainee.masked_id_number not in page
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA).exists()

    @pytest.mark.parametrize("query, message", [
        ("15220119", "请输入完整的18位身份证号或11位手机号"),
        ("王", "按姓名查询请至少输入2个字"),
        ("", "请输入要查询的姓名、身份证号或手机号"),
    ])
    def test_a_partial_number_or_a_single_character_is_refused(self, client, county_user, query, message):
        page = search(client, county_user, query, status=400).content.decode()
        assert message in page
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA).exists()


def test_the_search_is_in_the_bureaus_navigation(client, county_user, institution_user):
    client.force_login(county_user)
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()
    client.force_login(institution_user)
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


class TestSignals:
    """Policy §8.4 signals of the person's classes: those whose evidence names the person, and those about the
    class as a whole; a signal naming only other trainees is counted, not shown; nothing of another county."""

    @pytest.fixture
    def signals(self, trainee_of_a, county_user, other_class):
        from supervision.signal_facts import phone_key

        from .signals_fixture import DISMISSED, NOT_DETECTED, add_signal

        training_class = trainee_of_a.training_class
        others = list(training_class.enrollments.exclude(pk=trainee_of_a.pk).order_by("pk")[:3])
        return {
            # Named by the roster's phone (the subject), though the kept rows list only the others.
            "phone": add_signal(training_class, "shared_phone", enrollments=others,
                                subject=f"phone:{phone_key(trainee_of_a.phone)}"),
            "shortfall": add_signal(training_class, "attendance_shortfall", enrollments=[others[0], trainee_of_a],
                                    status=DISMISSED, dismissed_by=county_user),
            "teacher": add_signal(training_class, "teacher_conflict"),
            "someone_else": add_signal(training_class, "id_overlap", enrollments=[others[1]],
                                       subject=f"trainee:{others[1].trainee_id}"),
            "gone": add_signal(training_class, "id_overlap", enrollments=[trainee_of_a],
                               subject=f"trainee:{trainee_of_a.trainee_id}", key="gone", status=NOT_DETECTED),
            # The same person on the other county's roster: that county's signal is not this county's to see.
            "elsewhere": add_signal(other_class, "id_overlap", enrollments=[Enrollment.objects.create(
                training_class=other_class, trainee=trainee_of_a.trainee, roster_name=trainee_of_a.roster_name,
                phone="13600000001")], subject=f"trainee:{trainee_of_a.trainee_id}"),
        }

    def signal_cells(self, page: str) -> list[str]:
        return [" ".join(re.sub(r"<[^>]+>", "", cell).split())
                for cell in re.findall(r'<div class="small search-signal">(.*?)</div>', page)]

    def test_a_county_sees_the_signals_naming_the_person_and_those_about_the_class(
        self, client, county_user, trainee_of_a, signals
    ):
        page = search(client, county_user, trainee_of_a.trainee.id_number).content.decode()
        assert self.signal_cells(page) == [
            "待核实 多名学员共用一个手机号 （涉及本人）",
            "待核实 同一教师同时段在两个培训班授课 （涉及该培训班）",
            "已核销 结业学员出勤低于80% （涉及本人）",
        ]
        assert "本班另有 1 条疑点" in page and "不涉及本人" in page
        assert reverse("supervision:class_signals", args=[trainee_of_a.training_class_id]) in page

    def test_the_league_sees_both_counties_signals_and_an_other_trainee_sees_only_the_class_ones(
        self, client, league_user, county_user, trainee_of_a, signals
    ):
        page = search(client, league_user, trainee_of_a.trainee.id_number).content.decode()
        assert self.signal_cells(page).count("待核实 同一身份证号参加日期重叠的培训班 （涉及本人）") == 1  # the other county's
        other = signals["someone_else"].evidence["rows"][0]
        other_trainee = Enrollment.objects.get(pk=other["enrollment_id"]).trainee
        page = search(client, county_user, other_trainee.id_number).content.decode()
        assert self.signal_cells(page) == [  # the phone's kept rows list this trainee too
            "待核实 同一身份证号参加日期重叠的培训班 （涉及本人）",
            "待核实 多名学员共用一个手机号 （涉及本人）",
            "待核实 同一教师同时段在两个培训班授课 （涉及该培训班）",
        ]
        assert "本班另有 1 条疑点" in page  # the shortfall names two others
