"""Policy §8.5 (S2 四(一)): on-site inspections — planning, recording once (idempotent by client id), attachments
checked by content, 60% coverage per county and year, the pace alert, and scoping role by role on every URL
(a commissioned third party sees its assignments and nothing else)."""

import io
import threading
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from accounts.models import Role, User
from classes.models import TrainingClass
from conftest import enroll, make_class, make_user, pass_second_factor
from supervision import inspections as services
from supervision.inspection_hooks import register_rectification_needed, unregister_rectification_needed
from supervision.inspection_rules import inspection_pace_behind, inspections_to_regain_pace, last_inspection_day
from supervision.inspection_selectors import (
    inspection_coverage_for,
    inspections_visible_to,
    uninspected_batches_for,
)
from supervision.models import Inspection, InspectionAttachment
from supervision.rules import inspection_coverage_met
from xingan_training.errors import ServiceError

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, "GIF")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def photo(name="课堂.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, content if content is not None else png_bytes(), content_type=content_type)


@pytest.fixture
def third_party(county):
    user = make_user("inspector", role=Role.THIRD_PARTY, region=county)
    User.objects.filter(pk=user.pk).update(first_name="兴安评估咨询公司 王检查")
    user.refresh_from_db()
    return user


@pytest.fixture
def other_third_party(other_county):
    return make_user("inspector2", role=Role.THIRD_PARTY, region=other_county)


@pytest.fixture
def running_class(institution, occupation):
    training_class = make_class(
        institution, occupation, batch_number="XA152201-2026-101", status=TrainingClass.Status.IN_TRAINING,
        start_date=TODAY - timedelta(days=5), end_date=TODAY + timedelta(days=5),
    )
    TrainingClass.objects.filter(pk=training_class.pk).update(location="乌兰浩特职教中心三楼")
    training_class.refresh_from_db()
    enroll(training_class, 6)
    return training_class


@pytest.fixture
def other_running_class(other_institution, occupation):
    training_class = make_class(
        other_institution, occupation, batch_number="XA152224-2026-101", status=TrainingClass.Status.IN_TRAINING,
        start_date=TODAY - timedelta(days=3), end_date=TODAY + timedelta(days=8),
    )
    enroll(training_class, 4, seed=2)
    return training_class


@pytest.fixture
def planned(county_user, third_party, running_class):
    return services.inspection_plan(
        actor=county_user, training_class=running_class, planned_on=TODAY, inspectors=[third_party, county_user]
    )


@pytest.fixture
def other_planned(other_county_user, other_running_class):
    return services.inspection_plan(
        actor=other_county_user, training_class=other_running_class, planned_on=TODAY, inspectors=[other_county_user]
    )


def record(actor, inspection, *, client_id=None, **changes):
    fields = {
        "client_id": client_id or uuid.uuid4(), "inspected_on": TODAY, "aspects": ["enrolment", "training"],
        "methods": ["inquiry", "lecture"], "present_count": 5, "findings": "", "result": "qualified",
    }
    fields.update(changes)
    return services.inspection_record(actor=actor, inspection=inspection, **fields)


def post_data(**changes):
    data = {
        "client_id": str(uuid.uuid4()), "inspected_on": TODAY.isoformat(), "aspects": ["enrolment", "teachers"],
        "methods": ["inquiry"], "present_count": "5", "findings": "签到表与实到人数一致。", "result": "qualified",
        "rectification_text": "",
    }
    data.update(changes)
    return data


# The pure rule -----------------------------------------------------------------------------------------------


class TestPaceRule:
    @pytest.mark.parametrize(("inspected", "missed", "behind"), [
        (0, 0, None),      # nothing settled yet: no judgement
        (1, 0, False),
        (0, 1, True),      # the only batch so far ended without an inspection
        (3, 2, False),     # exactly 60% of the settled batches is on pace (§1: "60%以上" includes 60%)
        (2, 2, True),
        (6, 4, False),     # 600 >= 600
        (5, 4, True),      # 500 < 540
        (59, 41, True),    # 59% of 100
        (60, 40, False),   # 60% of 100
    ])
    def test_behind_when_under_60_percent_of_the_settled_batches(self, inspected, missed, behind):
        assert inspection_pace_behind(inspected, missed) is behind

    def test_behind_is_not_meeting_coverage_on_the_settled_batches(self):
        for inspected in range(0, 12):
            for missed in range(0, 12):
                met = inspection_coverage_met(inspected, inspected + missed)
                assert inspection_pace_behind(inspected, missed) == (None if met is None else not met)

    @pytest.mark.parametrize(("inspected", "missed", "needed"), [(0, 0, 0), (0, 1, 2), (2, 2, 1), (3, 2, 0), (2, 5, 6), (0, 3, 5)])
    def test_inspections_to_regain_pace(self, inspected, missed, needed):
        assert inspections_to_regain_pace(inspected, missed) == needed

    def test_the_number_to_regain_pace_is_the_least_that_suffices(self):
        for inspected in range(0, 15):
            for missed in range(0, 15):
                needed = inspections_to_regain_pace(inspected, missed)
                assert not inspection_pace_behind(inspected + needed, missed)
                if needed:
                    assert inspection_pace_behind(inspected + needed - 1, missed)

    @pytest.mark.parametrize(("inspected", "missed"), [(-1, 0), (0, -1), (True, 0), (1.0, 1)])
    def test_impossible_counts_are_refused(self, inspected, missed):
        with pytest.raises(ValueError):
            inspection_pace_behind(inspected, missed)
        with pytest.raises(ValueError):
            inspections_to_regain_pace(inspected, missed)

    def test_a_batch_across_new_year_can_be_inspected_for_the_old_year_until_31_december(self):
        assert last_inspection_day(date(2027, 1, 10), 2026) == date(2026, 12, 31)
        assert last_inspection_day(date(2026, 6, 30), 2026) == date(2026, 6, 30)


# Coverage against a hand-counted fixture ------------------------------------------------------------------------


def recorded_inspection(training_class, on, by, **extra):
    """An inspection recorded on a past day, written directly (the services refuse past dates, as they should)."""
    inspection = Inspection.objects.create(
        training_class=training_class, planned_on=on, planned_by=by, status=Inspection.Status.RECORDED,
        client_id=uuid.uuid4(), inspected_on=on, recorded_by=by, recorded_at=timezone.now(), checked_training=True,
        by_inquiry=True, roster_size=30, present_count=28, result="qualified", **extra,
    )
    inspection.inspectors.set([by])
    return inspection


@pytest.fixture
def coverage_fixture(institution, other_institution, occupation, county_user, other_county_user):
    """County A (乌兰浩特), seen on 15 June 2026. By hand, for 2026: 8 batches (c1–c6, c9, c10), 2 inspected (c1, c3),
    5 missed (c4, c5, c6, c9, c10), 1 still open (c2). For 2025: 2 batches (c6, c8), 1 inspected (c6), 1 missed (c8)."""
    finished, training, draft = TrainingClass.Status.FINISHED, TrainingClass.Status.IN_TRAINING, TrainingClass.Status.DRAFT

    def batch(number, status, start, end, school=institution):
        return make_class(school, occupation, batch_number=f"COV-{number:02d}", status=status, start_date=start, end_date=end)

    classes = {
        "c1": batch(1, training, date(2026, 6, 1), date(2026, 6, 30)),
        "c2": batch(2, training, date(2026, 6, 10), date(2026, 6, 25)),
        "c3": batch(3, finished, date(2026, 3, 1), date(2026, 3, 15)),
        "c4": batch(4, finished, date(2026, 4, 1), date(2026, 4, 10)),
        "c5": batch(5, finished, date(2026, 5, 1), date(2026, 5, 10)),
        "c6": batch(6, finished, date(2025, 12, 15), date(2026, 1, 10)),  # across New Year
        "c7": batch(7, draft, date(2026, 7, 1), date(2026, 7, 10)),        # has not run
        "c8": batch(8, finished, date(2025, 3, 1), date(2025, 3, 10)),     # last year only
        "c9": batch(9, training, date(2026, 6, 1), date(2026, 6, 14)),     # ended yesterday, not marked finished
        "c10": batch(10, finished, date(2026, 2, 1), date(2026, 2, 10)),   # only a cancelled plan
        "c11": batch(11, training, date(2026, 6, 1), date(2026, 6, 30), school=other_institution),  # county B
    }
    recorded_inspection(classes["c1"], date(2026, 6, 10), county_user)
    recorded_inspection(classes["c3"], date(2026, 3, 5), county_user)
    recorded_inspection(classes["c3"], date(2026, 3, 12), county_user)  # twice: still one inspected batch
    recorded_inspection(classes["c6"], date(2025, 12, 20), county_user)
    recorded_inspection(classes["c11"], date(2026, 6, 5), other_county_user)
    Inspection.objects.create(
        training_class=classes["c10"], planned_on=date(2026, 2, 5), planned_by=county_user, status="cancelled",
        cancelled_at=timezone.now(), cancellation_reason="改期",
    )
    return classes


class TestCoverage:
    TODAY = date(2026, 6, 15)

    def test_figures_for_the_county_match_the_hand_count(self, coverage_fixture, county_user):
        (row,) = inspection_coverage_for(county_user, year=2026, today=self.TODAY)
        assert (row.batches, row.inspected, row.missed, row.still_open) == (8, 2, 5, 1)
        assert row.is_met is False and row.percent == 25.0 and row.target == 5
        assert row.is_behind is True and row.to_regain_pace == 6

    def test_last_year_is_wholly_settled(self, coverage_fixture, county_user):
        (row,) = inspection_coverage_for(county_user, year=2025, today=self.TODAY)
        assert (row.batches, row.inspected, row.missed, row.still_open) == (2, 1, 1, 0)
        assert row.is_met is False and row.is_behind is True

    def test_league_sees_every_county_of_its_league(self, coverage_fixture, league_user, county, other_county):
        rows = {row.county: row for row in inspection_coverage_for(league_user, year=2026, today=self.TODAY)}
        assert len(rows) == 6
        assert (rows[county].batches, rows[county].inspected) == (8, 2)
        assert (rows[other_county].batches, rows[other_county].inspected, rows[other_county].is_met) == (1, 1, True)
        assert all(row.batches == 0 and row.is_met is None for region, row in rows.items() if region not in (county, other_county))

    def test_uninspected_batches_still_training_come_first_then_by_end_date(self, coverage_fixture, county_user):
        batches = list(uninspected_batches_for(county_user, year=2026, today=self.TODAY))
        assert [item.batch_number for item in batches] == ["COV-02", "COV-06", "COV-10", "COV-04", "COV-05", "COV-09"]
        assert [item.is_settled for item in batches] == [False] + [True] * 5

    def test_other_roles_get_no_figures(self, coverage_fixture, institution_user, third_party):
        for user in (institution_user, third_party, AnonymousUser()):
            assert inspection_coverage_for(user, year=2026, today=self.TODAY) == []
            assert not uninspected_batches_for(user, year=2026, today=self.TODAY).exists()

    def test_the_page_shows_the_figures_the_alert_and_the_batches_to_visit(self, login, coverage_fixture, county_user):
        import time_machine

        client = login(county_user)
        with time_machine.travel(timezone.make_aware(datetime.combine(self.TODAY, time(10, 0))), tick=False):
            response = client.get(reverse("supervision:inspection_coverage"))
        page = response.content.decode()
        assert response.status_code == 200 and "现场检查覆盖率 · 2026年" in page
        cells = [cell.split(">")[-1] for cell in page.split('id="coverage-152201"')[1].split("</tr>")[0].split("</td>")[:7]]
        assert cells == ["乌兰浩特市", "8", "2", "25.0%", "5", "5", "1"]
        assert "至少还需检查 6 个班期" in page and "请优先安排下表中仍在培训的 1 个班期" in page
        table = page.split('id="uninspected-table"')[1]
        assert table.index("COV-02") < table.index("COV-06") and "COV-01" not in table and "COV-11" not in page
        assert reverse("supervision:inspection_plan", args=[coverage_fixture["c2"].pk]) in table
        assert reverse("supervision:inspection_plan", args=[coverage_fixture["c4"].pk]) not in table

    def test_the_landing_page_counts_what_the_county_must_inspect_to_catch_up(self, login, county_user, institution, occupation):
        # Finished on New Year's Day of this year: a missed batch of the current year whatever today is.
        new_year = date(TODAY.year, 1, 1)
        make_class(institution, occupation, batch_number="PACE-1", status=TrainingClass.Status.FINISHED,
                   start_date=new_year, end_date=new_year)
        page = login(county_user).get(reverse("home")).content.decode()
        item = page.split("现场检查进度落后，至少还需检查的班期")[1].split("</a>")[0]
        assert ">2<" in item  # one batch missed, none inspected: two more to be back at 60%


# Planning ---------------------------------------------------------------------------------------------------------


class TestPlan:
    def test_county_staff_plan_a_visit_with_a_third_party(self, planned, county_user, third_party, running_class):
        assert planned.status == Inspection.Status.PLANNED and planned.planned_by == county_user
        assert set(planned.inspectors.all()) == {county_user, third_party}
        assert planned.history.first().history_user == county_user

    def test_the_plan_page_offers_the_county_the_inspectors_it_may_name(self, login, county_user, third_party, other_third_party, league_user, running_class):
        client = login(county_user)
        page = client.get(reverse("supervision:inspection_plan", args=[running_class.pk])).content.decode()
        assert third_party.display_name in page and league_user.display_name in page
        assert other_third_party.username not in page
        response = client.post(reverse("supervision:inspection_plan", args=[running_class.pk]),
                               {"planned_on": TODAY.isoformat(), "inspectors": [third_party.pk]}, follow=True)
        assert "已安排对 XA152201-2026-101 的现场检查" in response.content.decode()
        assert Inspection.objects.get().inspectors.get() == third_party

    def test_league_staff_plan_in_any_county_of_their_league(self, league_user, other_running_class, other_third_party):
        inspection = services.inspection_plan(actor=league_user, training_class=other_running_class, planned_on=TODAY,
                                              inspectors=[league_user, other_third_party])
        assert inspection.inspectors.count() == 2

    @pytest.mark.parametrize("role_fixture", ["institution_user", "third_party"])
    def test_institutions_and_third_parties_do_not_plan(self, request, login, role_fixture, running_class, county_user):
        user = request.getfixturevalue(role_fixture)
        with pytest.raises(ServiceError, match="只有旗县市或盟级人社部门可以安排现场检查"):
            services.inspection_plan(actor=user, training_class=running_class, planned_on=TODAY, inspectors=[county_user])
        assert login(user).get(reverse("supervision:inspection_plan", args=[running_class.pk])).status_code == 404

    def test_a_county_cannot_plan_in_another_county(self, login, county_user, other_running_class):
        with pytest.raises(ServiceError, match="培训班不存在或无权操作"):
            services.inspection_plan(actor=county_user, training_class=other_running_class, planned_on=TODAY, inspectors=[county_user])
        assert login(county_user).get(reverse("supervision:inspection_plan", args=[other_running_class.pk])).status_code == 404

    def test_inspectors_must_belong_to_the_class_county_or_league(self, county_user, running_class, other_county_user, other_third_party, institution_user):
        for outsider in (other_county_user, other_third_party, institution_user):
            with pytest.raises(ServiceError, match="以下人员不能检查乌兰浩特市的培训班"):
                services.inspection_plan(actor=county_user, training_class=running_class, planned_on=TODAY, inspectors=[outsider])

    def test_an_inactive_third_party_cannot_be_named(self, county_user, running_class, third_party):
        User.objects.filter(pk=third_party.pk).update(is_active=False)
        third_party.refresh_from_db()
        with pytest.raises(ServiceError, match="不能检查"):
            services.inspection_plan(actor=county_user, training_class=running_class, planned_on=TODAY, inspectors=[third_party])

    @pytest.mark.parametrize(("offset", "message"), [(-1, "不早于今天"), (6, "须在培训期内")])
    def test_the_date_lies_within_training_and_not_in_the_past(self, county_user, running_class, offset, message):
        with pytest.raises(ServiceError, match=message):
            services.inspection_plan(actor=county_user, training_class=running_class, planned_on=TODAY + timedelta(days=offset),
                                     inspectors=[county_user])

    def test_an_ended_class_cannot_be_planned(self, county_user, institution, occupation):
        ended = make_class(institution, occupation, batch_number="ENDED-1", status=TrainingClass.Status.FINISHED,
                           start_date=TODAY - timedelta(days=20), end_date=TODAY - timedelta(days=1))
        with pytest.raises(ServiceError, match="培训已经结束"):
            services.inspection_plan(actor=county_user, training_class=ended, planned_on=TODAY, inspectors=[county_user])

    def test_one_open_plan_per_class(self, planned, county_user, running_class):
        with pytest.raises(ServiceError, match="已有待检查的安排"):
            services.inspection_plan(actor=county_user, training_class=running_class, planned_on=TODAY, inspectors=[county_user])

    def test_a_cancelled_plan_needs_a_reason_and_cannot_be_recorded(self, login, planned, county_user, third_party):
        client = login(county_user)
        client.post(reverse("supervision:inspection_cancel", args=[planned.pk]), {"reason": ""})
        assert Inspection.objects.get().status == Inspection.Status.PLANNED
        client.post(reverse("supervision:inspection_cancel", args=[planned.pk]), {"reason": "培训班调整上课时间"})
        planned.refresh_from_db()
        assert planned.status == Inspection.Status.CANCELLED and planned.cancellation_reason == "培训班调整上课时间"
        with pytest.raises(ServiceError, match="已取消"):
            record(third_party, planned)

    def test_a_third_party_cannot_cancel(self, login, planned, third_party):
        assert login(third_party).post(reverse("supervision:inspection_cancel", args=[planned.pk]), {"reason": "x"}).status_code == 404
        with pytest.raises(ServiceError):
            services.inspection_cancel(actor=third_party, inspection=planned, reason="x")


# Recording --------------------------------------------------------------------------------------------------------


class TestRecord:
    def test_an_inspector_records_the_visit(self, planned, third_party, running_class):
        absent = list(running_class.enrollments.order_by("id")[:1].values_list("pk", flat=True))
        outcome = record(third_party, planned, present_count=5, absent_enrollment_ids=absent, findings="有一名学员请假。",
                         result="problems", needs_rectification=True, rectification_text="补齐请假手续。",
                         aspects=["enrolment", "teachers", "training", "follow_up"], methods=["inquiry", "lecture", "documents"])
        inspection = outcome.inspection
        assert outcome.is_new and inspection.status == Inspection.Status.RECORDED
        assert (inspection.roster_size, inspection.present_count) == (6, 5)
        assert list(inspection.absent_enrollments.values_list("pk", flat=True)) == absent
        assert inspection.checked_aspect_labels == ["招生", "师资", "培训", "后续跟踪服务"]
        assert inspection.method_labels == ["问询", "听课", "查阅资料"]
        assert inspection.recorded_by == third_party and inspection.history.first().history_user == third_party
        assert not inspection.proposes_catalogue_removal

    def test_a_finding_that_needs_rectification_becomes_one_ledger_item(self, planned, third_party, running_class):
        from supervision.models import RectificationItem, RectificationSource

        outcome = record(third_party, planned, present_count=5, findings="教学日志缺两天。", result="problems",
                         needs_rectification=True, rectification_text="补齐教学日志。")
        item = RectificationItem.objects.get()
        assert (item.source, item.institution, item.training_class) == (
            RectificationSource.ON_SITE_INSPECTION, running_class.institution, running_class)
        assert (item.problem, item.measures) == ("教学日志缺两天。", "补齐教学日志。")
        assert item.raised_by == planned.planned_by and item.deadline > outcome.inspection.inspected_on
        from supervision.rectification import rectification_item_follow_inspection

        assert rectification_item_follow_inspection(outcome.inspection.pk) == item  # a retried send adds nothing
        assert RectificationItem.objects.count() == 1

    def test_a_serious_result_proposes_removal_from_the_catalogue(self, planned, third_party):
        inspection = record(third_party, planned, result="serious", findings="实到3人，签到表签了30人。").inspection
        assert inspection.proposes_catalogue_removal

    def test_only_named_inspectors_record(self, planned, league_user, other_third_party):
        for outsider in (league_user, other_third_party):
            with pytest.raises(ServiceError):
                record(outsider, planned)
        assert Inspection.objects.get().status == Inspection.Status.PLANNED

    @pytest.mark.parametrize(("changes", "message"), [
        ({"inspected_on": TODAY - timedelta(days=6)}, "须在培训期内"),
        ({"inspected_on": TODAY + timedelta(days=1)}, "不能晚于今天"),
        ({"aspects": []}, "请选择检查内容"),
        ({"methods": ["telepathy"]}, "请选择检查方式"),
        ({"present_count": -1}, "实到人数"),
        ({"result": "problems", "findings": ""}, "请写明检查发现的问题"),
        ({"result": "qualified", "needs_rectification": True, "rectification_text": "整改"}, "不能提出整改"),
        ({"result": "problems", "findings": "x", "needs_rectification": True, "rectification_text": ""}, "请写明整改要求"),
        ({"result": "excellent"}, "请选择检查结论"),
    ])
    def test_incomplete_or_impossible_records_are_refused(self, planned, third_party, changes, message):
        with pytest.raises(ServiceError, match=message):
            record(third_party, planned, **changes)
        assert Inspection.objects.get().status == Inspection.Status.PLANNED

    def test_absentees_must_be_on_the_class_roster(self, planned, third_party, other_running_class):
        stranger = other_running_class.enrollments.first()
        with pytest.raises(ServiceError, match="花名册"):
            record(third_party, planned, absent_enrollment_ids=[stranger.pk])

    def test_a_needed_rectification_wakes_the_ledger_once(self, planned, third_party):
        calls = []
        register_rectification_needed(calls.append)
        try:
            client_id = uuid.uuid4()
            record(third_party, planned, client_id=client_id, result="problems", findings="教师与备案不符。",
                   needs_rectification=True, rectification_text="按备案安排授课教师。")
            record(third_party, planned, client_id=client_id, result="problems", findings="教师与备案不符。",
                   needs_rectification=True, rectification_text="按备案安排授课教师。")
        finally:
            unregister_rectification_needed(calls.append)
        assert calls == [planned.pk]

    def test_the_form_posts_without_javascript(self, login, planned, third_party):
        client = login(third_party)
        page = client.get(reverse("supervision:inspection_record", args=[planned.pk])).content.decode()
        assert 'name="client_id"' in page and "乌兰浩特职教中心三楼" in page and "名册 6 人" in page
        response = client.post(reverse("supervision:inspection_record", args=[planned.pk]), post_data(), follow=True)
        assert "检查记录已提交" in response.content.decode()
        assert Inspection.objects.get().status == Inspection.Status.RECORDED
        # Recorded: the form now leads to the record.
        assert client.get(reverse("supervision:inspection_record", args=[planned.pk])).url == reverse(
            "supervision:inspection_detail", args=[planned.pk])

    def test_the_offline_script_gets_json_answers(self, login, planned, third_party):
        client = login(third_party)
        url = reverse("supervision:inspection_record", args=[planned.pk])
        refused = client.post(url, post_data(aspects=[], present_count="many"), HTTP_ACCEPT="application/json")
        assert refused.status_code == 400
        body = refused.json()
        assert not body["ok"] and body["errors"]["aspects"] == ["请选择检查内容。"] and body["errors"]["present_count"] == ["实到人数应为整数。"]
        accepted = client.post(url, post_data(), HTTP_ACCEPT="application/json")
        assert accepted.status_code == 200 and accepted.json() == {
            "ok": True, "message": "检查记录已提交。", "url": reverse("supervision:inspection_detail", args=[planned.pk]), "errors": {},
        }


# One record per client id ---------------------------------------------------------------------------------------


class TestIdempotency:
    def test_the_same_client_id_twice_gives_one_record_and_one_set_of_photos(self, planned, third_party):
        client_id = uuid.uuid4()
        first = record(third_party, planned, client_id=client_id, attachments=[photo()])
        second = record(third_party, planned, client_id=client_id, attachments=[photo()])
        assert first.is_new and not second.is_new
        assert first.inspection.pk == second.inspection.pk
        assert Inspection.objects.filter(status="recorded").count() == 1
        assert InspectionAttachment.objects.count() == 1

    def test_a_repeated_send_over_http_is_answered_as_a_success(self, login, planned, third_party):
        client = login(third_party)
        url = reverse("supervision:inspection_record", args=[planned.pk])
        data = post_data()
        client.post(url, data, HTTP_ACCEPT="application/json")
        again = client.post(url, data, HTTP_ACCEPT="application/json")
        assert again.status_code == 200 and again.json()["ok"] and "此前已提交成功" in again.json()["message"]
        assert Inspection.objects.filter(status="recorded").count() == 1

    def test_another_record_of_a_recorded_inspection_is_refused(self, planned, third_party, county_user):
        record(third_party, planned)
        with pytest.raises(ServiceError, match="不能重复记录"):
            record(county_user, planned)

    def test_a_client_id_belongs_to_one_inspection(self, planned, other_planned, third_party, other_county_user):
        client_id = uuid.uuid4()
        record(third_party, planned, client_id=client_id)
        with pytest.raises(ServiceError, match="提交编号已被另一条检查记录使用"):
            record(other_county_user, other_planned, client_id=client_id)
        other_planned.refresh_from_db()
        assert other_planned.status == Inspection.Status.PLANNED


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_the_same_record_at_once_give_one_record(county_user, third_party, running_class):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's shared in-memory test database locks the table instead of racing; CI runs PostgreSQL")
    inspection = services.inspection_plan(actor=county_user, training_class=running_class, planned_on=TODAY, inspectors=[third_party])
    client_id = uuid.uuid4()
    barrier = threading.Barrier(2)
    outcomes = []

    def send():
        barrier.wait()
        try:
            outcomes.append(record(third_party, inspection, client_id=client_id, attachments=[photo()]).is_new)
        except ServiceError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    assert Inspection.objects.filter(status="recorded", client_id=client_id).count() == 1
    assert InspectionAttachment.objects.count() == 1


# Attachments --------------------------------------------------------------------------------------------------


class TestAttachments:
    def test_photos_and_pdfs_are_kept_off_the_public_path_and_served_by_the_scoped_view(self, login, planned, third_party, county_user, other_county_user, media_root):
        record(third_party, planned, attachments=[photo(), photo("现场.jpg", jpeg_bytes(), "image/jpeg"),
                                                 photo("签到表.pdf", pdf_bytes(), "application/pdf")])
        png, jpeg, pdf = InspectionAttachment.objects.order_by("id")
        assert (png.kind, png.content_type, jpeg.content_type, pdf.kind) == ("photo", "image/png", "image/jpeg", "document")
        assert png.file.name.startswith("inspections/") and "课堂" not in png.file.name
        assert (media_root / png.file.name).exists()
        response = login(county_user).get(reverse("supervision:inspection_attachment", args=[png.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == png_bytes()
        download = login(county_user).get(reverse("supervision:inspection_attachment", args=[pdf.pk]))
        assert download["Content-Type"] == "application/pdf" and download["Content-Disposition"].startswith("attachment")
        assert login(other_county_user).get(reverse("supervision:inspection_attachment", args=[png.pk])).status_code == 404

    @pytest.mark.parametrize(("upload", "message"), [
        (photo("课堂.jpg", b"just some text, not a photo", "image/jpeg"), "既不是照片也不是 PDF"),
        (photo("page.png", b"<html><script>alert(1)</script></html>", "image/png"), "既不是照片也不是 PDF"),
        (photo("报告.pdf", b"%PDF-1.7\nnot really a pdf", "application/pdf"), "不是完整的 PDF"),
        (photo("动图.gif", gif_bytes(), "image/gif"), "格式不支持"),
        (photo("截断.png", png_bytes()[:60], "image/png"), "不是完整的图片"),
        (photo("空.jpg", b"", "image/jpeg"), "空文件"),
        (photo("表格.docx", b"PK\x03\x04" + b"\x00" * 100, "application/pdf"), "既不是照片也不是 PDF"),
    ])
    def test_anything_but_an_image_or_a_pdf_is_refused(self, planned, third_party, upload, message):
        with pytest.raises(ServiceError, match=message):
            record(third_party, planned, attachments=[upload])
        assert Inspection.objects.get().status == Inspection.Status.PLANNED
        assert not InspectionAttachment.objects.exists()

    def test_too_many_or_too_large_files_are_refused(self, planned, third_party, monkeypatch):
        with pytest.raises(ServiceError, match="最多上传 10 个"):
            record(third_party, planned, attachments=[photo(f"{index}.png") for index in range(11)])
        monkeypatch.setattr("supervision.inspection_files.MAX_TOTAL_BYTES", 200)
        with pytest.raises(ServiceError, match="合计超过"):
            record(third_party, planned, attachments=[photo("a.png"), photo("b.png")])

    def test_a_refused_file_answers_the_offline_script_with_the_reason(self, login, planned, third_party):
        response = login(third_party).post(
            reverse("supervision:inspection_record", args=[planned.pk]),
            post_data(attachments=[photo("x.jpg", b"MZ\x90\x00 executable", "image/jpeg")]), HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 400 and "只能上传 JPG、PNG、WebP 照片或 PDF 文件" in response.json()["message"]


# Scoping on every URL ---------------------------------------------------------------------------------------------


INSPECTION_URL_NAMES = {
    "supervision:inspection_list", "supervision:inspection_detail", "supervision:inspection_record",
    "supervision:inspection_attachment", "supervision:inspection_service_worker",
}


def portal_urls(resolver=None, prefix=""):
    """Every named URL of the project but the admin, with the names of its arguments."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin"):
                continue
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from portal_urls(pattern, prefix + namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, sorted(pattern.pattern.regex.groupindex)


@pytest.fixture
def world(planned, other_planned, third_party, county_user, other_county_user, running_class, other_running_class, institution, occupation):
    """An assigned inspection (recorded, with a photo), an unassigned one in the same county and one in the other."""
    record(third_party, planned, findings="检查发现甲", result="problems", attachments=[photo()])
    unassigned_class = make_class(institution, occupation, batch_number="XA152201-2026-102", status=TrainingClass.Status.IN_TRAINING,
                                  start_date=TODAY - timedelta(days=1), end_date=TODAY + timedelta(days=9))
    enroll(unassigned_class, 2, seed=3)
    unassigned = services.inspection_plan(actor=county_user, training_class=unassigned_class, planned_on=TODAY, inspectors=[county_user])
    record(county_user, unassigned, findings="检查发现乙", result="problems", attachments=[photo("乙.png")])
    record(other_county_user, other_planned, findings="检查发现丙", result="problems", attachments=[photo("丙.png")])
    return {"assigned": planned, "unassigned": unassigned, "other": other_planned, "unassigned_class": unassigned_class}


def secrets_of(training_class):
    """What must not leak about a class: its batch, institution, roster names, full ID numbers and phones."""
    values = {training_class.batch_number, training_class.institution.name}
    for enrollment in training_class.enrollments.select_related("trainee"):
        values |= {enrollment.roster_name, enrollment.trainee.id_number, enrollment.phone}
    return values


# Actions on the user's own account (logging out, its sessions, its recovery codes): not posted by the walk, which
# would log itself out; accounts/tests cover them.
OWN_ACCOUNT_ACTIONS = {"accounts:logout", "accounts:session_end", "accounts:sessions_end_others",
                       "accounts:second_factor_recovery_codes_new"}


def test_a_third_party_sees_its_assignments_and_nothing_else_on_every_url(client, world, third_party, running_class, other_running_class):
    client.force_login(third_party)
    assigned, unassigned, other = world["assigned"], world["unassigned"], world["other"]
    mine = InspectionAttachment.objects.get(inspection=assigned)
    candidates = {
        "pk": {running_class.pk, other_running_class.pk, world["unassigned_class"].pk, assigned.pk, unassigned.pk, other.pk,
               mine.pk, running_class.institution_id, running_class.enrollments.first().pk},
        "enrollment_pk": {running_class.enrollments.first().pk}, "import_pk": {1}, "link_pk": {1}, "notice_pk": {1},
        "investigation_pk": {1}, "evaluation_pk": {1}, "item_pk": {1}, "token": {"no-such-token"},
        "day": {running_class.start_date.isoformat()}, "year": {running_class.start_date.year},
        "document_pk": {1}, "change_pk": {1}, "entry_pk": {1}, "key": {"classes"}, "code": {"ABCDEFGHJKMN"},
    }
    never = ((secrets_of(world["unassigned_class"]) | secrets_of(other_running_class)) - secrets_of(running_class)
             | {"检查发现乙", "检查发现丙"}
             | {enrollment.trainee.id_number for enrollment in running_class.enrollments.select_related("trainee")}
             | {enrollment.phone for enrollment in running_class.enrollments.all()})
    assigned_secrets = secrets_of(running_class) - {e.trainee.id_number for e in running_class.enrollments.select_related("trainee")}
    walked = 0
    for name, arguments in portal_urls():
        values = [candidates[argument] for argument in arguments]
        combinations = [{}] if not arguments else [dict(zip(arguments, combo)) for combo in _product(values)]
        for kwargs in combinations:
            response = client.get(reverse(name, kwargs=kwargs))
            walked += 1
            assert response.status_code in (200, 302, 404, 405), (name, kwargs, response.status_code)
            if response.status_code == 405 and name not in OWN_ACCOUNT_ACTIONS:
                # An action: posting it changes nothing the third party cannot see.
                response = client.post(reverse(name, kwargs=kwargs), {"reason": "x", "enrollments": [1]})
                assert response.status_code in (404, 405), (name, kwargs, response.status_code)
                continue
            if response.status_code == 302:
                assert response.url in ("/", reverse("supervision:inspection_list"), reverse("accounts:security")) \
                    or "/accounts/login/" in response.url \
                    or response.url.startswith(reverse("supervision:inspection_detail", args=[assigned.pk])), (name, response.url)
                continue
            if response.status_code != 200 or response.get("Content-Type", "").startswith(("image/", "application/pdf")):
                continue
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            leaked = [value for value in never if value and value in text]
            assert not leaked, (name, kwargs, leaked)
            if name not in INSPECTION_URL_NAMES:
                leaked = [value for value in assigned_secrets if value and value in text]
                assert not leaked, (name, kwargs, leaked)
    assert walked > 100
    # What it does see: its assignment, with the minimum of the class.
    page = client.get(reverse("supervision:inspection_detail", args=[assigned.pk])).content.decode()
    assert running_class.batch_number in page and running_class.location in page and "检查发现甲" in page
    assert reverse("classes:class_detail", args=[running_class.pk]) not in page
    assert list(inspections_visible_to(third_party)) == [assigned]
    assert client.get(reverse("home")).url == reverse("supervision:inspection_list")


def _product(values):
    from itertools import product

    return product(*values)


def test_the_third_party_roster_shows_names_with_masked_id_numbers_only(login, planned, third_party, running_class):
    page = login(third_party).get(reverse("supervision:inspection_record", args=[planned.pk])).content.decode()
    for enrollment in running_class.enrollments.select_related("trainee"):
        assert enrollment.roster_name in page and enrollment.trainee.masked_id_number in page
        assert enrollment.trainee.id_number not in page and enrollment.phone not in page


def test_a_third_party_no_longer_assigned_or_deactivated_sees_nothing(client, world, third_party):
    assigned = world["assigned"]
    assigned.inspectors.remove(third_party)
    client.force_login(third_party)
    assert client.get(reverse("supervision:inspection_detail", args=[assigned.pk])).status_code == 404
    assigned.inspectors.add(third_party)
    User.objects.filter(pk=third_party.pk).update(is_active=False)
    third_party.refresh_from_db()
    assert not inspections_visible_to(third_party).exists()


class TestScopingByRole:
    def test_county_a_sees_nothing_of_county_b(self, login, world, county_user):
        client = login(county_user)
        other = world["other"]
        attachment = InspectionAttachment.objects.get(inspection=other)
        for name, pk in [("supervision:inspection_detail", other.pk), ("supervision:inspection_record", other.pk),
                         ("supervision:inspection_attachment", attachment.pk)]:
            assert client.get(reverse(name, args=[pk])).status_code == 404, name
        assert client.post(reverse("supervision:inspection_cancel", args=[other.pk]), {"reason": "x"}).status_code == 404
        listing = client.get(reverse("supervision:inspection_list")).content.decode()
        assert "XA152201-2026-101" in listing and "XA152224-2026-101" not in listing
        coverage = client.get(reverse("supervision:inspection_coverage")).content.decode()
        assert "突泉县" not in coverage and "乌兰浩特市" in coverage

    def test_league_sees_both_counties(self, login, world, league_user):
        client = login(league_user)
        listing = client.get(reverse("supervision:inspection_list")).content.decode()
        assert "XA152201-2026-101" in listing and "XA152224-2026-101" in listing
        assert client.get(reverse("supervision:inspection_detail", args=[world["other"].pk])).status_code == 200
        coverage = client.get(reverse("supervision:inspection_coverage")).content.decode()
        assert "突泉县" in coverage and "乌兰浩特市" in coverage

    def test_institutions_see_no_inspection(self, login, world, institution_user):
        client = login(institution_user)
        assert "XA152201-2026-101" not in client.get(reverse("supervision:inspection_list")).content.decode()
        assert client.get(reverse("supervision:inspection_detail", args=[world["assigned"].pk])).status_code == 404
        assert client.get(reverse("supervision:inspection_coverage")).status_code == 404
        assert not inspections_visible_to(institution_user).exists()

    def test_staff_who_are_not_inspectors_read_but_do_not_record(self, login, world, league_user, planned):
        assert login(league_user).get(reverse("supervision:inspection_record", args=[world["unassigned"].pk])).url.endswith(
            reverse("supervision:inspection_detail", args=[world["unassigned"].pk]))

    def test_anonymous_visitors_are_sent_to_log_in(self, client, world):
        attachment = InspectionAttachment.objects.get(inspection=world["assigned"])
        urls = [reverse("supervision:inspection_list"), reverse("supervision:inspection_coverage"),
                reverse("supervision:inspection_detail", args=[world["assigned"].pk]),
                reverse("supervision:inspection_record", args=[world["assigned"].pk]),
                reverse("supervision:inspection_attachment", args=[attachment.pk]),
                reverse("supervision:inspection_plan", args=[world["assigned"].training_class_id])]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), url
        assert client.post(reverse("supervision:inspection_cancel", args=[world["assigned"].pk])).status_code == 302

    def test_the_service_worker_is_plain_code_for_everyone(self, client, db):
        response = client.get(reverse("supervision:inspection_service_worker"))
        assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
        assert "xingan-inspections" in response.content.decode()


def test_the_third_party_role_is_anchored_to_a_region(db, county, institution):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="tp-without-region", role=Role.THIRD_PARTY)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="tp-with-institution", role=Role.THIRD_PARTY, region=county, institution=institution)
    assert User.objects.create(username="tp-ok", role=Role.THIRD_PARTY, region=county).is_third_party


def test_demo_inspections_are_idempotent_with_one_county_behind_and_an_inspector_login(
    client, settings, county_user, other_county_user, league_user, institution, other_institution, occupation, county, other_county
):
    import random

    import time_machine

    from supervision.demo_inspections import seed_inspections_demo

    today = date(2026, 6, 15)  # mid-year, so that the year has ended batches whatever day the test runs
    with time_machine.travel(timezone.make_aware(datetime.combine(today, time(10, 0))), tick=False):
        for school, code in ((institution, "A"), (other_institution, "B")):
            for number in range(5):
                start = today - timedelta(days=150 - number * 30)
                training_class = make_class(school, occupation, batch_number=f"DEMO-{code}-{number}",
                                            status=TrainingClass.Status.FINISHED, start_date=start, end_date=start + timedelta(days=3))
                enroll(training_class, 3, seed=number)
            running = make_class(school, occupation, batch_number=f"DEMO-{code}-RUN", status=TrainingClass.Status.IN_TRAINING,
                                 start_date=today - timedelta(days=2), end_date=today + timedelta(days=5))
            enroll(running, 3, seed=9)
            make_class(school, occupation, batch_number=f"DEMO-{code}-NEXT", start_date=today + timedelta(days=3),
                       end_date=today + timedelta(days=12))
        first = seed_inspections_demo(random.Random(1))
        second = seed_inspections_demo(random.Random(2))
        assert first == second and first["assigned_to_inspector"] >= 2
        rows = {row.county: row for row in inspection_coverage_for(league_user, year=today.year, today=today)}
        assert rows[county].is_behind is True and rows[other_county].is_behind is False
        client.post(reverse("accounts:login"), {"username": "inspector", "password": settings.DEMO_PASSWORD})
        response = client.get(pass_second_factor(client, User.objects.get(username="inspector")).url, follow=True)
        assert response.redirect_chain[-1][0] == reverse("supervision:inspection_list")
        page = response.content.decode()
        assert "待检查" in page and "DEMO-B-RUN" in page


def test_a_repeated_client_id_tells_an_outsider_nothing(planned, third_party, other_county_user):
    client_id = uuid.uuid4()
    record(third_party, planned, client_id=client_id)
    with pytest.raises(ServiceError, match="现场检查不存在或无权操作"):
        record(other_county_user, planned, client_id=client_id)
