"""Supervision's state changes enter the audit chain: signal dismissals, red/black list decisions and the
catalogue, with who decided and the reason; a refused step writes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent
from supervision import fraud_signals
from supervision.models import FraudSignal
from supervision.tests.test_performance import decide, evaluate, year_class
from supervision.tests.test_signals import phone_class, recompute  # noqa: F401 (phone_class is a fixture)
from xingan_training.errors import ServiceError

pytestmark = pytest.mark.django_db


def audited(action):
    return list(AuditEvent.objects.filter(action=action).order_by("sequence").values_list("username", "object_type",
                                                                                          "detail"))


def test_a_signal_dismissal_is_audited_with_its_reason(phone_class, county_user, other_county_user):  # noqa: F811
    recompute(phone_class)
    signal = FraudSignal.objects.get()
    with pytest.raises(ServiceError):
        fraud_signals.fraud_signal_dismiss(actor=other_county_user, signal=signal, reason="越权")
    fraud_signals.fraud_signal_dismiss(actor=county_user, signal=signal, reason="一家人共用电话，已电话核实")

    [(username, object_type, detail)] = audited(AuditEvent.Action.SIGNAL_DISMISSED)
    assert (username, object_type) == ("county", "supervision.FraudSignal")
    assert detail == f"核销疑点：{signal.get_kind_display()}：待核实 → 已核销；说明：一家人共用电话，已电话核实"


def test_a_black_list_decision_and_the_catalogue_removal_are_audited(institution, occupation, league_user):
    year_class(institution, occupation, 1)
    decision = decide(league_user, evaluate(league_user, institution, value="poor"), "black",
                      reason="虚报参训人数，查证属实")

    entries = audited(AuditEvent.Action.LIST_DECISION)
    assert [(username, object_type) for username, object_type, _ in entries] == [
        ("league", "supervision.ListDecision"), ("league", "classes.Institution"),
    ]
    assert entries[0][2] == f"{decision.evaluation.year}年度名单决定：黑名单；说明：虚报参训人数，查证属实"
    assert entries[1][2].startswith("目录状态变更：在目录内 → 已退出目录")
    output = StringIO()
    call_command("audit_verify", stdout=output)
    assert "校验通过" in output.getvalue()
