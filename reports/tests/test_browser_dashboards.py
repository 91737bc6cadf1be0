"""The league dashboard in Chromium: charts drawn by the vendored ECharts under the portal's CSP, a click on a bar
lands on the class list filtered to exactly the classes behind it; every dashboard on a desktop and a phone."""

import pytest
from django.urls import reverse

from conftest import browser_log_in
from evaluations.tests.test_browser_chain import open_as, shot

from .figures_fixture import counted_classes  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAR_CENTRE = """([chartId, series, value, category]) => {
  const element = document.querySelector(`[data-chart="${chartId}"]`);
  const chart = echarts.getInstanceByDom(element);
  const [x, y] = chart.convertToPixel({seriesName: series}, [value, category]);
  const box = element.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def watch_console(page) -> list[str]:
    messages = []
    page.on("console", lambda message: messages.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: messages.append(str(error)))
    return messages


def test_a_bar_of_the_league_dashboard_opens_the_classes_behind_it(browser, live_server, league_user, counted_classes):
    page = open_as(browser, live_server, "league")
    problems = watch_console(page)
    page.goto(live_server.url + reverse("reports:dashboard") + "?year=2026")
    page.locator('[data-chart="chart-conclusions_by_area"] canvas').wait_for()
    shot(page, "dashboard-league-desktop")
    # 乌兰浩特市: 优秀 1, 合格 0, then 需整改 1 stacked from 1 to 2; its middle is at 1.5.
    x, y = page.evaluate(BAR_CENTRE, ["chart-conclusions_by_area", "需整改", 1.5, 0])
    page.mouse.click(x, y)
    page.wait_for_url("**/classes/?**")
    assert "conclusion=rectifying" in page.url and "status=finished" in page.url
    assert page.locator("#id_conclusion").input_value() == "rectifying"
    rows = page.locator("#class-table tbody tr")
    assert rows.count() == 1
    assert counted_classes["A2"].batch_number in rows.first.inner_text()
    assert problems == []


def test_a_months_table_figure_opens_the_same_list(browser, live_server, league_user, counted_classes):
    page = open_as(browser, live_server, "league")
    page.goto(live_server.url + reverse("reports:dashboard") + "?year=2026")
    row = page.locator("#figure-conclusions_by_month tbody tr", has_text="2026-06").filter(has_text="突泉县")
    row.get_by_role("link").nth(0).click()  # 培训班: the one class of 突泉县 ending in June
    page.wait_for_url("**/classes/?**")
    assert [line.split()[0] for line in page.locator("#class-table tbody tr").all_inner_texts()] == [
        counted_classes["B2"].batch_number]


@pytest.mark.parametrize("username", ["league", "county", "institution"])
def test_every_dashboard_fits_a_phone(browser, live_server, league_user, county_user, institution_user, counted_classes,
                                      username):
    for width, height, device in ((1366, 900, "desktop"), (390, 844, "phone")):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height}, is_mobile=device == "phone")
        page = context.new_page()
        problems = watch_console(page)
        browser_log_in(page, live_server.url, username)
        page.wait_for_url(live_server.url + "/")
        page.goto(live_server.url + reverse("reports:dashboard") + "?year=2026")
        charts = page.locator(".dashboard-chart canvas")
        charts.first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for index in range(charts.count()):
            assert charts.nth(index).bounding_box()["width"] <= width - 40
        shot(page, f"dashboard-{username}-{device}")
        assert problems == []
        context.close()
