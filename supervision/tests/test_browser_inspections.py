"""End to end in Debian's Chromium (policy §8.5): a commissioned inspector records an on-site inspection on a
390 px phone, loses the connection half-way, finishes and submits without it; when the connection returns the
record arrives exactly once, and the county's coverage page shows the class as inspected."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accounts.models import Role
from classes.models import TrainingClass
from conftest import browser_log_in, enroll, make_class, make_user
from supervision import inspections as services
from supervision.models import Inspection, InspectionAttachment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(context, live_server, username):
    page = context.new_page()
    browser_log_in(page, live_server.url, username)
    page.wait_for_load_state()
    return page


def classroom_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 140, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_an_inspection_recorded_offline_arrives_once(browser, live_server, county_user, county, institution, occupation):
    today = timezone.localdate()
    inspector = make_user("inspector", role=Role.THIRD_PARTY, region=county)
    training_class = make_class(
        institution, occupation, batch_number="XA152201-2026-201", status=TrainingClass.Status.IN_TRAINING,
        start_date=today - timedelta(days=4), end_date=today + timedelta(days=6),
    )
    first_absent, *_ = enroll(training_class, 8)
    inspection = services.inspection_plan(
        actor=county_user, training_class=training_class, planned_on=today, inspectors=[inspector, county_user]
    )

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    page = log_in(phone, live_server, "inspector")
    assert page.url == live_server.url + reverse("supervision:inspection_list")
    page.get_by_role("link", name=training_class.batch_number).click()
    page.get_by_role("link", name="填写检查记录").click()
    assert page.locator("h1").inner_text() == "现场检查记录"
    page.get_by_text("招生", exact=True).click()
    page.get_by_text("培训", exact=True).click()
    page.get_by_text("问询", exact=True).click()
    page.get_by_text("听课", exact=True).click()
    page.get_by_label("实到人数").fill("7")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "inspection-form-390-online")

    # The signal goes in the middle of the visit: the inspector carries on.
    phone.set_offline(True)
    expect(page.locator("#connection-status")).to_contain_text("当前没有网络")  # the page's offline event
    page.get_by_text("缺勤学员（选填，对照花名册勾选）").click()
    page.get_by_label(f"{first_absent.roster_name} {first_absent.trainee.masked_id_number}").check()
    page.get_by_label("检查发现").fill("实到7人，一名学员未到且无请假手续；教学日志缺两天。")
    page.get_by_label("发现问题").check()
    page.get_by_label("需要培训机构整改（列入整改清单）").check()
    page.get_by_label("整改要求").fill("补齐请假手续和教学日志，三日内报旗县人社局。")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "课堂.jpg", "mimeType": "image/jpeg", "buffer": classroom_photo()}]
    )
    expect(page.locator("#attachment-list li")).to_have_count(1)
    page.get_by_role("button", name="提交检查记录").click()
    expect(page.locator("#connection-status")).to_contain_text("检查记录已保存在本机")
    shot(page, "inspection-form-390-offline-queued")
    assert Inspection.objects.get().status == Inspection.Status.PLANNED

    # Still without signal, the inspector reopens the page: the service worker serves it, the entries are there.
    page.reload()
    assert page.get_by_label("检查发现").input_value().startswith("实到7人")
    assert page.get_by_label("实到人数").input_value() == "7"
    expect(page.locator("#attachment-list li")).to_have_count(1)

    # The connection returns: the outbox is sent, once.
    phone.set_offline(False)
    expect(page.locator("#connection-status")).to_contain_text("检查记录已提交", timeout=15000)
    shot(page, "inspection-form-390-sent")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.RECORDED and inspection.recorded_by == inspector
    assert Inspection.objects.filter(status=Inspection.Status.RECORDED).count() == 1
    assert (inspection.present_count, inspection.roster_size, inspection.result) == (7, 8, "problems")
    assert list(inspection.absent_enrollments.all()) == [first_absent]
    assert inspection.needs_rectification and inspection.checked_aspect_labels == ["招生", "培训"]
    assert InspectionAttachment.objects.get().content_type == "image/jpeg"
    # A second return of the connection sends nothing more: the outbox is empty.
    phone.set_offline(True)
    phone.set_offline(False)
    page.wait_for_timeout(500)
    assert Inspection.objects.filter(status=Inspection.Status.RECORDED).count() == 1
    assert InspectionAttachment.objects.count() == 1
    page.get_by_role("link", name="查看检查记录").click()
    assert "发现问题" in page.locator("#inspection-record").inner_text()
    shot(page, "inspection-detail-390")
    phone.close()

    # The county sees the class as inspected.
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    county_page = log_in(desk, live_server, "county")
    county_page.get_by_role("button", name="培训监管").click()
    county_page.get_by_role("link", name="现场检查", exact=True).click()
    row = county_page.locator("#coverage-152201").inner_text()
    assert "\t1\t1\t100.0%" in row or "1\t1\t100.0%" in row
    assert training_class.batch_number not in county_page.content().split('id="no-uninspected"')[0].split("未检查的班期")[1]
    shot(county_page, "inspection-coverage-1366")
    desk.close()
