"""End to end in Debian's Chromium (policy §8.2): an institution submits a class; the county sees a trainee who is
also on an overlapping class of another county and a phone shared by three trainees, and returns the class; the
institution removes the trainee and resubmits; the county decides on the one trainee the lists do not bear out
and approves; the class can start. Screenshots of both pages at 1366 and 390 px."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from classes.models import Enrollment, TrainingClass
from conftest import approve_opening, browser_log_in, enroll, make_class
from supervision import teachers
from supervision.models import OpeningReview
from xingan_training.personal_data import phone_digest

from .opening_helpers import PDF, import_list, office_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def open_as(browser, live_server, username, *, width=1366):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900 if width > 500 else 844})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    browser_log_in(page, live_server.url, username)
    page.wait_for_url(live_server.url + "/")
    return page


def fits_a_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_submit_return_fix_resubmit_approve(browser, live_server, tmp_path, settings, institution_user, county_user,
                                            league_user, institution, other_institution, occupation):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    training_class = make_class(institution, occupation, batch_number="XA152201-2026-401",
                                start_date=today + timedelta(days=10), end_date=today + timedelta(days=24))
    first, second, third, fourth, fifth = enroll(training_class, 5)
    Enrollment.objects.filter(pk__in=[first.pk, second.pk, third.pk]).update(
        phone="13904821234", phone_digest=phone_digest("13904821234")
    )
    elsewhere = make_class(other_institution, occupation, batch_number="XA152224-2026-409",
                           start_date=today + timedelta(days=20), end_date=today + timedelta(days=34))
    approve_opening(elsewhere)
    Enrollment.objects.create(training_class=elsewhere, trainee=first.trainee, roster_name=first.roster_name, phone="13904829999")
    teacher = teachers.teacher_confirm(actor=league_user, teacher=teachers.teacher_propose(
        actor=institution_user, name="白玉兰", id_number="152201198001010023", occupations=[occupation],
        employment_type="full_time", qualification="skill_level_certificate", certificate_number="S1", employer="本校"))
    teachers.class_teachers_assign(actor=institution_user, training_class=training_class, teachers=[teacher])
    import_list(league_user, "rural_migrants", [(item.trainee.name, item.trainee.id_number) for item in (second, third, fourth)],
                source="兴安盟农牧局")
    plan, assessment = tmp_path / "教学计划.pdf", tmp_path / "考核方案.docx"
    plan.write_bytes(PDF)
    assessment.write_bytes(office_bytes("docx"))

    # The institution attaches its plans and submits.
    school = open_as(browser, live_server, "institution")
    school.get_by_role("button", name="培训监管").click()
    school.get_by_role("link", name="开班审核").first.click()
    school.get_by_role("link", name="开班材料").click()
    assert "还不能提交" in school.content()
    school.get_by_label("材料类型").select_option(label="教学计划")
    school.get_by_label("文件").set_input_files(str(plan))
    school.get_by_role("button", name="上传", exact=True).click()
    assert "已上传教学计划：教学计划.pdf" in school.content()
    school.get_by_label("材料类型").select_option(label="考核（鉴定）方案")
    school.get_by_label("文件").set_input_files(str(assessment))
    school.get_by_role("button", name="上传", exact=True).click()
    shot(school, "opening-institution-submission-1366")
    school_phone = open_as(browser, live_server, "institution", width=390)
    school_phone.goto(live_server.url + reverse("supervision:opening_class", args=[training_class.pk]))
    assert fits_a_phone(school_phone)
    shot(school_phone, "opening-institution-submission-390")
    school.get_by_label("说明（可选）").fill("本期学员来自周边嘎查村")
    school.get_by_role("button", name="提交审核").click()
    assert "已提交开班审核" in school.content()

    # The county sees the overlap with 突泉县's class and the shared phone, and returns the class.
    county = open_as(browser, live_server, "county")
    county.get_by_role("button", name="培训监管").click()
    county.get_by_role("link", name="开班审核").first.click()
    county.get_by_role("link", name="审核", exact=True).click()
    assert "XA152224-2026-409" in county.locator("#trainee-checks").inner_text()
    assert other_institution.name in county.locator("#trainee-checks").inner_text()
    shared = county.locator("#shared-phones").inner_text()
    assert "139****1234" in shared and "共 3 人" in shared
    assert first.trainee.id_number not in county.content()
    county.get_by_role("link", name="全部学员").click()
    shot(county, "opening-county-review-1366")
    county_phone = open_as(browser, live_server, "county", width=390)
    county_phone.goto(live_server.url + reverse("supervision:opening_review", args=[training_class.pk]))
    assert fits_a_phone(county_phone)
    shot(county_phone, "opening-county-review-390")
    county.get_by_label("退回原因").fill(f"学员{first.roster_name}同时参加其他旗县培训班（日期重叠），请核实后移除。")
    county.get_by_role("button", name="退回机构修改").click()
    assert "机构可见退回原因" in county.content()

    # The institution reads the reason, removes the trainee and resubmits; it never sees the other class.
    school.reload()
    assert f"学员{first.roster_name}同时参加其他旗县培训班" in school.locator("#return-reason").inner_text()
    assert "XA152224-2026-409" not in school.content() and other_institution.name not in school.content()
    school.get_by_role("link", name="查看花名册").click()
    school.locator("#roster-table tr", has_text=first.roster_name).get_by_role("link", name="移除").click()
    school.get_by_role("button", name="确认移除").click()
    school.goto(live_server.url + reverse("supervision:opening_class", args=[training_class.pk]))
    school.get_by_role("button", name="重新提交").click()
    assert "已提交开班审核" in school.content()

    # The county: no overlap, no shared phone now; one trainee is not on the lists and needs a decision.
    county.reload()
    assert county.locator("#shared-phones").count() == 0
    assert "XA152224-2026-409" not in county.locator("#trainee-checks").inner_text()
    assert "暂不能核准" in county.locator("#review-actions").inner_text()
    row = county.locator(f"#trainee-{fifth.pk}")
    row.get_by_label("予以认可").check()
    row.get_by_label(f"{fifth.roster_name} 的理由").fill("经嘎查村委会证明，属农村牧区转移就业劳动者")
    row.get_by_role("button", name="保存").click()
    assert "已记录对" in county.content()
    county.get_by_role("button", name="核准开班").click()
    assert "已核准 XA152201-2026-401 开班" in county.content()
    review = OpeningReview.objects.get(training_class=training_class)
    assert review.status == OpeningReview.Status.APPROVED and review.round == 2 and review.decided_by == county_user

    # The class can now start.
    school.goto(live_server.url + reverse("classes:class_detail", args=[training_class.pk]))
    school.get_by_role("button", name="开班", exact=True).click()
    assert TrainingClass.objects.get(pk=training_class.pk).status == TrainingClass.Status.IN_TRAINING


def test_league_imports_a_list_and_a_change_request_is_approved(browser, live_server, tmp_path, settings, institution_user,
                                                                county_user, league_user, institution, occupation):
    from classes.demo_data import roster_workbook_bytes

    from .opening_helpers import list_workbook

    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    training_class = make_class(institution, occupation, batch_number="XA152201-2026-402",
                                start_date=today + timedelta(days=10), end_date=today + timedelta(days=24))
    people = enroll(training_class, 4)
    approve_opening(training_class)

    # League staff import a list; a bad row refuses the whole file with the row's error, the fixed file goes in.
    rows = [(item.trainee.name, item.trainee.id_number) for item in people]
    bad, good = tmp_path / "失业人员-有误.xlsx", tmp_path / "失业人员.xlsx"
    bad.write_bytes(list_workbook(rows + [("王五", "152201199001011235")]))
    good.write_bytes(list_workbook(rows))
    league = open_as(browser, live_server, "league")
    league.get_by_role("button", name="培训监管").click()
    league.get_by_role("link", name="部门名单").first.click()
    league.get_by_role("link", name="导入名单").click()
    league.get_by_label("名单类别").select_option(label="城镇登记失业人员")
    league.get_by_label("提供部门").fill("乌兰浩特市公共就业服务中心")
    league.get_by_label("名单日期").fill(f"{today:%Y-%m-%d}")
    league.get_by_label("名单文件（.xlsx）").set_input_files(str(bad))
    league.get_by_role("button", name="导入").click()
    assert "身份证号校验位错误" in league.locator("#row-errors").inner_text()
    shot(league, "department-list-import-errors-1366")
    league.get_by_label("名单文件（.xlsx）").set_input_files(str(good))
    league.get_by_role("button", name="导入").click()
    assert "已导入城镇登记失业人员名单 4 人" in league.content()
    assert people[0].trainee.masked_id_number in league.content() and people[0].trainee.id_number not in league.content()
    league.get_by_role("button", name="培训监管").click()
    league.get_by_role("link", name="部门名单").first.click()
    shot(league, "department-lists-1366")

    # After approval the institution asks for a change; the county approves it; both values show.
    school = open_as(browser, live_server, "institution")
    school.goto(live_server.url + reverse("classes:class_detail", args=[training_class.pk]))
    school.get_by_role("link", name="备案信息与变更").click()
    school.get_by_role("link", name="申请备案变更").click()
    school.get_by_label("培训地点").fill("乌兰浩特市职教中心二号实训楼")
    school.get_by_label(people[3].roster_name).check()
    added = tmp_path / "补录.xlsx"
    added.write_bytes(roster_workbook_bytes([["乌云", "女", make_id(), "13904825555", "城镇登记失业人员"]]))
    school.get_by_label("增加学员（名册 .xlsx）").set_input_files(str(added))
    school.get_by_label("变更理由").fill("一名学员外出务工退出，补录一人；原场地检修")
    school.get_by_role("button", name="提交申请").click()
    assert "已提交备案变更申请" in school.content()

    county = open_as(browser, live_server, "county")
    county.goto(school.url)
    assert "拟增加" in county.locator("#change-checks").inner_text()
    shot(county, "change-request-county-1366")
    county_phone = open_as(browser, live_server, "county", width=390)
    county_phone.goto(school.url)
    assert fits_a_phone(county_phone)
    shot(county_phone, "change-request-county-390")
    county.get_by_role("button", name="核准变更").click()
    assert "已核准备案变更" in county.content()
    county.get_by_role("link", name="返回备案信息与变更").click()
    registered = county.locator("#registered-values").inner_text()
    assert "培训基地" in registered and "乌兰浩特市职教中心二号实训楼" in registered and "已变更" in registered
    shot(county, "change-list-1366")
    assert TrainingClass.objects.get(pk=training_class.pk).enrollments.count() == 4


def make_id():
    import random

    from classes.demo_data import make_resident_id

    return make_resident_id(random.Random(402), area_code="152201", gender="female")
