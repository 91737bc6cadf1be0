"""In Chromium: a county officer looks a trainee up by ID number (the number never in the address bar), and a
visitor without login checks a printed 附表1 by its code, before and after the record changed. Screenshots at
1366 and 390 px, and the printed page itself rendered to PNG (test-artifacts/)."""

import re
import subprocess

import pytest
from django.core.cache import cache
from django.urls import reverse

from evaluations import services as evaluations
from evaluations.tests.conftest import finished_class, forwarded_class  # noqa: F401 (fixtures)
from evaluations.tests.test_browser_chain import SCREENSHOTS, open_as, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_a_phone(page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_county_officer_finds_a_trainee_by_id_number(browser, live_server, county_user, forwarded_class):  # noqa: F811
    trainee = forwarded_class.enrollments.select_related("trainee").order_by("id").first().trainee
    page = open_as(browser, live_server, "county")
    page.get_by_role("button", name="回访与就业").click()
    page.get_by_role("link", name="学员查询").click()
    page.get_by_label("姓名、身份证号或手机号").fill(trainee.id_number)
    page.get_by_role("button", name="查询").click()
    assert "找到 1 人" in page.locator("#search-summary").inner_text()
    assert trainee.id_number not in page.url and page.url.endswith(reverse("reports:trainee_search"))
    assert trainee.masked_id_number in page.locator(".trainee-result").inner_text()
    shot(page, "trainee-search-1366")
    fits_a_phone(page)
    shot(page, "trainee-search-390")


def test_a_visitor_checks_a_printed_form1_before_and_after_the_record_changed(
    browser, live_server, client, county_user, league_user, forwarded_class, tmp_path  # noqa: F811
):
    cache.clear()
    client.force_login(county_user)
    pdf = tmp_path / "form1.pdf"
    pdf.write_bytes(client.get(reverse("reports:form1", args=[forwarded_class.pk])).content)
    SCREENSHOTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", str(pdf), str(SCREENSHOTS / "form1-printout")], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    code = re.search(r"核验码\s+([0-9A-Z-]{14})", text).group(1)

    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    page.goto(live_server.url + reverse("printout_lookup"))
    page.get_by_label("核验码").fill(code.lower())
    page.get_by_role("button", name="核验").click()
    assert "与平台记录一致" in page.locator("#verdict").inner_text()
    assert forwarded_class.batch_number in page.locator("#facts").inner_text()
    shot(page, "printout-verify-1366")
    fits_a_phone(page)
    shot(page, "printout-verify-390")

    evaluations.review_approve(actor=league_user, training_class=forwarded_class)
    page.reload()
    assert "记录在打印后已变更" in page.locator("#verdict").inner_text()
    shot(page, "printout-verify-changed-390")
