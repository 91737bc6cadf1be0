"""End to end in Debian's Chromium: county staff review classes; an institution imports a roster."""

import random
from pathlib import Path

import pytest
from django.urls import reverse

from classes.demo_data import make_roster_rows, roster_workbook_bytes
from classes.models import Enrollment, TrainingClass
from conftest import browser_log_in, enroll, make_class

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, live_server, username):
    browser_log_in(page, live_server.url, username)
    page.wait_for_url(live_server.url + "/")


def test_county_staff_filter_open_a_class_see_a_masked_roster_and_not_another_county(
    page, live_server, county_user, institution, occupation, other_class
):
    running = make_class(institution, occupation, batch_number="XA152201-2026-031", status=TrainingClass.Status.IN_TRAINING)
    make_class(institution, occupation, batch_number="XA152201-2026-032")
    trainee = enroll(running, 3)[0].trainee

    log_in(page, live_server, "county")
    shot(page, "county-home")
    page.get_by_role("link", name="培训班", exact=True).first.click()
    page.get_by_label("状态").select_option(label="培训中")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("#class-table tbody tr")
    assert rows.count() == 1
    assert "XA152201-2026-031" in rows.first.inner_text()
    shot(page, "county-class-list")

    page.get_by_role("link", name="XA152201-2026-031").click()
    roster = page.locator("#roster-table")
    assert trainee.masked_id_number in roster.inner_text()
    assert trainee.id_number not in page.content()
    shot(page, "county-class-detail")

    page.goto(live_server.url + reverse("classes:class_detail", args=[other_class.pk]))
    assert "页面不存在" in page.content()
    assert other_class.batch_number not in page.content()


def test_institution_imports_a_roster_fixing_the_bad_row(page, live_server, institution_user, training_class, tmp_path):
    good_rows = make_roster_rows(random.Random(7), 4)
    bad_rows = [row[:] for row in good_rows]
    bad_rows[2][2] = bad_rows[2][2][:-1] + ("1" if bad_rows[2][2][-1] != "1" else "2")
    bad_file = tmp_path / "名册.xlsx"
    bad_file.write_bytes(roster_workbook_bytes(bad_rows))
    fixed_file = tmp_path / "名册-已改.xlsx"
    fixed_file.write_bytes(roster_workbook_bytes(good_rows))

    log_in(page, live_server, "institution")
    page.goto(live_server.url + reverse("classes:class_detail", args=[training_class.pk]))
    page.get_by_role("link", name="导入名册").click()
    page.get_by_label("学员名册（.xlsx）").set_input_files(str(bad_file))
    page.get_by_role("button", name="上传并检查").click()
    errors = page.locator("#import-errors")
    assert "第 4 行" in errors.inner_text() and "身份证号校验位错误" in errors.inner_text()
    shot(page, "institution-import-errors")
    assert Enrollment.objects.count() == 0

    page.get_by_role("link", name="重新上传").click()
    page.get_by_label("学员名册（.xlsx）").set_input_files(str(fixed_file))
    page.get_by_role("button", name="上传并检查").click()
    assert "检查通过：4 名学员可以导入" in page.content()
    shot(page, "institution-import-preview")
    page.get_by_role("button", name="确认导入 4 名学员").click()
    assert "已导入 4 名学员" in page.content()
    assert page.locator("#roster-table tbody tr").count() == 4
    shot(page, "institution-class-detail")
    assert Enrollment.objects.filter(training_class=training_class).count() == 4


def test_the_login_page_reads_well_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = context.new_page()
    phone.goto(live_server.url + reverse("accounts:login"))
    assert phone.get_by_role("button", name="登录").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the login page must not scroll sideways on a phone"
    shot(phone, "phone-login")
    context.close()
