"""Every official PDF with a verification stamp leaves an audit record: who printed which document, from where."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from reports.models import Printout

pytestmark = pytest.mark.django_db


def test_printing_form1_is_audited_with_the_printout_and_address(login, county_user, training_class):
    response = login(county_user).get(reverse("reports:form1", args=[training_class.pk]), REMOTE_ADDR="10.8.0.7")

    assert response["Content-Type"] == "application/pdf"
    printout = Printout.objects.get()
    event = AuditEvent.objects.get(action=AuditEvent.Action.PRINT_DOCUMENT)
    assert (event.username, event.ip_address, event.object_type, event.object_id) == (
        "county", "10.8.0.7", "reports.Printout", str(printout.pk))
    assert event.detail.startswith(printout.get_kind_display()) and event.detail.endswith(printout.code)


def test_a_refused_print_leaves_no_record(login, other_county_user, training_class):
    response = login(other_county_user).get(reverse("reports:form1", args=[training_class.pk]))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PRINT_DOCUMENT).exists()
