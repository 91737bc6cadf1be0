"""Deterministic generators of realistic demo identities (valid check digits, league area codes).

Used by ``seed_demo``, the benchmarks and the tests; never by the portal's own request paths.
"""

import random
from datetime import date, timedelta

from stdnum.cn import ric, uscc

# GB/T 2260 codes of 兴安盟's six county-level units.
LEAGUE_AREA_CODES = ("152201", "152202", "152221", "152222", "152223", "152224")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕包白乌宝那其特"
GIVEN_NAME_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志国建文斌宏宇鹏飞雪梅海龙金花巴图苏日娜格日乐"
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "156", "157", "158", "159", "176", "177", "180", "181", "185", "186", "187", "188", "189")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_resident_id(rng: random.Random, *, area_code: str | None = None, gender: str | None = None,
                     born_between: tuple[date, date] = (date(1966, 1, 1), date(2006, 12, 31))) -> str:
    area = area_code or rng.choice(LEAGUE_AREA_CODES)
    start, end = born_between
    birth = start + timedelta(days=rng.randrange((end - start).days + 1))
    sequence = rng.randrange(0, 500) * 2 + (1 if gender == "male" else 0 if gender == "female" else rng.randrange(2))
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def make_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_NAME_CHARS) for _ in range(rng.choice((1, 2))))


def make_credit_code(rng: random.Random, *, area_code: str) -> str:
    # 5 = registered by civil affairs, 2 = private non-enterprise unit (民办非企业单位): most training schools.
    body = f"52{area_code}" + "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body + "0")


ROSTER_HEADERS = ["姓名", "性别", "身份证号", "联系电话", "人员类别"]


def make_roster_rows(rng: random.Random, count: int, *, area_code: str = "152201",
                     category: str = "农村牧区转移就业劳动者") -> list[list[str]]:
    """Rows of a valid roster workbook, in the template's column order."""
    rows = []
    for _ in range(count):
        gender = rng.choice(("male", "female"))
        rows.append([make_name(rng), "男" if gender == "male" else "女",
                     make_resident_id(rng, area_code=area_code, gender=gender), make_mobile(rng), category])
    return rows


def roster_workbook_bytes(rows: list[list[object]], *, headers: list[str] | None = None) -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or ROSTER_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
