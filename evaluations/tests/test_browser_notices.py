"""整改通知书 in Chromium: the county issues it from the class page, the institution reports, the county closes it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import RectificationNotice

from .conftest import add_forms, finished_class  # noqa: F401 (fixture)
from .test_browser_chain import open_as, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_notice_is_issued_reported_and_closed(browser, live_server, county_user, institution_user, finished_class):  # noqa: F811
    add_forms(finished_class, ["excellent"] * 7 + ["fair"] * 3)
    county = open_as(browser, live_server, "county")
    county.goto(live_server.url + reverse("evaluations:class_evaluation", args=[finished_class.pk]))
    county.get_by_label("存在问题").fill("实操课时不足，6月3日至6月5日教学日志缺失。")
    county.get_by_label("整改要求").fill("补足实操课时，补齐教学日志。")
    county.get_by_label("整改期限").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    county.get_by_role("button", name="下达整改通知书").click()
    notice = RectificationNotice.objects.get()
    county.get_by_role("link", name=f"整改通知书 {notice.number}").click()
    assert county.locator("#notice-number").inner_text() == notice.number
    assert "实操课时不足" in county.locator("#notice-problems").inner_text()
    pdf = county.request.get(live_server.url + reverse("reports:rectification_notice", args=[notice.pk]))
    assert pdf.headers["content-type"] == "application/pdf"

    school = open_as(browser, live_server, "institution")
    school.goto(live_server.url + reverse("evaluations:rectification_notice", args=[notice.pk]))
    shot(school, "notice-institution-1366")
    school.get_by_label("整改情况（必填）").fill("已补课12课时，教学日志已补齐并经学员签字确认。")
    school.get_by_role("button", name="报送整改情况").click()
    assert school.locator("#notice-status").inner_text() == "待销号"
    school.set_viewport_size({"width": 390, "height": 844})
    assert school.evaluate("document.documentElement.scrollWidth") <= 390
    shot(school, "notice-institution-390")

    county.reload()
    county.get_by_label("整改情况及佐证（必填）").fill("现场核查补课签到表和教学日志，整改到位。")
    county.get_by_role("button", name="销号").click()
    assert county.locator("#notice-status").inner_text() == "已整改"
    shot(county, "notice-county-closed-1366")
    assert [event.action for event in notice.events.all()] == ["下达整改通知书", "报送整改情况", "销号"]
