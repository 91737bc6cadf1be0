"""People at scale: unique, valid resident ID numbers (GB 11643, check digit by python-stdnum), names, phones.

An ID number is a bijection of the person's index: index → (county, birth day, sequence), scattered by a
multiplier coprime to the space, so three million people get three million different valid numbers without a
set of them in memory, and the same seed gives the same people.
"""

import random
from datetime import date, timedelta

from stdnum.cn import ric

from classes.demo_data import GIVEN_NAME_CHARS, LEAGUE_AREA_CODES, MOBILE_PREFIXES, SURNAMES

FIRST_BIRTH_DAY = date(1966, 1, 1)
BIRTH_DAYS = (date(2006, 12, 31) - FIRST_BIRTH_DAY).days + 1
SEQUENCES = 1000
SPACE = len(LEAGUE_AREA_CODES) * BIRTH_DAYS * SEQUENCES
# Prime and not a factor of SPACE: index * SCATTER % SPACE visits every number of the space once.
SCATTER = 2_654_435_761
# The teacher pool's numbers come from the far end of the space, never met by trainees.
TEACHER_OFFSET = SPACE // 2


_BIRTH_DAYS = [FIRST_BIRTH_DAY + timedelta(days=day) for day in range(BIRTH_DAYS)]
_BIRTH_TEXT = [f"{day:%Y%m%d}" for day in _BIRTH_DAYS]


def resident_id(index: int) -> tuple[str, str, date]:
    """(ID number, gender, birth date) of the person with this index (0 ≤ index < SPACE)."""
    point = index * SCATTER % SPACE
    point, area = divmod(point, len(LEAGUE_AREA_CODES))
    day, sequence = divmod(point, SEQUENCES)
    body = f"{LEAGUE_AREA_CODES[area]}{_BIRTH_TEXT[day]}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0"), ("male" if sequence % 2 else "female"), _BIRTH_DAYS[day]


_TWO_CHARACTER = [surname + given for surname in SURNAMES for given in GIVEN_NAME_CHARS]
NAMES = _TWO_CHARACTER + [name + given for name in _TWO_CHARACTER[::3] for given in GIVEN_NAME_CHARS[::2]]


class People:
    """Names and mobile numbers drawn from one seeded generator (fast: no per-person generator)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def name(self) -> str:
        return NAMES[int(self.rng.random() * len(NAMES))]

    def mobile(self) -> str:
        return MOBILE_PREFIXES[int(self.rng.random() * len(MOBILE_PREFIXES))] + f"{self.rng.getrandbits(27) % 10**8:08d}"
