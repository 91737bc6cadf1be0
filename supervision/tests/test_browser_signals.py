"""End to end in Debian's Chromium: the county finds a shared phone on its signal list (1366 px and a 390 px phone),
opens the class's signals and dismisses one with a reason; the league then reads the dismissal."""

from pathlib import Path

import pytest

from classes.models import Enrollment
from conftest import browser_log_in, enroll, make_class
from supervision.fraud_signals import fraud_signals_recompute
from supervision.models import FraudSignal
from xingan_training.personal_data import phone_digest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def logged_in(browser, live_server, username, width):
    page = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN").new_page()
    browser_log_in(page, live_server.url, username)
    return page


def test_the_county_dismisses_a_shared_phone_and_the_league_reads_why(browser, live_server, county_user, league_user,
                                                                       institution, occupation):
    from django.core.cache import cache

    cache.clear()
    training_class = make_class(institution, occupation, batch_number="XA152201-2026-601")
    sharers = enroll(training_class, 4)[:3]
    Enrollment.objects.filter(pk__in=[enrollment.pk for enrollment in sharers]).update(phone="13912345678", phone_digest=phone_digest("13912345678"))
    fraud_signals_recompute(class_ids=[training_class.pk])

    phone = logged_in(browser, live_server, "county", 390)
    phone.goto(live_server.url + "/supervision/signals/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert "手机号 139****5678 被 3 名学员共用" in phone.locator("#signal-list").inner_text()
    shot(phone, "county-signals-390")

    page = logged_in(browser, live_server, "county", 1366)
    page.get_by_role("button", name="培训监管").click()
    page.get_by_role("link", name="疑点", exact=True).click()
    shot(page, "county-signals-1366")
    page.get_by_role("link", name="XA152201-2026-601").click()
    page.get_by_text("证据明细（3 条）").wait_for()
    assert sharers[0].roster_name in page.content() and "13912345678" not in page.content()
    page.get_by_role("link", name="核销").click()
    page.get_by_role("button", name="确认核销").click()  # the browser refuses: reason and confirmation are required
    assert FraudSignal.objects.get().dismissed_at is None
    page.get_by_label("核销理由（必填）").fill("三人为一家人，共用家中手机，已电话核实")
    page.get_by_label("我已核实上述证据").check()
    page.get_by_role("button", name="确认核销").click()
    assert "已核销疑点" in page.content()
    shot(page, "county-class-signals")
    assert FraudSignal.objects.get().status == "dismissed"

    league = logged_in(browser, live_server, "league", 1366)
    league.goto(live_server.url + f"/supervision/classes/{training_class.pk}/signals/")
    assert "三人为一家人，共用家中手机，已电话核实" in league.content()
    assert league.get_by_role("link", name="核销").count() == 0
