"""Checks of personal and organisational identifiers. Pure: no Django, errors carry Chinese messages.

Resident ID (GB 11643) and unified social credit code (GB 32100) check digits come from python-stdnum,
mobile numbers from phonenumbers.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

MALE = "male"
FEMALE = "female"


class IdentifierError(ValueError):
    """An identifier that fails its format, check digit or consistency rule; str() is the user message."""


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    gender: str  # MALE or FEMALE, from the sequence code's parity (GB 11643 §4.3)


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    number = (value or "").strip().upper().replace(" ", "")
    if len(number) != 18:
        raise IdentifierError("身份证号应为18位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentifierError("身份证号只能由数字和末位X组成")
    try:
        birth_date = ric.get_birth_date(number)
    except (stdnum_errors.ValidationError, ValueError):
        raise IdentifierError("身份证号中的出生日期不存在") from None
    if birth_date > (today or date.today()) or birth_date.year < 1900:
        raise IdentifierError("身份证号中的出生日期不合理")
    if ric.calc_check_digit(number) != number[17]:
        raise IdentifierError("身份证号校验位错误")
    gender = MALE if int(number[16]) % 2 == 1 else FEMALE
    return ResidentId(number=number, birth_date=birth_date, gender=gender)


def check_resident_id_matches(resident_id: ResidentId, *, gender: str, birth_date: date | None = None) -> None:
    if gender and gender != resident_id.gender:
        raise IdentifierError("性别与身份证号不符")
    if birth_date is not None and birth_date != resident_id.birth_date:
        raise IdentifierError("出生日期与身份证号不符")


def normalise_mobile(value: str) -> str:
    """A mainland mobile number as 11 digits; a leading +86 or 86 is accepted and dropped."""
    raw = (value or "").strip().replace(" ", "").replace("-", "")
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise IdentifierError("手机号码格式不正确") from None
    national = str(parsed.national_number)
    if (
        parsed.country_code != 86
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) not in (phonenumbers.PhoneNumberType.MOBILE,)
        or len(national) != 11
    ):
        raise IdentifierError("手机号码格式不正确")
    return national


def normalise_credit_code(value: str) -> str:
    code = (value or "").strip().upper()
    try:
        return uscc.validate(code)
    except stdnum_errors.InvalidLength:
        raise IdentifierError("统一社会信用代码应为18位") from None
    except stdnum_errors.InvalidChecksum:
        raise IdentifierError("统一社会信用代码校验位错误") from None
    except stdnum_errors.ValidationError:
        raise IdentifierError("统一社会信用代码格式不正确") from None


# Unicode categories that print nothing: controls, format characters (zero-width space, joiners, bidi marks),
# separators, unassigned and private-use code points.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}


def clean_person_name(value: str, *, max_length: int = 40) -> str:
    """A person's name as written, with invisible characters removed and spaces folded.

    Refuses a name with nothing visible in it (e.g. only zero-width spaces): such a "name" on a roster or a
    signature line hides who the record is about."""
    text = unicodedata.normalize("NFKC", value or "")
    kept = "".join(" " if unicodedata.category(char) in {"Zs", "Zl", "Zp"} else char for char in text
                   if unicodedata.category(char) not in _INVISIBLE_CATEGORIES - {"Zs", "Zl", "Zp"})
    name = " ".join(kept.split())
    if not name:
        raise IdentifierError("姓名不能为空，也不能只由空格或不可见字符组成")
    if len(name) > max_length:
        raise IdentifierError(f"姓名过长（最多{max_length}个字）")
    return name
