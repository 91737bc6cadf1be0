"""Every 整改通知书 issued before the ledger existed becomes its ledger item, with nothing lost: status, deadline,
problems, requirements (as the measures), the institution's reports (as evidence), the county's closing evidence,
who closed it and when, and the notice's history.

A notice from before its history was kept (no RectificationEvent rows) gets the steps its own fields record.
Idempotent: a notice that already has its item is skipped. The reverse removes the items of notices only.
"""

from django.db import migrations

CLASS_EVALUATION = "class_evaluation"
ISSUE, REPORT, CLOSE = "下达整改通知书", "报送整改情况", "销号"


def _recorded_steps(notice, events):
    """The notice's steps as (action, from, to, actor id, text, when): its events, or what its fields say."""
    if events:
        return [(e.action, e.from_status, e.to_status, e.actor_id, e.text, e.created_at) for e in events]
    steps = [(ISSUE, "", "open", notice.issued_by_id, "", notice.issued_at)]
    if notice.reported_at is not None:
        steps.append((REPORT, "open", "submitted", notice.reported_by_id, notice.report, notice.reported_at))
    if notice.status == "closed":
        from_status = "submitted" if notice.reported_at is not None else "open"
        steps.append((CLOSE, from_status, "closed", notice.closed_by_id, notice.evidence, notice.closed_at))
    return steps


def items_from_notices(apps, schema_editor):
    Notice = apps.get_model("evaluations", "RectificationNotice")
    NoticeEvent = apps.get_model("evaluations", "RectificationEvent")
    Item = apps.get_model("supervision", "RectificationItem")
    ItemEvent = apps.get_model("supervision", "RectificationItemEvent")
    Evidence = apps.get_model("supervision", "RectificationEvidence")
    done = set(Item.objects.filter(notice__isnull=False).values_list("notice_id", flat=True))
    for notice in Notice.objects.select_related("training_class").order_by("pk").iterator():
        if notice.pk in done:
            continue
        item = Item.objects.create(
            source=CLASS_EVALUATION,
            notice=notice,
            institution_id=notice.training_class.institution_id,
            training_class_id=notice.training_class_id,
            # An early notice could leave the problems to the grade; the document itself still states them.
            problem=notice.problems or "见整改通知书",
            measures=notice.requirements,
            deadline=notice.deadline,
            found_on=notice.issued_on,
            raising_region_id=notice.county_id,
            raising_office=notice.issuing_office,
            raised_by_id=notice.issued_by_id,
            raised_at=notice.issued_at,
            status=notice.status,
            return_reason=notice.return_reason,
            closing_note=notice.evidence,
            closed_by_id=notice.closed_by_id,
            closed_at=notice.closed_at,
        )
        steps = _recorded_steps(notice, list(NoticeEvent.objects.filter(notice=notice).order_by("created_at", "id")))
        ItemEvent.objects.bulk_create([
            ItemEvent(item=item, action=action, from_status=from_status, to_status=to_status, actor_id=actor_id,
                      text=text, created_at=when)
            for action, from_status, to_status, actor_id, text, when in steps
        ])
        Evidence.objects.bulk_create([
            Evidence(item=item, text=text, submitted_by_id=actor_id, submitted_at=when)
            for action, _from, _to, actor_id, text, when in steps
            if action == REPORT
        ])


def remove_notice_items(apps, schema_editor):
    Item = apps.get_model("supervision", "RectificationItem")
    Item.objects.filter(notice__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_rectification_ledger"),
        ("evaluations", "0003_review_unqualified_reason"),
    ]

    operations = [migrations.RunPython(items_from_notices, remove_notice_items)]
