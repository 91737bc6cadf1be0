"""Resident ID (GB 11643), unified social credit code (GB 32100), mobile numbers, and masking."""

from datetime import date

import pytest

from classes.identity import (
    IdentifierError,
    check_resident_id_matches,
    clean_person_name,
    normalise_credit_code,
    normalise_mobile,
    parse_resident_id,
)
from classes.masking import mask_id_number, mask_phone

VALID_ID = "152201199001011231"  # male (sequence 123 is odd), born 1990-01-01


def test_a_valid_id_gives_birth_date_and_gender():
    resident = parse_resident_id(VALID_ID)
    assert resident.birth_date == date(1990, 1, 1)
    assert resident.gender == "male"


def test_lowercase_x_check_digit_is_accepted_and_normalised():
    resident = parse_resident_id("15220119850315107x")
    assert resident.number == "15220119850315107X"
    assert resident.gender == "male"


@pytest.mark.parametrize(
    "value, message",
    [
        ("152201199001011232", "校验位错误"),
        ("152201199002301231", "出生日期不存在"),
        ("15220119900101123", "应为18位"),
        ("1522011990010112A1", "只能由数字和末位X组成"),
        ("152201209901011231", "出生日期不合理"),
    ],
)
def test_bad_ids_are_refused_with_a_chinese_reason(value, message):
    with pytest.raises(IdentifierError, match=message):
        parse_resident_id(value, today=date(2026, 11, 23))


def test_declared_gender_and_birth_date_must_agree_with_the_id():
    resident = parse_resident_id(VALID_ID)
    with pytest.raises(IdentifierError, match="性别与身份证号不符"):
        check_resident_id_matches(resident, gender="female")
    with pytest.raises(IdentifierError, match="出生日期与身份证号不符"):
        check_resident_id_matches(resident, gender="male", birth_date=date(1990, 1, 2))
    check_resident_id_matches(resident, gender="male", birth_date=date(1990, 1, 1))


@pytest.mark.parametrize("value", ["13812345678", "+86 138 1234 5678", "86-138-1234-5678"])
def test_mobile_numbers_are_normalised(value):
    assert normalise_mobile(value) == "13812345678"


@pytest.mark.parametrize("value", ["12345678901", "1381234567", "04828888888", "abc", ""])
def test_bad_mobile_numbers_are_refused(value):
    with pytest.raises(IdentifierError, match="手机号码格式不正确"):
        normalise_mobile(value)


def test_credit_code_check_digit():
    assert normalise_credit_code("52152201mj00000018") == "52152201MJ00000018"
    with pytest.raises(IdentifierError, match="校验位错误"):
        normalise_credit_code("52152201MJ00000019")
    with pytest.raises(IdentifierError, match="应为18位"):
        normalise_credit_code("52152201MJ0000001")


def test_masks_keep_only_what_identifies_the_row():
    assert mask_id_number("15220119900101123X") == "152201********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == ""


class TestPersonNames:
    @pytest.mark.parametrize("value", ["\u200b\u200b", " \u3000 ", "\u2062\u200d\ufeff", "\u202e"])
    def test_a_name_of_invisible_characters_is_refused(self, value):
        with pytest.raises(IdentifierError, match="不可见字符"):
            clean_person_name(value)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("王\u200b芳", "王芳"), ("  乌力吉·巴特尔 ", "乌力吉·巴特尔"), ("Ｌｉ　Ｍｉｎｇ", "Li Ming")],
    )
    def test_invisible_characters_are_removed_and_spaces_folded(self, value, expected):
        assert clean_person_name(value) == expected
