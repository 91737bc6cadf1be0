"""A county officer records two failed calls and a completed one, in Chromium, and sees what the answers say."""

from datetime import date

import pytest
from django.urls import reverse

from classes.models import TrainingClass
from conftest import browser_log_in, enroll, make_class
from followups import services
from followups.models import CallAttempt, EmploymentRecord, FollowupItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recording_two_failed_attempts_and_a_completed_call(page, live_server, county_user, institution, occupation):
    training_class = make_class(institution, occupation, batch_number="XA152201-2026-080", status=TrainingClass.Status.FINISHED,
                                start_date=date(2026, 10, 1), end_date=date(2026, 10, 10), assessment_end_date=date(2026, 10, 12))
    enroll(training_class, 5)
    sample = services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished")
    item = sample.items.get()
    page.on("dialog", lambda dialog: dialog.accept())

    browser_log_in(page, live_server.url, "county")
    page.get_by_role("button", name="回访与就业").click()
    page.get_by_role("link", name="电话回访", exact=True).click()
    assert item.enrollment.trainee.name in page.locator("#worklist").inner_text()

    for outcome in ("无人接听", "占线"):
        page.goto(live_server.url + reverse("followups:call", args=[item.pk]))
        assert item.enrollment.phone in page.locator("#phone").inner_text()
        page.get_by_label(outcome).check()
        page.get_by_role("button", name="保存通话记录").click()
        assert "通话记录已保存" in page.content()

    page.goto(live_server.url + reverse("followups:call", args=[item.pk]))
    page.get_by_label("接通完成").check()
    page.get_by_label("1、是否参加了此次培训").select_option(label="是")
    page.get_by_label("2、是否完成了此次培训").select_option(label="否")
    page.get_by_label("3、对培训是否满意").select_option(label="满意")
    page.get_by_label("4、培训后就业状况").select_option(label="灵活就业")
    page.get_by_label("6、月工资收入（元）").fill("3600")
    page.get_by_label("8、意见建议").fill("希望多安排实操")
    page.get_by_role("button", name="保存通话记录").click()
    assert "已达到20%" in page.locator("#coverage").inner_text()
    assert "回访中表示未完成此次培训（无有效附表2可比对）" in page.locator("#followup-findings").inner_text()
    assert "希望多安排实操" in page.locator("#suggestions").inner_text()
    page.screenshot(path="test-artifacts/county-followups.png", full_page=True)

    item.refresh_from_db()
    assert item.status == FollowupItem.Status.COMPLETED
    assert list(item.attempts.values_list("outcome", flat=True)) == [
        CallAttempt.Outcome.NO_ANSWER, CallAttempt.Outcome.BUSY, CallAttempt.Outcome.COMPLETED,
    ]
    assert EmploymentRecord.objects.get(enrollment=item.enrollment).destination == "flexible"
