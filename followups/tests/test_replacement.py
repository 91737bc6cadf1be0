"""Policy §5 Decision: 空号 and 拒绝回访 replace the trainee at once; 无人接听, 关机 and 占线 count toward the allowance."""

import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from followups import services
from followups.models import CallAttempt, FollowupItem
from followups.replacement import COUNTS_TOWARD_ATTEMPTS, REPLACES_AT_ONCE, UNREACHABLE, replacement_reason

from .conftest import ended_class


class TestRule:
    @pytest.mark.parametrize("outcome", ["wrong_number", "refused"])
    def test_wrong_number_and_refusal_replace_on_the_first_call(self, outcome):
        assert replacement_reason([outcome], max_failed_attempts=3) == outcome

    def test_no_answer_powered_off_and_busy_replace_when_they_reach_the_allowance(self):
        assert replacement_reason(["no_answer", "busy"], max_failed_attempts=3) is None
        assert replacement_reason(["no_answer", "busy", "powered_off"], max_failed_attempts=3) == UNREACHABLE

    def test_a_call_back_counts_for_nothing_and_a_completed_call_replaces_nobody(self):
        assert replacement_reason(["no_answer", "callback", "busy", "callback"], max_failed_attempts=3) is None
        assert replacement_reason(["no_answer", "busy", "completed"], max_failed_attempts=2) is None

    def test_an_allowance_below_one_is_refused(self):
        with pytest.raises(ValueError):
            replacement_reason(["no_answer"], max_failed_attempts=0)

    def test_the_rule_names_outcomes_the_call_form_offers_with_the_policy_words(self):
        labels = dict(CallAttempt.Outcome.choices)
        assert REPLACES_AT_ONCE | COUNTS_TOWARD_ATTEMPTS <= set(labels)
        assert [labels[value] for value in ("wrong_number", "refused", "no_answer", "powered_off", "busy")] == [
            "空号", "拒绝回访", "无人接听", "关机", "占线",
        ]


class TestCalls:
    @pytest.mark.parametrize("outcome, label", [("wrong_number", "空号"), ("refused", "拒绝回访")])
    def test_one_call_replaces_at_once_and_the_page_and_the_sheet_say_why(self, client, sampled, county_user, outcome, label,
                                                                           tmp_path):
        training_class, sample = sampled
        first = sample.items.get(position=0)
        services.call_attempt_record(actor=county_user, item=first, outcome=outcome)
        first.refresh_from_db()
        assert first.status == FollowupItem.Status.REPLACED and first.replacement_reason == outcome
        assert first.replaced_by.enrollment_id == sample.order[3]
        client.force_login(county_user)
        page = client.get(reverse("followups:class_followups", args=[training_class.pk])).content.decode()
        assert f"原因：{label}；接替学员：{first.replaced_by.enrollment.trainee.name}" in page
        path = tmp_path / "followups.pdf"
        path.write_bytes(client.get(reverse("reports:followups", args=[training_class.pk])).content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert f"未能回访并已替换：{first.enrollment.trainee.name}（{label}）" in text

    def test_two_no_answers_and_a_busy_line_replace_on_the_third(self, client, sampled, county_user, settings):
        settings.FOLLOWUP_MAX_FAILED_ATTEMPTS = 3
        training_class, sample = sampled
        first = sample.items.get(position=0)
        for outcome in ("no_answer", "no_answer"):
            services.call_attempt_record(actor=county_user, item=first, outcome=outcome)
        services.call_attempt_record(actor=county_user, item=first, outcome="callback", callback_at=timezone.now())
        first.refresh_from_db()
        assert first.status == FollowupItem.Status.PENDING, "two counted failures and a call-back leave the trainee on the list"
        services.call_attempt_record(actor=county_user, item=first, outcome="busy")
        first.refresh_from_db()
        assert (first.status, first.replacement_reason) == (FollowupItem.Status.REPLACED, "unreachable")
        assert CallAttempt.objects.filter(item=first).count() == 4, "every attempt is kept"
        client.force_login(county_user)
        page = client.get(reverse("followups:class_followups", args=[training_class.pk])).content.decode()
        assert "原因：多次未接通（无人接听、关机、占线）" in page
        assert "无人接听、无人接听、约定回拨、占线" in page

    def test_the_call_page_tells_the_caller_why_the_trainee_was_replaced(self, client, sampled, county_user):
        _training_class, sample = sampled
        first = sample.items.get(position=0)
        client.force_login(county_user)
        page = client.post(reverse("followups:call", args=[first.pk]), {"outcome": "refused"}, follow=True).content.decode()
        assert "拒绝回访，已按抽取顺序替换为下一名学员。" in page
        page = client.get(reverse("followups:call", args=[first.pk])).content.decode()
        assert "该学员的回访状态：已替换（拒绝回访），不再记录通话。" in page and "已已" not in page

    def test_the_last_of_the_order_is_replaced_by_nobody(self, institution, occupation, county_user):
        training_class = ended_class(institution, occupation, batch="XA152201-2026-560", size=1)
        sample = services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished")
        only = sample.items.get()
        services.call_attempt_record(actor=county_user, item=only, outcome="wrong_number")
        only.refresh_from_db()
        assert only.status == FollowupItem.Status.REPLACED and only.replaced_by is None
