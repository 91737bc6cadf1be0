"""End to end in Debian's Chromium: a worker registers a training wish on a 390 px phone without an account;
the county sees the registrant masked and records that it told them about an opening class."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import approve_opening, browser_log_in, make_class
from supervision.models import DemandCatalogueEntry, TrainingWish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_worker_registers_on_a_phone_and_the_county_tells_them(browser, live_server, league_user, county_user, county,
                                                                 institution, occupation):
    from django.core.cache import cache

    cache.clear()
    today = timezone.localdate()
    DemandCatalogueEntry.objects.create(
        league=league_user.region, occupation=occupation, training_type=occupation.training_type, subsidy_per_person=1600,
        is_urgent=True, valid_from=today - timedelta(days=5), valid_to=today + timedelta(days=200), created_by=league_user,
    )
    opening = make_class(institution, occupation, batch_number="XA152201-2026-301", start_date=today + timedelta(days=7))
    approve_opening(opening)  # policy §8.2: registrants are told of classes approved for opening

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    phone.goto(live_server.url + "/public/training-catalogue/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert "急需紧缺" in phone.locator("#catalogue").inner_text()
    phone.get_by_role("link", name="我要参加 ›").click()
    phone.get_by_label("姓名").fill("巴特尔")
    phone.get_by_label("手机号").fill("139 1234 5678")
    phone.get_by_role("button", name="提交登记").click()
    assert "请选择人员类别" in phone.content() and "请阅读并同意信息使用说明后再提交" in phone.content()
    assert phone.get_by_label("姓名").input_value() == "巴特尔"
    shot(phone, "public-wish-form-errors")
    phone.get_by_label("人员类别").select_option(label="农村牧区转移就业劳动者")
    phone.get_by_label("所在旗县市").select_option(label="乌兰浩特市")
    phone.get_by_label("我已阅读上面的信息使用说明").check()
    phone.get_by_role("button", name="提交登记").click()
    assert "登记成功" in phone.locator("h1").inner_text()
    assert "5678" not in phone.content()
    shot(phone, "public-wish-done")

    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    browser_log_in(page, live_server.url, "county")
    page.get_by_role("button", name="培训监管").click()
    page.get_by_role("link", name="培训需求").click()
    assert "养老护理员" in page.locator("#demand-table").inner_text()
    page.get_by_role("link", name="查看名单").click()
    table = page.locator("#wish-table").inner_text()
    assert "巴特尔" in table and "139****5678" in table and "13912345678" not in page.content()
    page.get_by_label("选择 巴特尔").check()
    page.get_by_role("button", name="通知所选人员…").click()
    page.get_by_label("通知参加的培训班").select_option(index=1)
    shot(page, "county-notify-confirm")
    page.get_by_role("button", name="确认已通知").click()
    assert "已记录：通知 1 人参加培训班 XA152201-2026-301" in page.content()
    assert TrainingWish.objects.get().told_class == opening
