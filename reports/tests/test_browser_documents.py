"""A big class's 附表2 in Chromium: the progress page follows the worker through its JSON status (local script
under the CSP), then offers the download; without JavaScript the refresh link does the same."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import browser_log_in

from evaluations.tests.conftest import add_forms, finished_class  # noqa: F401 (fixture)
from evaluations.tests.test_browser_chain import open_as, shot
from reports import services
from reports.models import GeneratedDocument
from reports.tasks import render_generated_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def big_class(settings, tmp_path, monkeypatch, finished_class):  # noqa: F811
    settings.PDF_INLINE_MAX_PAGES = 4
    settings.PDF_RENDER_CHUNK_PAGES = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    # The test is the worker: it runs the task itself, so no message goes to a broker.
    monkeypatch.setattr(render_generated_document, "apply_async", lambda *args, **kwargs: None)
    add_forms(finished_class, ["excellent", "good"] * 5)
    return finished_class


def test_the_progress_page_follows_the_worker_and_offers_the_download(
    browser, live_server, county_user, big_class, monkeypatch
):
    page = open_as(browser, live_server, "county")
    problems = []  # script errors and CSP violations (a missing favicon is not one)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(live_server.url + reverse("reports:class_form2", args=[big_class.pk]))
    document = GeneratedDocument.objects.get()
    assert page.url.endswith(reverse("reports:document", args=[document.pk]))
    assert page.locator("#document-status").inner_text() == "排队中"
    assert page.locator("#document-download").is_hidden()

    report_progress = services._report_progress

    def report_and_look(document, *, pages_done, pages_total):
        report_progress(document, pages_done=pages_done, pages_total=pages_total)
        if pages_done == 6:  # mid-way: the page shows it without a reload
            expect(page.locator("#document-pages-done")).to_have_text("6")
            assert page.locator("#document-status").inner_text() == "生成中"
            shot(page, "document-progress-1366")
            page.set_viewport_size({"width": 390, "height": 844})
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            shot(page, "document-progress-390")
            page.set_viewport_size({"width": 1366, "height": 900})

    monkeypatch.setattr(services, "_report_progress", report_and_look)
    assert render_generated_document(document.pk) == "done"

    download = page.locator("#document-download")
    download.wait_for(state="visible")
    assert page.locator("#document-status").inner_text() == "已生成"
    assert page.locator("#document-pages-done").inner_text() == "10"
    assert page.locator("#document-refresh").is_hidden()
    shot(page, "document-done-1366")
    response = page.request.get(live_server.url + download.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
    assert problems == [], "no CSP violation or script error"


def test_without_javascript_the_refresh_link_shows_the_download(browser, live_server, county_user, big_class):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    browser_log_in(page, live_server.url, "county")
    page.goto(live_server.url + reverse("reports:class_form2", args=[big_class.pk]))
    assert page.locator("#document-status").inner_text() == "排队中"
    render_generated_document(GeneratedDocument.objects.get().pk)
    page.get_by_role("link", name="刷新进度").click()
    assert page.locator("#document-status").inner_text() == "已生成"
    assert page.get_by_role("link", name=f"下载 附表2_{big_class.batch_number}.pdf").is_visible()
    shot(page, "document-done-nojs-390")
    context.close()
