"""What a search box's text means: a resident ID number, a mobile number or (part of) a name. Pure: no Django.

The masked form is the only one that may be stored (audit log) or shown back outside the result page.
"""

import re
from dataclasses import dataclass

from classes.masking import mask_id_number, mask_phone

ID_NUMBER = "id_number"
PHONE = "phone"
NAME = "name"
KIND_LABELS = {ID_NUMBER: "身份证号", PHONE: "手机号", NAME: "姓名"}

_ID = re.compile(r"^[0-9]{17}[0-9X]$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SEPARATORS = re.compile(r"[\s\-]")
MIN_NAME_LENGTH = 2
MAX_LENGTH = 40


class QueryError(ValueError):
    """Text that is no complete ID number, mobile number or name; str() is the Chinese message."""


@dataclass(frozen=True)
class TraineeQuery:
    kind: str
    value: str

    @property
    def is_number(self) -> bool:
        return self.kind in (ID_NUMBER, PHONE)

    @property
    def masked(self) -> str:
        """ID and phone masked as everywhere in the portal; a name keeps its first character."""
        if self.kind == ID_NUMBER:
            return mask_id_number(self.value)
        if self.kind == PHONE:
            return mask_phone(self.value)
        return self.value[:1] + "*" * (len(self.value) - 1)

    @property
    def description(self) -> str:
        return f"{KIND_LABELS[self.kind]} {self.masked}"


def parse_trainee_query(text: str) -> TraineeQuery:
    """A full 18-character ID number, an 11-digit mobile number (+86 allowed) or at least two characters of a
    name. Partial numbers are refused: searching by a few digits would list strangers."""
    raw = (text or "").strip()
    if len(raw) > MAX_LENGTH:
        raise QueryError(f"查询内容过长（最多{MAX_LENGTH}个字符）。")
    compact = _SEPARATORS.sub("", raw).upper()
    compact = compact.removeprefix("+86")
    if compact and (compact[:-1].isdigit() or compact.isdigit()):
        if _ID.match(compact):
            return TraineeQuery(ID_NUMBER, compact)
        if _MOBILE.match(compact):
            return TraineeQuery(PHONE, compact)
        raise QueryError("请输入完整的18位身份证号或11位手机号；不支持按部分号码查询。")
    name = " ".join(raw.split())
    if len(name) < MIN_NAME_LENGTH:
        raise QueryError(f"按姓名查询请至少输入{MIN_NAME_LENGTH}个字。")
    return TraineeQuery(NAME, name)
