"""End to end in Debian's Chromium: league staff evaluate an institution's year beside the evidence, black-list it and
publish the entry; on a 390 px phone anyone then finds it on the public list and by the institution's credit code."""

from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from classes.models import Institution
from conftest import browser_log_in, enroll, make_class
from evaluations.models import Investigation
from supervision.models import CatalogueStatusChange, ListDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ITEMS = ("system_building", "training_scale", "process_management", "followup_service", "employment_after_training")


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_league_black_lists_an_institution_and_the_public_finds_it(browser, live_server, league_user, county_user,
                                                                       institution, occupation):
    year = timezone.localdate().year - 1
    falsified = make_class(institution, occupation, batch_number=f"XA152201-{year}-001", status="finished",
                           start_date=date(year, 9, 1), end_date=date(year, 9, 15))
    enroll(falsified, 3)
    Investigation.objects.create(
        training_class=falsified, status="confirmed", is_falsification=True, conclusion_reason="虚报参训人数",
        opened_by=county_user, concluded_by=county_user, concluded_at=timezone.now(),
    )

    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    browser_log_in(page, live_server.url, "league")
    page.get_by_role("button", name="培训监管").click()
    page.get_by_role("link", name="机构与师资绩效", exact=True).click()
    page.get_by_label("评估年度").select_option(str(year))
    page.get_by_role("button", name="查询").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert "黑名单候选" in page.locator("#performance-table").inner_text()
    page.get_by_role("link", name=institution.name).click()
    assert "经核查认定培训机构弄虚作假" in page.locator("#evidence-proposal").inner_text()
    page.get_by_role("link", name="开始评估").click()
    for name in ITEMS:
        page.locator(f"input[name={name}][value=good]").check()
    page.locator("input[name=process_management][value=poor]").check()
    page.get_by_role("button", name="保存评估").click()
    assert "“过程管理”评为“差”，请写明说明" in page.content()
    page.get_by_label("过程管理说明").fill("一个培训班虚报参训人数，核查属实")
    page.get_by_role("button", name="保存评估").click()
    assert f"已保存{institution.name}{year}年度绩效评估" in page.content()
    page.get_by_role("link", name="作出决定").click()
    assert page.locator("input[name=listing][value=black]").is_checked()
    page.get_by_label("同时向社会公布").check()
    shot(page, "league-black-list-decision")
    page.get_by_role("button", name="记录决定").click()
    assert "该机构已退出补贴性培训机构目录" in page.content()
    assert Institution.objects.get(pk=institution.pk).catalogue_status == "removed"
    assert CatalogueStatusChange.objects.get().changed_by == league_user
    assert ListDecision.objects.get().is_published

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    phone.goto(live_server.url + "/public/red-black-list/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    entries = phone.locator("#list-entries").inner_text()
    assert institution.name in entries and f"{year}年度黑名单" in entries
    phone.get_by_role("link", name="机构查询").click()
    phone.get_by_label("机构名称或统一社会信用代码").fill(institution.credit_code)
    phone.get_by_role("button", name="查询").click()
    assert "不在补贴性培训机构目录内（已退出目录）" in phone.locator("#lookup-results").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "public-institution-lookup")
