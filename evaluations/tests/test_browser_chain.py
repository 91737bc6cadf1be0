"""A class walks the whole review chain in Chromium: phone form, 附表1, county, league return and approval."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from classes.models import TrainingClass
from conftest import browser_log_in, enroll, make_class
from evaluations.models import ClassReview, TraineeEvaluation

from .conftest import complete_followups, trainee_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def open_as(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    browser_log_in(page, live_server.url, username)
    page.wait_for_url(live_server.url + "/")
    return page


def choose_all(page, label):
    for radio in page.locator("table.rating-table tr").all()[1:]:
        radio.get_by_label(label, exact=True).check()


def test_a_class_walks_the_whole_chain(
    browser, live_server, settings, institution_user, county_user, league_user, institution, occupation
):
    settings.EVALUATION_GRACE_DAYS = 3
    today = timezone.localdate()
    training_class = make_class(
        institution, occupation, batch_number="XA152201-2026-070", status=TrainingClass.Status.IN_TRAINING,
        start_date=today - timedelta(days=10), end_date=today - timedelta(days=1),
    )
    first, *others = enroll(training_class, 5)
    for enrollment in others:
        TraineeEvaluation.objects.create(enrollment=enrollment, source="paper", **trainee_answers(training_class))

    # The county prints the QR code; a trainee fills 附表2 on a phone.
    county = open_as(browser, live_server, "county")
    county.goto(live_server.url + reverse("evaluations:class_evaluation", args=[training_class.pk]))
    county.get_by_role("button", name="生成评价链接和二维码").click()
    link = county.locator("#trainee-link").inner_text()

    phone_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(link)
    phone.get_by_label("姓名").fill(first.trainee.name)
    phone.get_by_label("身份证号").fill(first.trainee.id_number)
    for item in phone.locator(".rating").all():
        item.locator("label").first.click()
    phone.get_by_label("3、参加培训的课时（天数）").fill("60")
    phone.get_by_label("本人确认以上内容真实").check()
    shot(phone, "phone-trainee-form")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="确认提交").click()
    assert "提交成功" in phone.locator("h1").inner_text()
    phone_context.close()
    assert TraineeEvaluation.objects.filter(enrollment=first, source="online").exists()

    # The institution self-evaluates on 附表1 and closes the class.
    school = open_as(browser, live_server, "institution")
    school.goto(live_server.url + reverse("evaluations:class_evaluation", args=[training_class.pk]))
    school.get_by_role("link", name="填写机构自评").click()
    choose_all(school, "优")
    school.get_by_label("评价人签字").fill("赵老师")
    school.get_by_role("button", name="提交").click()
    shot(school, "institution-self-assessment")
    assert "自评已提交" in school.content()
    school.goto(live_server.url + reverse("classes:class_detail", args=[training_class.pk]))
    school.get_by_role("button", name="结业").click()
    assert "培训班已结业" in school.content()

    # The county phones its 20% (the follow-up flow has its own browser test), evaluates, verifies, forwards.
    complete_followups(training_class, county_user)
    def county_verifies(passing):
        county.goto(live_server.url + reverse("evaluations:class_evaluation", args=[training_class.pk]))
        county.get_by_role("link", name="评价核实", exact=True).click()
        choose_all(county, "良")
        county.get_by_label("评价人签字").fill("李科员")
        county.get_by_label("合格", exact=True).check()
        county.get_by_label("初审培训合格学员（人）").fill(str(passing))
        county.get_by_label("负责人（签字）").fill("王局长")
        county.get_by_role("button", name="提交").click()
        shot(county, "county-verification")
        assert "评价核实已保存" in county.content()
        county.get_by_role("button", name="上报盟级复核").click()
        assert "已上报盟人力资源和就业服务中心复核" in county.content()

    county_verifies(5)

    # The league returns it with a reason; the county sees it, corrects and forwards again.
    league = open_as(browser, live_server, "league")
    league.get_by_role("link", name="待盟级复核", exact=True).click()
    league.get_by_role("link", name=training_class.batch_number).click()
    league.get_by_label("退回原因（必填）").fill("一名学员未参加结业考核，初审合格人数请核实")
    league.get_by_role("button", name="退回旗县修改").click()
    county.goto(live_server.url + reverse("evaluations:class_evaluation", args=[training_class.pk]))
    assert "一名学员未参加结业考核，初审合格人数请核实" in county.locator("#return-reason").inner_text()
    shot(county, "county-returned")
    county_verifies(4)

    league.goto(live_server.url + reverse("evaluations:class_evaluation", args=[training_class.pk]))
    league.get_by_role("button", name="复核通过").click()
    assert "复核通过，记录已锁定" in league.content()
    shot(league, "league-approved")
    assert ClassReview.objects.get(training_class=training_class).status == ClassReview.Status.APPROVED

    # After approval, editing is refused; the 附表1 PDF downloads.
    county.goto(live_server.url + reverse("evaluations:class_evaluation", args=[training_class.pk]))
    assert county.get_by_role("link", name="评价核实", exact=True).count() == 0
    response = county.goto(live_server.url + reverse("evaluations:county_verification", args=[training_class.pk]))
    assert response.status == 404
    pdf = county.request.get(live_server.url + reverse("reports:form1", args=[training_class.pk]))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
