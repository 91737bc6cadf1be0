"""Policy §8.6 (S2 八): the rectification ledger — every problem from any source is an item, open → evidence submitted
→ closed by the office that raised it (or sent back); overdue = past the deadline and not closed; a 整改通知书 is one
source and its item follows it step for step; scoped like the institution it is about."""

import io
import random
import subprocess
from datetime import date, timedelta

import pytest
from django.apps import apps as django_apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from accounts.models import Role
from conftest import _institution, make_user
from evaluations import services as evaluation_services
from evaluations.models import ClassReview, RectificationEvent, RectificationNotice
from evaluations.tests.conftest import forwarded_class, finished_class  # noqa: F401 (fixtures)
from supervision import rectification as services
from supervision.models import (
    RectificationAttachment,
    RectificationEvidence,
    RectificationItem,
    RectificationItemEvent,
    RectificationSource,
)
from supervision.rectification_selectors import rectification_counts_for, rectification_items_visible_to
from supervision.rules import rectification_overdue
from xingan_training.errors import ServiceError
from xingan_training.locking import LockedRecordError

Source = RectificationSource
Status = RectificationItem.Status
TODAY = timezone.localdate()
PROBLEM = "现场检查时实际到课学员18人，花名册登记30人。"
MEASURES = "核实缺课学员情况并补办请假手续；完善每日考勤。"


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def raise_item(actor, institution, **changes) -> RectificationItem:
    values = {
        "source": Source.ON_SITE_INSPECTION, "problem": PROBLEM, "measures": MEASURES, "deadline": in_days(30),
        "responsible_name": "王建华", "responsible_position": "校长", "source_reference": "现场检查记录第3号",
    }
    values.update(changes)
    return services.rectification_item_raise(actor=actor, institution=institution, **values)


def pdf_file(name="签到表.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def png_file(name="现场照片.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def issue_notice(actor, training_class, **changes) -> RectificationNotice:
    values = {"requirements": "补足实操课时，完善教学日志。", "deadline": in_days(30), "problems": "实操课时不足。", **changes}
    return evaluation_services.rectification_issue(actor=actor, training_class=training_class, **values)


def actions(item) -> list[tuple[str, str, str]]:
    return [(event.action, event.from_status, event.to_status) for event in item.events.all()]


@pytest.fixture
def item(county_user, institution):
    return raise_item(county_user, institution)


@pytest.fixture
def league_item(league_user, institution):
    return raise_item(league_user, institution, source=Source.AUDIT, source_reference="兴审报〔2026〕12号")


@pytest.fixture
def other_item(other_county_user, other_institution):
    return raise_item(other_county_user, other_institution)


@pytest.fixture
def approved_class(forwarded_class, league_user):  # noqa: F811
    evaluation_services.review_approve(actor=league_user, training_class=forwarded_class)
    return forwarded_class


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class TestOverdueRule:
    def test_an_item_due_today_is_not_overdue(self):
        assert rectification_overdue(date(2026, 6, 30), date(2026, 6, 30), False) is False

    def test_an_item_due_yesterday_is_overdue(self):
        assert rectification_overdue(date(2026, 6, 29), date(2026, 6, 30), False) is True

    def test_a_closed_item_is_never_overdue(self):
        assert rectification_overdue(date(2020, 1, 1), date(2026, 6, 30), True) is False

    def test_an_item_due_tomorrow_is_not_overdue(self):
        assert rectification_overdue(date(2026, 7, 1), date(2026, 6, 30), False) is False


class TestRaise:
    def test_a_county_raises_an_item_about_an_institution_of_its_county(self, item, county_user, institution):
        assert item.status == Status.OPEN and item.institution == institution
        assert item.raising_region_id == county_user.region_id and item.raising_office == "乌兰浩特市人力资源和社会保障局"
        assert item.found_on == TODAY and item.raised_by == county_user
        assert actions(item) == [("登记整改事项", "", "open")]
        assert item.events.get().actor == county_user

    def test_the_league_raises_about_any_institution_of_the_league(self, league_user, institution, other_institution):
        for target in (institution, other_institution):
            item = raise_item(league_user, target, source=Source.INSPECTION_TOUR)
            assert item.raising_office == "兴安盟人力资源和就业服务中心" and item.institution == target

    def test_an_item_may_name_a_class_of_that_institution(self, county_user, institution, training_class, other_class):
        assert raise_item(county_user, institution, training_class=training_class).training_class == training_class
        with pytest.raises(ServiceError, match="不属于该培训机构"):
            raise_item(county_user, institution, training_class=other_class)

    @pytest.mark.parametrize("changes, message", [
        ({"source": Source.CLASS_EVALUATION}, "绩效评价页面下达"),
        ({"source": "complaint"}, "请选择问题来源"),
        ({"deadline": TODAY}, "整改期限须晚于今天"),
        ({"found_on": TODAY + timedelta(days=1)}, "发现日期不能晚于今天"),
        ({"problem": "  "}, "请填写存在的问题"),
        ({"measures": ""}, "请填写整改措施"),
        ({"responsible_name": "\u200b"}, "责任人"),
        ({"responsible_position": ""}, "责任人的职务"),
    ])
    def test_refusals(self, county_user, institution, changes, message):
        with pytest.raises(ServiceError, match=message):
            raise_item(county_user, institution, **changes)
        assert not RectificationItem.objects.exists()

    def test_only_bureaus_raise_and_only_within_their_scope(self, institution_user, county_user, other_institution):
        with pytest.raises(ServiceError, match="只有旗县市人社部门和盟人力资源和就业服务中心"):
            raise_item(institution_user, institution_user.institution)
        with pytest.raises(ServiceError, match="培训机构不存在或无权操作"):
            raise_item(county_user, other_institution)

    def test_a_class_approved_by_the_league_may_still_get_an_audit_item_but_no_notice(
        self, approved_class, county_user, league_user, institution
    ):
        """Policy §6.8: the approved *evaluation record* stays locked (no new 整改通知书 without the league reopening
        the class); a later audit or inspection finding about the institution is a ledger item outside that record."""
        audit = raise_item(league_user, institution, training_class=approved_class, source=Source.AUDIT)
        inspection = raise_item(county_user, institution, training_class=approved_class)
        assert audit.training_class == inspection.training_class == approved_class
        assert ClassReview.objects.get(training_class=approved_class).status == ClassReview.Status.APPROVED
        with pytest.raises(LockedRecordError):
            issue_notice(county_user, approved_class)
        with pytest.raises(ServiceError, match="绩效评价页面下达"):
            raise_item(county_user, institution, training_class=approved_class, source=Source.CLASS_EVALUATION)
        # The ledger item itself goes its whole way after approval.
        services.rectification_evidence_submit(actor=institution.staff.get(), item=inspection, text="已补办手续。")
        assert services.rectification_item_close(actor=county_user, item=inspection, note="核实到位").status == Status.CLOSED


class TestEvidence:
    def test_the_institution_reports_with_attachments_checked_by_content(self, item, institution_user):
        item = services.rectification_evidence_submit(
            actor=institution_user, item=item, text="已补办请假手续。", files=[pdf_file(), png_file("照片.jpeg")]
        )
        assert item.status == Status.SUBMITTED
        evidence = RectificationEvidence.objects.get(item=item)
        assert evidence.text == "已补办请假手续。" and evidence.submitted_by == institution_user
        kinds = [(attachment.original_name, attachment.content_type) for attachment in evidence.attachments.all()]
        # The PNG sent as "照片.jpeg" is served as what it is.
        assert kinds == [("签到表.pdf", "application/pdf"), ("照片.png", "image/png")]
        for attachment in evidence.attachments.all():
            assert attachment.file.name.startswith("rectification-evidence/") and default_storage.exists(attachment.file.name)
            assert "签到表" not in attachment.file.name  # stored under a random name
        assert actions(item)[-1] == ("报送整改情况", "open", "submitted")

    @pytest.mark.parametrize("upload, message", [
        (SimpleUploadedFile("说明.pdf", b"just text pretending to be a PDF"), "不是可打开的 PDF 或图片"),
        (SimpleUploadedFile("坏.pdf", b"%PDF-1.4\nbroken"), "不是可打开的 PDF 或图片"),
        (SimpleUploadedFile("页面.png", b"<html><script>alert(1)</script></html>"), "不是可打开的 PDF 或图片"),
        (SimpleUploadedFile("空.pdf", b""), "是空文件"),
    ])
    def test_a_file_that_is_not_a_pdf_or_image_refuses_the_whole_report(self, item, institution_user, upload, message):
        with pytest.raises(ServiceError, match=message):
            services.rectification_evidence_submit(actor=institution_user, item=item, text="已整改", files=[pdf_file(), upload])
        item.refresh_from_db()
        assert item.status == Status.OPEN
        assert not RectificationEvidence.objects.exists() and not RectificationAttachment.objects.exists()

    def test_too_many_or_too_big_files_are_refused(self, item, institution_user, monkeypatch):
        with pytest.raises(ServiceError, match="最多上传 5 个附件"):
            services.rectification_evidence_submit(actor=institution_user, item=item, text="x", files=[png_file()] * 6)
        monkeypatch.setattr("supervision.rectification_files.MAX_BYTES", 100)
        with pytest.raises(ServiceError, match="超过"):
            services.rectification_evidence_submit(actor=institution_user, item=item, text="x", files=[pdf_file()])

    def test_files_of_a_report_that_fails_later_leave_the_storage(self, item, institution_user, monkeypatch):
        def failing_event(*args, **kwargs):
            raise RuntimeError("database gone")

        saved = []
        original_save = RectificationAttachment.save

        def remember(self, *args, **kwargs):
            saved.append(self.file.name)
            original_save(self, *args, **kwargs)
            failing_event()

        monkeypatch.setattr(RectificationAttachment, "save", remember)
        with pytest.raises(RuntimeError):
            services.rectification_evidence_submit(actor=institution_user, item=item, text="x", files=[pdf_file()])
        assert saved and not default_storage.exists(saved[0])
        item.refresh_from_db()
        assert item.status == Status.OPEN

    def test_refusals(self, item, institution_user, other_institution_user, county_user):
        with pytest.raises(ServiceError, match="请填写整改情况"):
            services.rectification_evidence_submit(actor=institution_user, item=item, text="  ")
        for outsider in (county_user, other_institution_user):
            with pytest.raises(ServiceError, match="只有整改事项所涉及的培训机构"):
                services.rectification_evidence_submit(actor=outsider, item=item, text="已整改")
        services.rectification_evidence_submit(actor=institution_user, item=item, text="已整改")
        with pytest.raises(ServiceError, match="不能报送整改情况"):
            services.rectification_evidence_submit(actor=institution_user, item=item, text="再报一次")

    def test_the_report_may_name_a_new_responsible_person(self, item, institution_user):
        item = services.rectification_evidence_submit(
            actor=institution_user, item=item, text="已整改", responsible_name="李明", responsible_position="教学主任"
        )
        assert (item.responsible_name, item.responsible_position) == ("李明", "教学主任")
        assert actions(item)[-1] == ("明确责任人", "submitted", "submitted")
        assert item.events.last().text == "李明（教学主任）"


class TestSendBackAndClose:
    def test_the_whole_way_with_a_send_back(self, item, county_user, institution_user):
        services.rectification_evidence_submit(actor=institution_user, item=item, text="已补办手续。")
        item = services.rectification_item_send_back(actor=county_user, item=item, reason="缺少请假条复印件")
        assert item.status == Status.OPEN and item.return_reason == "缺少请假条复印件"
        services.rectification_evidence_submit(actor=institution_user, item=item, text="已补交请假条复印件。", files=[pdf_file()])
        item = services.rectification_item_close(actor=county_user, item=item, note="核对请假条和考勤，整改到位。")
        assert item.status == Status.CLOSED and item.closed_by == county_user and item.closing_note.startswith("核对")
        assert actions(item) == [
            ("登记整改事项", "", "open"),
            ("报送整改情况", "open", "submitted"),
            ("退回整改情况", "submitted", "open"),
            ("报送整改情况", "open", "submitted"),
            ("销号", "submitted", "closed"),
        ]
        assert [event.actor for event in item.events.all()] == [county_user, institution_user, county_user, institution_user, county_user]
        assert item.evidence_submissions.count() == 2

    def test_the_office_may_close_from_open_on_its_own_findings(self, item, county_user):
        item = services.rectification_item_close(actor=county_user, item=item, note="现场复查，已整改到位。")
        assert item.status == Status.CLOSED and actions(item)[-1] == ("销号", "open", "closed")

    def test_only_the_raising_office_sends_back_or_closes(
        self, league_item, item, county_user, league_user, institution_user, other_county_user
    ):
        services.rectification_evidence_submit(actor=institution_user, item=league_item, text="已整改")
        services.rectification_evidence_submit(actor=institution_user, item=item, text="已整改")
        # The county sees the league's item about its institution, but the league raised it.
        for actor in (county_user, institution_user, other_county_user):
            with pytest.raises(ServiceError, match="只有提出该整改事项的兴安盟人力资源和就业服务中心可以销号"):
                services.rectification_item_close(actor=actor, item=league_item, note="x")
            with pytest.raises(ServiceError, match="可以退回"):
                services.rectification_item_send_back(actor=actor, item=league_item, reason="x")
        with pytest.raises(ServiceError, match="只有提出该整改事项的乌兰浩特市人力资源和社会保障局可以销号"):
            services.rectification_item_close(actor=league_user, item=item, note="x")
        assert services.rectification_item_close(actor=league_user, item=league_item, note="审计整改到位").status == Status.CLOSED

    def test_wrong_states_and_missing_reasons_are_refused(self, item, county_user, institution_user):
        with pytest.raises(ServiceError, match="只有待销号的可以退回"):
            services.rectification_item_send_back(actor=county_user, item=item, reason="x")
        services.rectification_evidence_submit(actor=institution_user, item=item, text="已整改")
        with pytest.raises(ServiceError, match="退回必须填写原因"):
            services.rectification_item_send_back(actor=county_user, item=item, reason=" ")
        with pytest.raises(ServiceError, match="请填写销号意见"):
            services.rectification_item_close(actor=county_user, item=item, note="")
        services.rectification_item_close(actor=county_user, item=item, note="到位")
        with pytest.raises(ServiceError, match="已销号"):
            services.rectification_item_close(actor=county_user, item=item, note="再销一次")
        with pytest.raises(ServiceError, match="只有待销号的可以退回"):
            services.rectification_item_send_back(actor=county_user, item=item, reason="x")
        with pytest.raises(ServiceError, match="不能报送整改情况"):
            services.rectification_evidence_submit(actor=institution_user, item=item, text="x")

    def test_another_county_of_the_same_role_is_told_it_is_not_the_office(self, other_item, county_user):
        with pytest.raises(ServiceError, match="只有提出该整改事项的突泉县"):
            services.rectification_item_close(actor=county_user, item=other_item, note="x")


class TestNotices:
    def test_issuing_a_notice_puts_it_on_the_ledger_in_the_same_transaction(self, finished_class, county_user):  # noqa: F811
        notice = issue_notice(county_user, finished_class)
        item = RectificationItem.objects.get(notice=notice)
        assert item.source == Source.CLASS_EVALUATION and item.status == Status.OPEN
        assert (item.institution, item.training_class) == (finished_class.institution, finished_class)
        assert (item.problem, item.measures, item.deadline) == (notice.problems, notice.requirements, notice.deadline)
        assert item.raising_office == notice.issuing_office and item.raising_region == notice.county
        assert item.responsible_name == ""
        assert actions(item) == [("下达整改通知书", "", "open")]

    def test_a_failing_ledger_undoes_the_notice(self, finished_class, county_user, monkeypatch):  # noqa: F811
        def broken(*args, **kwargs):
            raise RuntimeError("ledger down")

        monkeypatch.setattr("supervision.rectification.RectificationItemEvent.objects.create", broken)
        with pytest.raises(RuntimeError):
            issue_notice(county_user, finished_class)
        assert not RectificationNotice.objects.exists() and not RectificationItem.objects.exists()

    def test_steps_on_the_notice_page_move_the_item(self, finished_class, county_user, institution_user):  # noqa: F811
        notice = issue_notice(county_user, finished_class)
        evaluation_services.rectification_report_submit(actor=institution_user, notice=notice, report="已补课。")
        item = RectificationItem.objects.get(notice=notice)
        assert item.status == Status.SUBMITTED and item.evidence_submissions.get().text == "已补课。"
        evaluation_services.rectification_return(actor=county_user, notice=notice, reason="缺签到表")
        item.refresh_from_db()
        assert item.status == Status.OPEN and item.return_reason == "缺签到表"
        evaluation_services.rectification_close(actor=county_user, notice=notice, evidence="现场核查到位")
        item.refresh_from_db()
        assert item.status == Status.CLOSED and item.closing_note == "现场核查到位" and item.closed_by == county_user
        assert actions(item) == [(event.action, event.from_status, event.to_status) for event in notice.events.all()]

    def test_steps_in_the_ledger_move_the_notice(self, finished_class, county_user, institution_user):  # noqa: F811
        notice = issue_notice(county_user, finished_class)
        item = RectificationItem.objects.get(notice=notice)
        with pytest.raises(ServiceError, match="请明确整改责任人"):
            services.rectification_evidence_submit(actor=institution_user, item=item, text="已补课。")
        item = services.rectification_evidence_submit(
            actor=institution_user, item=item, text="已补课。", files=[pdf_file()], responsible_name="赵丽", responsible_position="教学主任"
        )
        notice.refresh_from_db()
        assert notice.status == item.status == Status.SUBMITTED and notice.report == "已补课。"
        assert item.evidence_submissions.get().attachments.count() == 1 and item.responsible_name == "赵丽"
        item = services.rectification_item_send_back(actor=county_user, item=item, reason="缺签到表")
        notice.refresh_from_db()
        assert notice.status == item.status == Status.OPEN and notice.return_reason == "缺签到表"
        item = services.rectification_item_close(actor=county_user, item=item, note="现场核查到位")
        notice.refresh_from_db()
        assert notice.status == item.status == Status.CLOSED
        assert notice.evidence == "现场核查到位" and notice.closed_by == county_user
        # One history: the item's steps are the notice's steps, plus naming the responsible person.
        assert [step for step in actions(item) if step[0] != "明确责任人"] == [
            (event.action, event.from_status, event.to_status) for event in notice.events.all()
        ]

    def test_the_notice_rules_hold_in_the_ledger(self, finished_class, county_user, league_user, institution_user):  # noqa: F811
        notice = issue_notice(county_user, finished_class)
        item = RectificationItem.objects.get(notice=notice)
        with pytest.raises(ServiceError, match="可以销号"):
            services.rectification_item_close(actor=league_user, item=item, note="x")
        with pytest.raises(ServiceError, match="只有待销号的可以退回"):
            services.rectification_item_send_back(actor=county_user, item=item, reason="x")
        notice.refresh_from_db()
        assert notice.status == Status.OPEN

    def test_a_notice_of_an_approved_class_stays_locked_in_the_ledger(
        self, finished_class, county_user, institution_user, league_user  # noqa: F811
    ):
        from evaluations.tests.conftest import add_forms, complete_followups, self_assess, verify

        add_forms(finished_class, ["excellent"] * 7 + ["fair"] * 3)
        self_assess(institution_user, finished_class)
        notice = issue_notice(county_user, finished_class)
        verify(county_user, finished_class)
        complete_followups(finished_class, county_user)
        evaluation_services.review_forward(actor=county_user, training_class=finished_class)
        evaluation_services.review_approve(actor=league_user, training_class=finished_class)
        item = RectificationItem.objects.get(notice=notice)
        item_actions = services.rectification_actions_for(county_user, item)
        assert item_actions.is_record_locked and not item_actions.can_close
        assert not services.rectification_actions_for(institution_user, item).can_submit_evidence
        with pytest.raises(LockedRecordError):
            services.rectification_item_close(actor=county_user, item=item, note="x")
        with pytest.raises(LockedRecordError):
            services.rectification_evidence_submit(
                actor=institution_user, item=item, text="x", responsible_name="赵丽", responsible_position="校长"
            )
        item.refresh_from_db()
        notice.refresh_from_db()
        assert item.status == notice.status == Status.OPEN


def _migration_module():
    import importlib

    return importlib.import_module("supervision.migrations.0005_rectification_items_from_notices")


class TestDataMigration:
    def test_every_notice_becomes_its_item_with_nothing_lost(
        self, finished_class, county_user, institution_user, other_class, other_county_user  # noqa: F811
    ):
        open_notice = issue_notice(other_county_user, other_class, problems="")
        closed = issue_notice(county_user, finished_class, deadline=in_days(10))
        evaluation_services.rectification_report_submit(actor=institution_user, notice=closed, report="第一次报告")
        evaluation_services.rectification_return(actor=county_user, notice=closed, reason="不完整")
        evaluation_services.rectification_report_submit(actor=institution_user, notice=closed, report="第二次报告")
        evaluation_services.rectification_close(actor=county_user, notice=closed, evidence="核查到位")
        expected = {
            item.notice_id: (item.status, item.deadline, item.problem, item.measures, item.closing_note, item.closed_by_id,
                             item.closed_at, item.raising_office, item.raised_at, item.found_on, actions(item),
                             [(e.text, e.submitted_by_id, e.submitted_at) for e in item.evidence_submissions.all()])
            for item in RectificationItem.objects.all()
        }
        RectificationItem.objects.all().delete()  # as before the ledger existed

        _migration_module().items_from_notices(django_apps, None)
        migrated = {
            item.notice_id: (item.status, item.deadline, item.problem, item.measures, item.closing_note, item.closed_by_id,
                             item.closed_at, item.raising_office, item.raised_at, item.found_on, actions(item),
                             [(e.text, e.submitted_by_id, e.submitted_at) for e in item.evidence_submissions.all()])
            for item in RectificationItem.objects.all()
        }
        assert migrated == expected
        assert migrated[open_notice.pk][2] == "见整改通知书"  # a notice without problems (no grade yet) still reads
        event_times = list(RectificationEvent.objects.filter(notice=closed).values_list("created_at", flat=True))
        item = RectificationItem.objects.get(notice=closed)
        assert list(item.events.values_list("created_at", flat=True)) == event_times

        _migration_module().items_from_notices(django_apps, None)  # idempotent
        assert RectificationItem.objects.count() == 2
        _migration_module().remove_notice_items(django_apps, None)
        assert not RectificationItem.objects.exists() and not RectificationEvidence.objects.exists()

    def test_a_notice_from_before_its_history_gets_the_steps_its_fields_record(
        self, finished_class, county_user, institution_user  # noqa: F811
    ):
        notice = issue_notice(county_user, finished_class)
        evaluation_services.rectification_report_submit(actor=institution_user, notice=notice, report="已整改")
        evaluation_services.rectification_close(actor=county_user, notice=notice, evidence="到位")
        RectificationItem.objects.all().delete()
        RectificationEvent.objects.all().delete()
        _migration_module().items_from_notices(django_apps, None)
        item = RectificationItem.objects.get()
        assert actions(item) == [("下达整改通知书", "", "open"), ("报送整改情况", "open", "submitted"), ("销号", "submitted", "closed")]
        assert [event.actor for event in item.events.all()] == [county_user, institution_user, county_user]
        assert item.evidence_submissions.get().text == "已整改" and item.closing_note == "到位"

    def test_a_league_raised_item_survives_the_reverse(self, finished_class, county_user, league_item):  # noqa: F811
        issue_notice(county_user, finished_class)
        _migration_module().remove_notice_items(django_apps, None)
        assert list(RectificationItem.objects.all()) == [league_item]


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_runs_forward_and_back(finished_class, county_user, institution_user):  # noqa: F811
    notice = issue_notice(county_user, finished_class)
    evaluation_services.rectification_report_submit(actor=institution_user, notice=notice, report="已整改")
    RectificationItem.objects.all().delete()  # the notice predates the ledger
    executor = MigrationExecutor(connection)
    data_migration = next(key for key in executor.loader.graph.nodes
                          if key[0] == "supervision" and key[1].endswith("rectification_items_from_notices"))
    before = executor.loader.graph.node_map[data_migration].parents
    (schema_migration,) = [parent.key for parent in before if parent.key[0] == "supervision"]
    executor.migrate([schema_migration])
    assert not RectificationItem.objects.exists()
    executor = MigrationExecutor(connection)
    executor.migrate([data_migration])
    item = RectificationItem.objects.get()
    assert (item.notice, item.status, item.evidence_submissions.get().text) == (notice, Status.SUBMITTED, "已整改")
    executor = MigrationExecutor(connection)
    executor.migrate([schema_migration])
    assert not RectificationItem.objects.exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert RectificationItem.objects.get().notice == notice


class TestScoping:
    def test_who_sees_which_item(
        self, item, league_item, other_item, county_user, other_county_user, league_user, institution_user,
        other_institution_user, superuser,
    ):
        from django.contrib.auth.models import AnonymousUser

        def visible(user):
            return set(rectification_items_visible_to(user))

        assert visible(county_user) == {item, league_item}
        assert visible(other_county_user) == {other_item}
        assert visible(league_user) == visible(superuser) == {item, league_item, other_item}
        assert visible(institution_user) == {item, league_item}
        assert visible(other_institution_user) == {other_item}
        assert visible(AnonymousUser()) == set()
        inactive = make_user("gone", role=Role.COUNTY, region=county_user.region, is_active=False)
        assert visible(inactive) == set()

    @pytest.mark.parametrize("outsider", ["other_county_user", "other_institution_user"])
    def test_every_url_of_another_countys_item_is_not_found(self, request, client, item, institution_user, county_user, outsider):
        services.rectification_evidence_submit(actor=institution_user, item=item, text="已整改", files=[pdf_file()])
        attachment = RectificationAttachment.objects.get()
        client.force_login(request.getfixturevalue(outsider))
        for method, url, data in [
            ("get", reverse("supervision:rectification_detail", args=[item.pk]), {}),
            ("post", reverse("supervision:rectification_evidence", args=[item.pk]), {"text": "x"}),
            ("post", reverse("supervision:rectification_send_back", args=[item.pk]), {"reason": "x"}),
            ("post", reverse("supervision:rectification_close", args=[item.pk]), {"note": "x"}),
            ("get", reverse("supervision:rectification_attachment", args=[attachment.pk]), {}),
            ("get", reverse("reports:rectification_open_items") + f"?county={county_user.region_id}", {}),
        ]:
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, f"{method} {url} gave {response.status_code}"
        item.refresh_from_db()
        assert item.status == Status.SUBMITTED
        page = client.get(reverse("supervision:rectification_list")).content.decode()
        assert PROBLEM[:10] not in page

    def test_only_bureaus_open_the_raising_page(self, client, institution_user, county_user, league_user):
        client.force_login(institution_user)
        assert client.get(reverse("supervision:rectification_new")).status_code == 404
        assert client.post(reverse("supervision:rectification_new"), {"problem": "x"}).status_code == 404
        for user in (county_user, league_user):
            client.force_login(user)
            assert "列入整改清单" in client.get(reverse("supervision:rectification_new")).content.decode()

    def test_the_institution_sees_the_source_but_not_the_bureaus_reference(self, client, league_item, institution_user, county_user):
        client.force_login(institution_user)
        page = client.get(reverse("supervision:rectification_detail", args=[league_item.pk])).content.decode()
        assert "审计" in page and "兴安盟人力资源和就业服务中心" in page and "兴审报" not in page
        client.force_login(county_user)
        assert "兴审报〔2026〕12号" in client.get(reverse("supervision:rectification_detail", args=[league_item.pk])).content.decode()

    def test_an_attachment_is_served_to_its_scope_as_the_type_it_is(self, client, item, institution_user, league_user):
        services.rectification_evidence_submit(actor=institution_user, item=item, text="已整改", files=[png_file("x.pdf")])
        attachment = RectificationAttachment.objects.get()
        for user in (institution_user, league_user):
            client.force_login(user)
            response = client.get(reverse("supervision:rectification_attachment", args=[attachment.pk]))
            assert response.status_code == 200 and response["Content-Type"] == "image/png"
            assert response["Content-Security-Policy"] == "sandbox"
            assert b"".join(response.streaming_content).startswith(b"\x89PNG")
            assert "x.png" in response["Content-Disposition"]


class TestPages:
    def test_the_pages_carry_an_item_from_raising_to_closure(self, client, county_user, institution_user, institution, training_class):
        client.force_login(county_user)
        response = client.post(reverse("supervision:rectification_new"), {
            "institution": institution.pk, "batch_number": training_class.batch_number, "source": Source.ON_SITE_INSPECTION,
            "source_reference": "", "found_on": TODAY.isoformat(), "problem": PROBLEM, "measures": MEASURES,
            "deadline": in_days(15).isoformat(), "responsible_name": "王建华", "responsible_position": "校长",
        }, follow=True)
        assert "整改事项已列入整改清单" in response.content.decode()
        item = RectificationItem.objects.get()
        assert item.training_class == training_class
        detail = reverse("supervision:rectification_detail", args=[item.pk])

        client.force_login(institution_user)
        page = client.get(detail).content.decode()
        assert "报送整改情况</button>" in page and "销号</button>" not in page
        client.post(reverse("supervision:rectification_evidence", args=[item.pk]),
                    {"text": "已补办请假手续。", "files": [pdf_file(), png_file()]})
        item.refresh_from_db()
        assert item.status == Status.SUBMITTED and item.evidence_submissions.get().attachments.count() == 2

        client.force_login(county_user)
        page = client.get(detail).content.decode()
        assert "销号</button>" in page and "退回培训机构</button>" in page and "签到表.pdf" in page
        client.post(reverse("supervision:rectification_send_back", args=[item.pk]), {"reason": "缺少请假条"})
        client.force_login(institution_user)
        assert "缺少请假条" in client.get(detail).content.decode()
        client.post(reverse("supervision:rectification_evidence", args=[item.pk]), {"text": "已补交请假条。"})
        client.force_login(county_user)
        response = client.post(reverse("supervision:rectification_close", args=[item.pk]), {"note": "核实到位"}, follow=True)
        assert "整改事项已销号" in response.content.decode()
        item.refresh_from_db()
        assert item.status == Status.CLOSED

    def test_a_refusal_shows_on_the_page(self, client, item, institution_user):
        client.force_login(institution_user)
        response = client.post(reverse("supervision:rectification_evidence", args=[item.pk]),
                               {"text": "已整改", "files": [SimpleUploadedFile("a.pdf", b"not a pdf")]}, follow=True)
        assert "不是可打开的 PDF 或图片" in response.content.decode()
        response = client.post(reverse("supervision:rectification_evidence", args=[item.pk]), {"text": ""}, follow=True)
        assert "这个字段是必填项" in response.content.decode()
        item.refresh_from_db()
        assert item.status == Status.OPEN

    def test_a_wrong_class_on_the_raising_page_is_refused(self, client, county_user, institution, other_class):
        client.force_login(county_user)
        response = client.post(reverse("supervision:rectification_new"), {
            "institution": institution.pk, "batch_number": other_class.batch_number, "source": Source.SPOT_CHECK,
            "found_on": TODAY.isoformat(), "problem": PROBLEM, "measures": MEASURES, "deadline": in_days(15).isoformat(),
            "responsible_name": "王建华", "responsible_position": "校长",
        })
        assert response.status_code == 400 and "所选培训机构没有这个班期的培训班" in response.content.decode()
        assert not RectificationItem.objects.exists()


class TestList:
    @pytest.fixture
    def ledger(self, county_user, league_user, institution, occupation, other_county_user, other_institution):
        second = _institution("乌兰浩特第二职业培训学校", county_user.region, "52152201MJ0000003K", occupation)
        items = {
            "audit": raise_item(league_user, institution, source=Source.AUDIT, problem="审计发现签到表与考勤不一致"),
            "overdue": raise_item(county_user, second, source=Source.SPOT_CHECK, problem="抽查发现消防器材过期"),
            "self": raise_item(county_user, institution, source=Source.SELF_CHECK, problem="自查发现教师证书未归档"),
            "other": raise_item(other_county_user, other_institution, problem="突泉县的问题"),
        }
        RectificationItem.objects.filter(pk=items["overdue"].pk).update(deadline=in_days(-3), found_on=in_days(-40))
        services.rectification_item_close(actor=county_user, item=items["self"], note="到位")
        return items

    def _problems(self, client, **params):
        response = client.get(reverse("supervision:rectification_list"), params)
        assert response.status_code == 200
        return [row.item.problem for row in response.context["rows"]]

    def test_filters_and_search(self, client, ledger, league_user, county_user):
        client.force_login(league_user)
        assert set(self._problems(client)) == {"审计发现签到表与考勤不一致", "抽查发现消防器材过期", "自查发现教师证书未归档", "突泉县的问题"}
        assert self._problems(client, source=Source.AUDIT) == ["审计发现签到表与考勤不一致"]
        assert self._problems(client, status="closed") == ["自查发现教师证书未归档"]
        assert self._problems(client, overdue="overdue") == ["抽查发现消防器材过期"]
        assert self._problems(client, county=county_user.region_id, status="open") == ["抽查发现消防器材过期", "审计发现签到表与考勤不一致"]
        assert self._problems(client, institution=ledger["other"].institution_id) == ["突泉县的问题"]
        assert self._problems(client, found_to=in_days(-1).isoformat()) == ["抽查发现消防器材过期"]
        assert set(self._problems(client, found_from=TODAY.isoformat())) == {"审计发现签到表与考勤不一致", "自查发现教师证书未归档", "突泉县的问题"}
        assert self._problems(client, q="第二职业") == ["抽查发现消防器材过期"]
        assert self._problems(client, q="消防") == ["抽查发现消防器材过期"]

    def test_overdue_rows_stand_out_and_closed_ones_come_last(self, client, ledger, county_user):
        client.force_login(county_user)
        page = client.get(reverse("supervision:rectification_list")).content.decode()
        assert page.count("ledger-overdue") == 1 and "逾期 3 天" in page
        assert self._problems(client)[-1] == "自查发现教师证书未归档"
        assert "突泉县的问题" not in page

    def test_a_search_finds_a_notice_by_its_number(self, client, finished_class, county_user):  # noqa: F811
        notice = issue_notice(county_user, finished_class)
        client.force_login(county_user)
        assert self._problems(client, q=notice.number) == [notice.problems]

    def test_the_page_reads_a_constant_number_of_queries(self, client, county_user, institution, occupation, finished_class):  # noqa: F811
        client.force_login(county_user)
        issue_notice(county_user, finished_class)
        raise_item(county_user, institution, training_class=finished_class)

        def queries():
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("supervision:rectification_list")).status_code == 200
            return len(captured)

        queries()  # the session's first page records its activity (written at most every 30 s)
        few = queries()
        for number in range(20):
            raise_item(county_user, institution, training_class=finished_class, problem=f"问题{number}")
        assert queries() == few

    def test_pages_of_twenty_five(self, client, county_user, institution):
        for number in range(27):
            raise_item(county_user, institution, problem=f"问题{number}")
        client.force_login(county_user)
        response = client.get(reverse("supervision:rectification_list"), {"page": 2})
        assert len(response.context["rows"]) == 2 and "第 2 / 2 页，共 27 条" in response.content.decode()


class TestLandingAndPrint:
    def test_every_landing_page_counts_open_and_overdue_items(
        self, client, item, league_item, other_item, county_user, league_user, institution_user, other_county_user
    ):
        RectificationItem.objects.filter(pk=league_item.pk).update(deadline=in_days(-1))
        expectations = [
            (county_user, "未销号的整改事项（其中已逾期 1 项）", 2),
            (institution_user, "未销号的整改事项（其中已逾期 1 项）", 2),
            (league_user, "未销号的整改事项（其中已逾期 1 项）", 3),
            (other_county_user, "未销号的整改事项", 1),
        ]
        for user, label, total in expectations:
            client.force_login(user)
            todo = client.get(reverse("home")).context["todo"]
            entry = next(entry for entry in todo if entry[0].startswith("未销号的整改事项"))
            assert entry[:2] == (label, total)
        assert rectification_counts_for(county_user, today=TODAY).overdue == 1
        assert rectification_counts_for(county_user, today=in_days(-1)).overdue == 0  # due today: not overdue

    def test_the_county_list_prints_its_open_items_on_a4_landscape(
        self, client, item, league_item, other_item, county_user, league_user, institution_user, tmp_path
    ):
        closed = raise_item(county_user, institution_user.institution, problem="已关闭的问题")
        services.rectification_item_close(actor=county_user, item=closed, note="到位")
        RectificationItem.objects.filter(pk=item.pk).update(deadline=in_days(-2))
        url = reverse("reports:rectification_open_items")
        client.force_login(county_user)
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf"
        (tmp_path / "list.pdf").write_bytes(response.content)
        text = "".join(subprocess.run(["pdftotext", str(tmp_path / "list.pdf"), "-"], capture_output=True, text=True,
                                      check=True).stdout.split())  # cells wrap: compare without white space
        assert "乌兰浩特市职业技能培训问题整改清单" in text and "共2项，其中已逾期1项" in text
        assert "乌兰浩特测试职业培训学校" in text and "王建华" in text and "逾期2天" in text and "审计" in text
        assert "已关闭的问题" not in text and "突泉" not in text
        info = subprocess.run(["pdfinfo", str(tmp_path / "list.pdf")], capture_output=True, text=True, check=True).stdout
        width, height = [float(value) for value in next(line for line in info.splitlines() if line.startswith("Page size")).split()[2:5:2]]
        assert width > height  # landscape
        client.force_login(league_user)
        assert client.get(url).status_code == 404  # the league chooses a county
        assert client.get(url, {"county": other_item.institution.county_id}).status_code == 200
        client.force_login(institution_user)
        assert client.get(url).status_code == 404


def test_demo_data_covers_every_state_and_is_idempotent(
    reference_data, county_user, other_county_user, league_user, institution_user, other_institution_user, training_class
):
    from supervision.demo_rectification import seed_rectification_demo

    training_class.status = "finished"
    training_class.save()
    first = seed_rectification_demo(random.Random(1))
    second = seed_rectification_demo(random.Random(2))
    assert first == second
    assert first["ledger_items"] >= 7 and first["overdue"] >= 2
    assert first["open"] and first["submitted"] and first["closed"]
    assert RectificationItem.objects.values("source").distinct().count() >= 6
    assert RectificationItemEvent.objects.filter(action="退回整改情况").exists()
    assert RectificationAttachment.objects.count() == 1
    # Every step happened on its own day, not all today.
    assert RectificationItemEvent.objects.filter(created_at__date__lt=TODAY - timedelta(days=20)).exists()
