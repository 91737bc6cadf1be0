"""The audit trail as its page shows it. Exporting it is itself audited (ListExport.is_always_audited): who took a
copy of the record of who did what is part of that record."""

from accounts.audit_trail import can_read_audit_trail

from ..columns import DATETIME, Column, ListExport
from ...audit_trail.filters import audit_events_filtered

AUDIT_TRAIL = ListExport(
    key="audit-trail",
    title="审计日志",
    page="reports:audit_trail",
    rows=lambda user, params: audit_events_filtered(user, params)[1],
    is_allowed=can_read_audit_trail,
    is_always_audited=True,
    columns=(
        Column("时间", lambda event: event.created_at, DATETIME, 18),
        Column("事件", lambda event: event.get_action_display(), width=14),
        Column("操作人", lambda event: event.username, width=14),
        Column("IP 地址", lambda event: event.ip_address or "", width=16),
        Column("对象类型", lambda event: event.object_type, width=22),
        Column("对象编号", lambda event: event.object_id, width=10),
        Column("说明", lambda event: event.detail, width=50),
    ),
)

EXPORTS = (AUDIT_TRAIL,)
