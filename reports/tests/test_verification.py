"""Printouts that prove themselves: every official PDF carries a QR code and a short code; the public page says
whether the paper still matches the portal's record, without personal data, and flags a record changed since."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from evaluations import services as evaluations
from evaluations.tests.conftest import (  # noqa: F401 (fixtures)
    add_forms,
    complete_followups,
    finished_class,
    forwarded_class,
    self_assess,
    verify,
)
from reports.models import GeneratedDocument, Printout
from reports.tasks import render_generated_document
from reports.verification import codes
from reports.verification.fingerprints import SOURCES, register_fingerprint_source
from reports.verification.services import printout_record

from .test_pdfs import pdf_pages, pdf_text

CODE_IN_TEXT = re.compile(r"核验码\s+([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


@pytest.fixture(autouse=True)
def fresh_lookup_counters():
    cache.clear()  # lookups are counted in the shared cache, which outlives a test's database
    yield
    cache.clear()


def printed_code(content: bytes, tmp_path) -> str:
    """The code as a person reads it off the paper (pdftotext of the footer)."""
    match = CODE_IN_TEXT.search(pdf_text(content, tmp_path))
    assert match, "the footer prints the code"
    return match.group(1)


def check_page(client, typed: str):
    """The public page, as a visitor without login reaches it: by typing the code into the lookup form."""
    client.logout()
    response = client.get(reverse("printout_lookup"), {"code": typed}, follow=True)
    return response, response.content.decode()


class TestForm1:
    def test_form1_carries_its_code_stays_one_page_and_matches_until_the_record_changes(
        self, client, county_user, league_user, forwarded_class, tmp_path  # noqa: F811
    ):
        client.force_login(county_user)
        content = client.get(reverse("reports:form1", args=[forwarded_class.pk])).content
        assert pdf_pages(content, tmp_path) == 1, "附表1 is one A4 page, stamp included"
        typed = printed_code(content, tmp_path)
        assert "扫码或访问 http://testserver/v/ 核验" in pdf_text(content, tmp_path)
        printout = Printout.objects.get()
        assert (printout.code, printout.kind, printout.printed_by, printout.review_status) == (
            typed.replace("-", ""), "form1", county_user, "forwarded")

        response, page = check_page(client, typed)
        assert response.redirect_chain == [(reverse("printout_verify", args=[printout.code]), 302)]
        assert "与平台记录一致" in page and "培训班绩效评价表（附表1）" in page
        assert forwarded_class.batch_number in page and "已上报，待盟级复核" in page
        assert "（打印时：" not in page and "no-store" in response["Cache-Control"]

        evaluations.review_approve(actor=league_user, training_class=forwarded_class)
        _response, page = check_page(client, typed)
        assert "记录在打印后已变更" in page and "盟级复核通过" in page and "（打印时：已上报，待盟级复核）" in page

    def test_the_public_page_shows_no_personal_data(self, client, county_user, forwarded_class, tmp_path):  # noqa: F811
        client.force_login(county_user)
        typed = printed_code(client.get(reverse("reports:form1", args=[forwarded_class.pk])).content, tmp_path)
        _response, page = check_page(client, typed)
        for enrollment in forwarded_class.enrollments.select_related("trainee"):
            assert enrollment.trainee.name not in page and enrollment.trainee.id_number[-4:] + "<" not in page
            assert enrollment.phone not in page
        for signature in ("赵老师", "李科员", "王局长", county_user.username, county_user.first_name):
            assert signature not in page


class TestForm2:
    def test_a_single_form_is_changed_once_found_untruthful(
        self, client, county_user, league_user, forwarded_class, tmp_path  # noqa: F811
    ):
        evaluation = forwarded_class.enrollments.order_by("id").first().evaluations.get()
        client.force_login(county_user)
        typed = printed_code(client.get(reverse("reports:trainee_form2", args=[evaluation.pk])).content, tmp_path)
        _response, page = check_page(client, typed)
        assert "与平台记录一致" in page and "附表2，单人" in page
        assert evaluation.enrollment.trainee.name not in page

        evaluations.review_return(actor=league_user, training_class=forwarded_class, reason="复查")
        evaluations.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=evaluation, reason="未参加培训")
        _response, page = check_page(client, typed)
        assert "记录在打印后已变更" in page

    def test_a_class_set_rendered_by_the_worker_carries_the_code_of_the_requester_s_address(
        self, client, county_user, finished_class, settings, tmp_path, django_capture_on_commit_callbacks  # noqa: F811
    ):
        settings.PDF_INLINE_MAX_PAGES = 2
        settings.MEDIA_ROOT = tmp_path / "media"
        add_forms(finished_class, ["good"] * 4)
        client.force_login(county_user)
        with django_capture_on_commit_callbacks():
            client.get(reverse("reports:class_form2", args=[finished_class.pk]), HTTP_HOST="localhost:8214")
        document = GeneratedDocument.objects.get()
        assert document.link_base == "http://localhost:8214"
        assert render_generated_document(document.pk) == "done"
        content = b"".join(client.get(reverse("reports:document_download", args=[document.pk])).streaming_content)
        text = pdf_text(content, tmp_path)
        assert text.count("扫码或访问 http://localhost:8214/v/ 核验") == 4, "on every page"
        printout = Printout.objects.get()
        assert (printout.kind, printout.training_class, printout.printed_by) == ("class_form2", finished_class, county_user)
        assert codes.display_code(printout.code) in text


class TestOtherDocuments:
    def test_the_notice_and_the_followup_sheet_are_verifiable(
        self, client, county_user, finished_class, tmp_path  # noqa: F811
    ):
        complete_followups(finished_class, county_user)
        notice = evaluations.rectification_issue(actor=county_user, training_class=finished_class,
                                                 requirements="完善签到记录", deadline=date(2026, 12, 31))
        client.force_login(county_user)
        notice_code = printed_code(client.get(reverse("reports:rectification_notice", args=[notice.pk])).content, tmp_path)
        sheet_code = printed_code(client.get(reverse("reports:followups", args=[finished_class.pk])).content, tmp_path)
        _response, page = check_page(client, notice_code)
        assert "整改通知书" in page and notice.number in page and "与平台记录一致" in page
        _response, page = check_page(client, sheet_code)
        assert "电话跟踪回访记录表" in page and "与平台记录一致" in page

    def test_blank_forms_carry_no_code(self, client, county_user, finished_class, tmp_path):  # noqa: F811
        client.force_login(county_user)
        for url in (reverse("reports:blank_form1"), reverse("reports:blank_form2", args=[finished_class.pk])):
            assert not CODE_IN_TEXT.search(pdf_text(client.get(url).content, tmp_path))
        assert not Printout.objects.exists()

    def test_a_kind_registered_later_is_checked_by_its_source(self, county_user, client):
        figures = {"152201": [3, 1]}
        registered = SOURCES.get(Printout.Kind.STATISTICS_REPORT)
        register_fingerprint_source(Printout.Kind.STATISTICS_REPORT, lambda object_id: figures.get(object_id))
        try:
            printout = printout_record(actor=county_user, kind=Printout.Kind.STATISTICS_REPORT, object_id="152201",
                                       reference="2026年第三季度")
            _response, page = check_page(client, printout.code)
            assert "与平台记录一致" in page and "2026年第三季度" in page and "统计表" in page
            figures["152201"] = [4, 1]
            assert "记录在打印后已变更" in check_page(client, printout.code)[1]
            del SOURCES[Printout.Kind.STATISTICS_REPORT]
            assert "此类文件暂不能与当前记录自动比对" in check_page(client, printout.code)[1]
        finally:
            SOURCES[Printout.Kind.STATISTICS_REPORT] = registered


class TestPublicPage:
    def test_an_unknown_or_malformed_code_is_not_found(self, client, db):
        assert client.get(reverse("printout_verify", args=["ABCDEFGHJKMN"])).status_code == 404
        response = client.get(reverse("printout_verify", args=["not-a-code"]))
        assert response.status_code == 404 and "未找到该核验码对应的打印件" in response.content.decode()
        response = client.get(reverse("printout_lookup"), {"code": "12345"})
        assert response.status_code == 400 and "核验码格式不正确" in response.content.decode()

    def test_a_code_typed_by_hand_is_forgiven_case_dashes_and_look_alike_letters(self, client, county_user, finished_class):  # noqa: F811
        printout = printout_record(actor=county_user, kind=Printout.Kind.FORM1, training_class=finished_class)
        sloppy = codes.display_code(printout.code).lower().replace("0", "o").replace("1", "l")
        response = client.get(reverse("printout_verify", args=[sloppy]))
        assert response.status_code == 302 and response.url == reverse("printout_verify", args=[printout.code])

    def test_lookups_are_limited_per_address(self, client, settings, county_user, finished_class):  # noqa: F811
        settings.VERIFY_LOOKUPS_PER_ADDRESS = 3
        printout = printout_record(actor=county_user, kind=Printout.Kind.FORM1, training_class=finished_class)
        url = reverse("printout_verify", args=[printout.code])
        assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
        response = client.get(url)
        assert response.status_code == 429 and "查询过于频繁" in response.content.decode()
        assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200, "another address is counted apart"

    def test_codes_are_twelve_unambiguous_characters(self):
        drawn = {codes.new_code() for _ in range(500)}
        assert len(drawn) == 500
        assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{12}", code) for code in drawn)
        assert codes.normalise_code(" abcd-efgh-jkmn ") == "ABCDEFGHJKMN"
        assert codes.normalise_code("ABCD-EFGH-JKMU") is None, "U is not in the alphabet"

