"""Every step of the county → league chain leaves an audit record in the hash chain: who, which class, from which
status to which, and the reason given."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent
from evaluations import services
from evaluations.tests.conftest import add_forms, self_assess, verify

pytestmark = pytest.mark.django_db


def chain_details(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("sequence").values_list("username", "detail"))


def test_each_review_step_is_audited_with_its_statuses_and_reason(finished_class, institution_user, county_user,
                                                                  league_user):
    from evaluations.tests.conftest import complete_followups

    add_forms(finished_class, ["excellent"] * 10)
    self_assess(institution_user, finished_class)
    verify(county_user, finished_class)
    complete_followups(finished_class, county_user)
    services.review_forward(actor=county_user, training_class=finished_class)
    services.review_return(actor=league_user, training_class=finished_class, reason="附表2份数与花名册不符")
    verify(county_user, finished_class)
    services.review_forward(actor=county_user, training_class=finished_class)
    services.review_approve(actor=league_user, training_class=finished_class)
    services.review_reopen(actor=league_user, training_class=finished_class, reason="纪检线索，重新复核")

    steps = chain_details(action=AuditEvent.Action.EVALUATION_REVIEW, object_id=str(finished_class.pk))
    assert [username for username, _ in steps] == ["institution", "county", "county", "league", "county", "county",
                                                   "league", "league"]
    assert steps[0][1] == "机构提交自评：待机构自评 → 待旗县评价核实"
    assert steps[3][1] == "盟级退回：已上报，待盟级复核 → 盟级退回，待旗县修改；说明：附表2份数与花名册不符"
    assert steps[6][1].endswith("→ 盟级复核通过")
    assert steps[7][1].endswith("说明：纪检线索，重新复核")
    followup_steps = chain_details(action=AuditEvent.Action.FOLLOWUP)
    assert followup_steps[0][1].startswith("抽取回访样本") and len(followup_steps) == 1 + 2
    output = StringIO()
    call_command("audit_verify", stdout=output)
    assert "校验通过" in output.getvalue()


def test_consequences_are_audited(finished_class, county_user):
    notice = services.rectification_issue(actor=county_user, training_class=finished_class, requirements="补齐签到表",
                                          deadline=timezone.localdate() + timedelta(days=10))
    services.rectification_close(actor=county_user, notice=notice, evidence="已补齐，现场核实")
    investigation = services.investigation_open(actor=county_user, training_class=finished_class)
    services.investigation_conclude(actor=county_user, investigation=investigation, is_confirmed=False, findings="",
                                    reason="举报不实")

    assert chain_details(action=AuditEvent.Action.RECTIFICATION) == [
        ("county", f"{notice.number} 下达整改通知书：— → 整改中"),
        ("county", f"{notice.number} 销号：整改中 → 已整改；说明：已补齐，现场核实"),
    ]
    assert [detail for _, detail in chain_details(action=AuditEvent.Action.INVESTIGATION)] == [
        "立案核查：— → 核查中", "核查结论：核查中 → 情况不属实；说明：举报不实",
    ]


def test_a_refused_step_leaves_no_audit_record(finished_class, county_user, league_user):
    from xingan_training.errors import ServiceError

    with pytest.raises(ServiceError):
        services.review_approve(actor=league_user, training_class=finished_class)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EVALUATION_REVIEW).exists()
