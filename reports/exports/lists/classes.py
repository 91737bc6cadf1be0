"""The class list (培训班) and the institution list (培训机构) as their pages filter them."""

from types import SimpleNamespace

from classes.filters import TrainingClassFilter
from classes.selectors import class_list_for, institution_list_for, institution_list_rows, with_enrolled_counts

from ..columns import DATE, INTEGER, Column, ListExport


def filtered_classes(user, params, base):
    """A class queryset narrowed by the class list's own filter (TrainingClassFilter), as the page does: its
    choices come from the user's scope, and invalid filters give no rows, never the unfiltered list."""
    class_filter = TrainingClassFilter(params, queryset=base, request=SimpleNamespace(user=user))
    return class_filter.qs if class_filter.is_valid() else base.none()


CLASS_LIST = ListExport(
    key="classes",
    title="培训班",
    page="classes:class_list",
    rows=lambda user, params: with_enrolled_counts(filtered_classes(user, params, class_list_for(user))),
    columns=(
        Column("审核（备案）班期", lambda item: item.batch_number, width=22),
        Column("培训职业（工种）", lambda item: item.occupation.name, width=18),
        Column("职业编码", lambda item: item.occupation.code, width=12),
        Column("培训机构", lambda item: item.institution.name, width=28),
        Column("旗县市", lambda item: item.institution.county.name, width=12),
        Column("培训类别", lambda item: item.get_category_display(), width=16),
        Column("培训开始日期", lambda item: item.start_date, DATE, 12),
        Column("培训结束日期", lambda item: item.end_date, DATE, 12),
        Column("培训鉴定结束日期", lambda item: item.assessment_end_date, DATE, 14),
        Column("花名册人数", lambda item: item.enrolled_count, INTEGER, 10),
        Column("备案人数", lambda item: item.registered_headcount, INTEGER, 10),
        Column("培训课时", lambda item: item.class_hours, INTEGER, 10),
        Column("培训地点", lambda item: item.location, width=24),
        Column("状态", lambda item: item.get_status_display(), width=10),
    ),
)



def _institution_rows(user, batch: list) -> list:
    """The chunk's institutions with their class counts, read as the page reads its lines, in the list's order."""
    counted = {item.pk: item for item in institution_list_rows([institution.pk for institution in batch])}
    return [counted[institution.pk] for institution in batch]


INSTITUTION_LIST = ListExport(
    key="institutions",
    title="培训机构",
    page="classes:institution_list",
    rows=lambda user, params: institution_list_for(user, query=params.get("q") or ""),
    prepare=_institution_rows,
    columns=(
        Column("机构名称", lambda item: item.name, width=28),
        Column("旗县市", lambda item: item.county.name, width=12),
        Column("统一社会信用代码", lambda item: item.credit_code, width=20),
        Column("联系人", lambda item: item.contact_person, width=10),
        Column("目录状态", lambda item: item.get_catalogue_status_display(), width=10),
        Column("培训班", lambda item: item.class_count, INTEGER, 8),
    ),
)

EXPORTS = (CLASS_LIST, INSTITUTION_LIST)
