"""The rectification ledger in Chromium: the county records an on-site inspection finding, the institution reports
with a scanned file, the county sends it back, the institution reports again, the county closes it; the landing page,
the overdue row, a phone-width page and the county's printable list are looked at as screenshots."""

import io
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from conftest import make_class
from evaluations.tests.test_browser_chain import SCREENSHOTS, open_as, shot
from supervision import rectification as services
from supervision.models import RectificationItem, RectificationSource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scanned_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_an_inspection_finding_goes_from_raised_to_closed_with_evidence(
    browser, live_server, settings, tmp_path, county_user, institution_user, league_user, institution, occupation
):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    training_class = make_class(institution, occupation, batch_number="XA152201-2026-080", status="in_training",
                                start_date=today - timedelta(days=3), end_date=today + timedelta(days=10))
    # An older finding of the league, already overdue, so the list and the landing page show one.
    audit = services.rectification_item_raise(
        actor=league_user, institution=institution, source=RectificationSource.AUDIT,
        problem="审计发现2025年度两个班次的学员签到表与考勤机记录不一致，涉及补贴资金3.2万元。",
        measures="逐一核对签到记录和考勤数据，说明差异原因；不能说明的退回补贴资金。", deadline=today + timedelta(days=5),
        responsible_name="王建华", responsible_position="校长", source_reference="兴审报〔2026〕12号",
    )
    RectificationItem.objects.filter(pk=audit.pk).update(deadline=today - timedelta(days=4))

    county = open_as(browser, live_server, "county")
    assert "未销号的整改事项（其中已逾期 1 项）" in county.locator("#todo").inner_text()
    shot(county, "rectification-home-county-1366")
    county.get_by_role("button", name="培训监管").click()
    county.get_by_role("link", name="整改清单").first.click()
    county.get_by_role("link", name="登记整改事项").click()
    county.get_by_label("培训机构", exact=True).select_option(label=institution.name)
    county.get_by_label("培训班审核（备案）班期（选填）").fill(training_class.batch_number)
    county.get_by_label("问题来源").select_option(label="现场检查发现")
    county.get_by_label("来源说明（选填，培训机构不可见）").fill("现场检查记录 2026-第17号")
    county.get_by_label("存在问题").fill("现场检查时实际到课学员18人，花名册登记30人，缺课学员未办理请假手续。")
    county.get_by_label("整改措施").fill("核实12名缺课学员情况并补办请假手续；缺课超过规定的学员不计入补贴人数；完善每日考勤。")
    county.get_by_label("整改期限").fill((today + timedelta(days=20)).isoformat())
    county.get_by_label("责任人姓名").fill("李明")
    county.get_by_label("责任人职务").fill("教学主任")
    shot(county, "rectification-raise-1366")
    county.get_by_role("button", name="列入整改清单").click()
    assert county.locator("#item-status").inner_text() == "整改中"
    item = RectificationItem.objects.get(source=RectificationSource.ON_SITE_INSPECTION)
    detail = live_server.url + reverse("supervision:rectification_detail", args=[item.pk])

    school = open_as(browser, live_server, "institution")
    school.goto(detail)
    assert "现场检查记录" not in school.content()  # the bureau's reference stays with the bureau
    school.get_by_label("整改情况（必填）").fill("已联系12名缺课学员，补办请假手续9人。")
    school.locator("#evidence-form input[type=file]").set_input_files(
        [{"name": "请假条.pdf", "mimeType": "application/pdf", "buffer": scanned_pdf()}]
    )
    school.get_by_role("button", name="报送整改情况").click()
    assert school.locator("#item-status").inner_text() == "待销号"
    assert "请假条.pdf" in school.locator("#item-evidence").inner_text()

    county.goto(detail)
    pdf = county.request.get(live_server.url + reverse("supervision:rectification_attachment",
                                                       args=[item.evidence_submissions.get().attachments.get().pk]))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    county.get_by_label("退回原因").fill("未说明其余3名学员的处理情况。")
    county.get_by_role("button", name="退回培训机构").click()
    assert county.locator("#item-status").inner_text() == "整改中"

    school.reload()
    assert "未说明其余3名学员的处理情况" in school.locator("#item-return-reason").inner_text()
    school.get_by_label("整改情况（必填）").fill("其余3名学员缺课超过规定，已从补贴申领名单中删除。")
    school.get_by_role("button", name="报送整改情况").click()
    assert school.locator("#item-status").inner_text() == "待销号"
    school.set_viewport_size({"width": 390, "height": 844})
    assert school.evaluate("document.documentElement.scrollWidth") <= 390
    shot(school, "rectification-detail-institution-390")

    county.reload()
    county.get_by_label("销号意见（整改情况及核实佐证）").fill("核对请假条、考勤和补贴申领名单，整改到位。")
    county.get_by_role("button", name="销号").click()
    assert county.locator("#item-status").inner_text() == "已整改"
    shot(county, "rectification-detail-closed-1366")
    item.refresh_from_db()
    assert item.status == "closed" and [event.action for event in item.events.all()] == [
        "登记整改事项", "报送整改情况", "退回整改情况", "报送整改情况", "销号",
    ]

    county.goto(live_server.url + reverse("supervision:rectification_list"))
    assert county.locator("tr.ledger-overdue").count() == 1
    assert "逾期 4 天" in county.locator("tr.ledger-overdue").inner_text()
    shot(county, "rectification-list-1366")
    county.set_viewport_size({"width": 390, "height": 844})
    assert county.evaluate("document.documentElement.scrollWidth") <= 390
    shot(county, "rectification-list-390")

    printed = county.request.get(live_server.url + reverse("reports:rectification_open_items"))
    assert printed.headers["content-type"] == "application/pdf"
    (tmp_path / "list.pdf").write_bytes(printed.body())
    SCREENSHOTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(tmp_path / "list.pdf"),
                    str(SCREENSHOTS / "rectification-county-list")], check=True)
