"""Who works where in the demo: fixed, realistic Chinese and Mongolian names, so that every signature, history
line and call record names a person (never "经办人" or "教务负责人")."""

from dataclasses import dataclass

LEAGUE_OFFICE = "盟人力资源和就业服务中心"
LEAGUE_REVIEWER = "张丽华"
ADMIN_NAME = "盟人社局信息科 韩磊"
# The league-wide auditor (纪检监察/审计): the discipline inspection group stationed at the league's bureau.
AUDITOR_OFFICE = "盟纪委监委驻盟人社局纪检监察组"
AUDITOR_NAME = "周建平"


@dataclass(frozen=True)
class CountyPeople:
    officer: str  # evaluates and verifies 附表1, runs 整改 and 核查: the staff account county-<code>
    head: str  # deputy director who signs the verification (附表1 负责人)
    caller: str = ""  # phones the sample and enters paper forms: the demo login of the county, where there is one


COUNTY_PEOPLE = {
    "152201": CountyPeople(officer="李明", head="高志刚", caller="王晓燕"),
    "152202": CountyPeople(officer="张海龙", head="陈国华"),
    "152221": CountyPeople(officer="包金花", head="白音仓"),
    "152222": CountyPeople(officer="巴特尔", head="乌云其木格"),
    "152223": CountyPeople(officer="赵丽娟", head="那顺"),
    "152224": CountyPeople(officer="王淑芬", head="于国庆", caller="刘建军"),
}

# The teaching director of each institution, in the order the demo creates them; signs the self-evaluation.
INSTITUTION_STAFF = (
    "韩雪梅", "刘志强", "宝力德", "周桂芝", "孙海燕", "乌日娜", "杨建华", "郭秀兰", "额尔德木图", "马丽娟",
    "吴晓东", "其其格", "徐春梅", "何振宇", "图雅", "董玉霞", "胡长青", "斯琴", "冯立新", "唐晓红",
)
# The demo logins of the two demo institutions keep their school's employment tracking file.
INSTITUTION_LOGIN_NAMES = {"institution": "赵玉梅", "institution2": "孙立军"}


def county_office(county_name: str) -> str:
    return f"{county_name}人社局"


def with_office(office: str, person: str) -> str:
    """A user's display name: the office, then the person (first_name holds both)."""
    return f"{office} {person}"


def person_of(display_name: str) -> str:
    """The person's name of a display name made by ``with_office``: what he or she signs."""
    return display_name.rsplit(" ", 1)[-1]
