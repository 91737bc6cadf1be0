"""整改通知书 as an official notice: numbered per county and year without repeats, printed as an A4 document,
reported by the institution, closed or sent back by the county, seen only by its class's scope."""

import subprocess
import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from classes.models import TrainingClass
from conftest import _institution, make_class
from evaluations import services
from evaluations.models import RectificationNotice
from evaluations.selectors import class_evaluation_summary
from reports.tests.test_pdfs import dark_pixel_share, pdf_pages, pdf_text
from xingan_training.errors import ServiceError

from .conftest import add_forms, finished_class  # noqa: F401 (fixture)

PROBLEMS = "1. 实操课时不足，教学日志缺少6月3日至6月5日记录。\n2. 部分学员签到表无本人签字。"
REQUIREMENTS = "补足实操课时，完善教学日志和学员签到记录。"


def last_page_text(content: bytes, page: int, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    command = ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"]
    return " ".join(subprocess.run(command, capture_output=True, text=True, check=True).stdout.split())


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def issue(actor, training_class, **changes) -> RectificationNotice:
    values = {"requirements": REQUIREMENTS, "deadline": in_days(30), "problems": PROBLEMS, **changes}
    return services.rectification_issue(actor=actor, training_class=training_class, **values)


@pytest.fixture
def second_class(institution, occupation):
    return make_class(institution, occupation, batch_number="XA152201-2026-051", status=TrainingClass.Status.FINISHED)


class TestNumbering:
    def test_numbers_count_up_per_county_and_name_the_county_and_year(
        self, finished_class, second_class, other_class, county_user, other_county_user  # noqa: F811
    ):
        year = timezone.localdate().year
        first = issue(county_user, finished_class)
        second = issue(county_user, second_class)
        third = issue(county_user, finished_class)
        elsewhere = issue(other_county_user, other_class)
        assert [first.number, second.number, third.number] == [
            f"乌兰浩特市人社整改〔{year}〕1号", f"乌兰浩特市人社整改〔{year}〕2号", f"乌兰浩特市人社整改〔{year}〕3号"
        ]
        assert elsewhere.number == f"突泉县人社整改〔{year}〕1号"
        assert first.issuing_office == "乌兰浩特市人力资源和社会保障局"
        assert elsewhere.issuing_office == "突泉县人力资源和社会保障局"
        assert first.addressee == "乌兰浩特测试职业培训学校"

    def test_a_new_year_starts_again_at_one(self, finished_class, county_user, monkeypatch):  # noqa: F811
        issue(county_user, finished_class)
        issue(county_user, finished_class)
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2031, 1, 2))
        notice = issue(county_user, finished_class, deadline=date(2031, 2, 1))
        assert notice.number == "乌兰浩特市人社整改〔2031〕1号" and notice.issued_on == date(2031, 1, 2)

    def test_a_refused_issue_uses_no_number(self, finished_class, county_user):  # noqa: F811
        with pytest.raises(ServiceError, match="请填写整改要求"):
            issue(county_user, finished_class, requirements=" ")
        assert issue(county_user, finished_class).sequence == 1

    def test_without_problems_the_notice_states_the_grade(self, finished_class, county_user):  # noqa: F811
        add_forms(finished_class, ["excellent"] * 7 + ["fair"] * 3)
        notice = issue(county_user, finished_class, problems="")
        assert notice.problems == "学员绩效评价和诚信登记表（附表2）有效10份，综合评价为“一般”的3份，占30.0%。"

    @pytest.mark.django_db(transaction=True)
    def test_notices_issued_at_the_same_moment_get_different_numbers(self, county, occupation, county_user):
        if connection.vendor == "sqlite":
            pytest.skip("SQLite serialises whole transactions instead of racing; CI runs PostgreSQL")
        # Classes of different institutions: issuing locks the class's review, its class and institution rows, which
        # would serialise notices to one institution before they reach the counter.
        classes = [
            make_class(
                _institution(f"乌兰浩特第{number}职业培训学校", county, f"52152201MJ0000{number:03d}X", occupation),
                occupation, batch_number=f"XA152201-2026-2{number:02d}", status=TrainingClass.Status.FINISHED,
            )
            for number in range(9)
        ]
        issue(county_user, classes.pop())  # the year's counter row exists: the race is on reading and raising it
        barrier = threading.Barrier(len(classes))
        numbers, errors = [], []

        def issue_one(training_class):
            barrier.wait()
            try:
                numbers.append(issue(county_user, training_class).sequence)
            except Exception as error:  # noqa: BLE001 (collected and asserted below)
                errors.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=issue_one, args=(training_class,)) for training_class in classes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(numbers) == [2, 3, 4, 5, 6, 7, 8, 9]


class TestNoticePdf:
    def test_the_pdf_is_an_official_notice_with_number_addressee_problems_deadline_office_and_seal(
        self, client, finished_class, county_user, institution_user, tmp_path  # noqa: F811
    ):
        notice = issue(county_user, finished_class, deadline=date(2099, 3, 15))
        for user in (county_user, institution_user):
            client.force_login(user)
            response = client.get(reverse("reports:rectification_notice", args=[notice.pk]))
            assert response["Content-Type"] == "application/pdf"
            text = " ".join(pdf_text(response.content, tmp_path).split())
            assert notice.number in text
            assert "整改通知书" in text and "乌兰浩特测试职业培训学校：" in text
            assert "实操课时不足，教学日志缺少6月3日至6月5日记录。" in text and "部分学员签到表无本人签字。" in text
            assert REQUIREMENTS in text
            assert "2099年3月15日前完成整改" in text
            assert "乌兰浩特市人力资源和社会保障局" in text and notice.issued_on.strftime("%Y年%-m月%-d日") in text
            assert "（印章）" in text and "抄送：兴安盟人力资源和就业服务中心" in text
            assert finished_class.batch_number in text
        # The seal box, the office and the date stay together on the last page, under the closing words.
        pages = pdf_pages(response.content, tmp_path)
        last_page = last_page_text(response.content, pages, tmp_path)
        assert "特此通知" in last_page and "（印章）" in last_page and "乌兰浩特市人力资源和社会保障局" in last_page
        assert dark_pixel_share(response.content, tmp_path) > 0.01

    def test_the_league_may_print_it_and_another_county_may_not(
        self, client, finished_class, county_user, league_user, other_county_user, other_institution_user  # noqa: F811
    ):
        notice = issue(county_user, finished_class)
        url = reverse("reports:rectification_notice", args=[notice.pk])
        client.force_login(league_user)
        assert client.get(url).status_code == 200
        for outsider in (other_county_user, other_institution_user):
            client.force_login(outsider)
            assert client.get(url).status_code == 404


class TestClosure:
    def test_institution_reports_county_sends_back_then_closes(
        self, client, finished_class, county_user, institution_user  # noqa: F811
    ):
        add_forms(finished_class, ["excellent"] * 7 + ["fair"] * 3)
        notice = issue(county_user, finished_class)
        page = reverse("evaluations:rectification_notice", args=[notice.pk])

        client.force_login(institution_user)
        response = client.post(reverse("evaluations:rectification_notice_report", args=[notice.pk]),
                               {"report": "已补课12课时，补齐教学日志。"}, follow=True)
        assert "整改情况已报送" in response.content.decode()
        notice.refresh_from_db()
        assert notice.status == "submitted" and notice.reported_by == institution_user
        assert class_evaluation_summary(finished_class).conclusion == "rectifying", "待销号 is still a rectification"

        client.force_login(county_user)
        client.post(reverse("evaluations:rectification_notice_return", args=[notice.pk]), {"reason": "缺少签到表复印件"})
        notice.refresh_from_db()
        assert notice.status == "open" and notice.return_reason == "缺少签到表复印件"
        assert "缺少签到表复印件" in client.get(page).content.decode()

        client.force_login(institution_user)
        client.post(reverse("evaluations:rectification_notice_report", args=[notice.pk]), {"report": "已补交签到表复印件。"})
        client.force_login(county_user)
        response = client.post(reverse("evaluations:rectification_notice_close", args=[notice.pk]),
                               {"evidence": "核对签到表和教学日志，整改到位。"}, follow=True)
        assert "整改已销号" in response.content.decode()
        notice.refresh_from_db()
        assert notice.status == "closed" and notice.closed_by == county_user
        assert class_evaluation_summary(finished_class).conclusion != "rectifying"
        assert [(event.action, event.from_status, event.to_status) for event in notice.events.all()] == [
            ("下达整改通知书", "", "open"),
            ("报送整改情况", "open", "submitted"),
            ("退回整改情况", "submitted", "open"),
            ("报送整改情况", "open", "submitted"),
            ("销号", "submitted", "closed"),
        ]

    def test_each_side_may_do_only_its_own_step(self, finished_class, county_user, institution_user):  # noqa: F811
        notice = issue(county_user, finished_class)
        with pytest.raises(ServiceError, match="只有被通知的培训机构"):
            services.rectification_report_submit(actor=county_user, notice=notice, report="x")
        with pytest.raises(ServiceError, match="只有待销号的可以退回"):
            services.rectification_return(actor=county_user, notice=notice, reason="x")
        with pytest.raises(ServiceError, match="只有旗县市人社部门可以销号"):
            services.rectification_close(actor=institution_user, notice=notice, evidence="x")
        with pytest.raises(ServiceError, match="请填写整改情况"):
            services.rectification_report_submit(actor=institution_user, notice=notice, report=" ")
        services.rectification_report_submit(actor=institution_user, notice=notice, report="已整改")
        with pytest.raises(ServiceError, match="不能报送整改情况"):
            services.rectification_report_submit(actor=institution_user, notice=notice, report="再报一次")
        with pytest.raises(ServiceError, match="退回必须填写原因"):
            services.rectification_return(actor=county_user, notice=notice, reason="")

    def test_the_page_shows_each_role_its_buttons(self, client, finished_class, county_user, institution_user, league_user):  # noqa: F811
        notice = issue(county_user, finished_class)
        url = reverse("evaluations:rectification_notice", args=[notice.pk])
        client.force_login(institution_user)
        page = client.get(url).content.decode()
        assert notice.number in page and "报送整改情况" in page and "销号</button>" not in page
        client.force_login(county_user)
        page = client.get(url).content.decode()
        assert "销号</button>" in page and "报送整改情况</button>" not in page
        client.force_login(league_user)
        page = client.get(url).content.decode()
        assert notice.number in page and "<form" not in page.split("整改落实与销号")[1].split("办理记录")[0]

    def test_an_overdue_notice_says_so(self, client, finished_class, county_user):  # noqa: F811
        notice = issue(county_user, finished_class)
        RectificationNotice.objects.filter(pk=notice.pk).update(deadline=in_days(-1))
        client.force_login(county_user)
        assert "已逾期" in client.get(reverse("evaluations:rectification_notice", args=[notice.pk])).content.decode()


@pytest.mark.parametrize("outsider", ["other_county_user", "other_institution_user"])
def test_every_notice_url_of_another_county_is_not_found(request, client, finished_class, county_user, outsider):  # noqa: F811
    notice = issue(county_user, finished_class)
    client.force_login(request.getfixturevalue(outsider))
    for method, name, data in [
        ("get", "evaluations:rectification_notice", {}),
        ("post", "evaluations:rectification_notice_report", {"report": "x"}),
        ("post", "evaluations:rectification_notice_return", {"reason": "x"}),
        ("post", "evaluations:rectification_notice_close", {"evidence": "x"}),
        ("get", "reports:rectification_notice", {}),
    ]:
        response = getattr(client, method)(reverse(name, args=[notice.pk]), data)
        assert response.status_code == 404, f"{method} {name} gave {response.status_code}"
    notice.refresh_from_db()
    assert notice.status == "open" and notice.report == ""
