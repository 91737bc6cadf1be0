"""In Chromium: the league-wide auditor reads the league's review queue without its buttons, and filters the audit
trail. Screenshots at 1366 and 390 px (test-artifacts/)."""

import pytest
from django.urls import reverse

from accounts.audit import audit_event_append
from accounts.models import AuditEvent, Role
from conftest import make_user
from evaluations.tests.conftest import finished_class, forwarded_class  # noqa: F401 (fixtures)
from evaluations.tests.test_browser_chain import open_as, shot

from .test_browser_search_and_verification import fits_a_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_auditor_reads_the_queue_without_its_buttons_and_filters_the_trail(
    browser, live_server, league_region, county_user, forwarded_class  # noqa: F811
):
    make_user("auditor", role=Role.AUDITOR, region=league_region)
    audit_event_append(action=AuditEvent.Action.LOGIN_FAILED, username="county", detail="密码错误")
    page = open_as(browser, live_server, "auditor")

    page.get_by_role("link", name="待盟级复核").click()
    assert forwarded_class.batch_number in page.locator("main").inner_text()
    assert not page.get_by_role("button", name="批量复核通过所选").is_visible()
    assert page.get_by_role("button", name="退出").is_visible()

    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("事件").select_option("login_failed")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() == 1 and "密码错误" in rows.first.inner_text()
    shot(page, "audit-trail-1366")
    fits_a_phone(page)
    shot(page, "audit-trail-390")
