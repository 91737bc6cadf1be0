"""The declarative part of an export: what a list's spreadsheet holds, column by column.

A new list is one more ``ListExport``: its rows come from the list page's own selector and filter (so the
export shows what the page shows, scoped by role), its columns say header, value, type, width and masking.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from classes.masking import mask_id_number, mask_phone

# Cell types: how the writer stores a value and which number format Excel shows.
TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"  # money: two decimals
PERCENT = "percent"  # a fraction (0.25), shown as 25.0%
DATE = "date"
DATETIME = "datetime"  # stored in the portal's time zone (Asia/Shanghai), without offset

# Masking rules: personal data is masked unless the list's ``reveals_personal_data`` says the role needs it.
ID_NUMBER = "id_number"
PHONE = "phone"
MASKS: Mapping[str, Callable[[str], str]] = {ID_NUMBER: mask_id_number, PHONE: mask_phone}


def everyone(user) -> bool:
    return True


def nobody(user) -> bool:
    return False


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], object]
    kind: str = TEXT
    width: int = 14
    personal: str = ""  # "", ID_NUMBER or PHONE
    is_shown_to: Callable[[Any], bool] = everyone  # a column the page shows only some roles


@dataclass(frozen=True)
class ListExport:
    """One list's export.

    ``rows(user, params)`` returns the list page's rows for its query parameters (a QueryDict): the page's own
    selector and filter form, so scoping and filters cannot drift apart. A QuerySet is read in chunks.
    ``prepare(user, batch)`` turns one chunk of rows into what the columns read, for figures the page computes
    per page (e.g. contradictions counted for the shown classes); it defaults to the rows themselves.
    ``is_allowed(user)`` refuses (404) whoever the list page refuses.
    ``is_always_audited``: the export is audited even without an ID or phone column (the audit trail itself).
    ``subject(user, params)``: for the list of one object (a class's change requests, a department list's people),
    that object, named in the parameters and found through the user's scope; None answers 404, as its page does.
    """

    key: str
    title: str
    page: str  # URL name of the list page, which the background export's page links back to
    columns: tuple[Column, ...]
    rows: Callable[[Any, Mapping], Iterable]
    is_allowed: Callable[[Any], bool] = everyone
    reveals_personal_data: Callable[[Any], bool] = nobody
    prepare: Callable[[Any, list], Iterable] | None = None
    is_always_audited: bool = False
    subject: Callable[[Any, Mapping], object | None] | None = None

    def columns_for(self, user) -> list[Column]:
        return [column for column in self.columns if column.is_shown_to(user)]

    def has_personal_data(self, user) -> bool:
        return any(column.personal for column in self.columns_for(user))

    def is_audited(self, user) -> bool:
        return self.is_always_audited or self.has_personal_data(user)

    def prepared(self, user, batch: list) -> Iterable:
        return self.prepare(user, batch) if self.prepare else batch



def class_columns(training_class_of: Callable[[Any], Any] = lambda row: row) -> tuple[Column, ...]:
    """The columns that name a class as every class list does (batch, institution, county, occupation, dates);
    ``training_class_of(row)`` finds the class in a row."""
    return (
        Column("审核（备案）班期", lambda row: training_class_of(row).batch_number, width=22),
        Column("培训机构", lambda row: training_class_of(row).institution.name, width=28),
        Column("旗县市", lambda row: training_class_of(row).institution.county.name, width=12),
        Column("培训职业（工种）", lambda row: training_class_of(row).occupation.name, width=18),
        Column("培训开始日期", lambda row: training_class_of(row).start_date, DATE, 12),
        Column("培训结束日期", lambda row: training_class_of(row).end_date, DATE, 12),
    )
