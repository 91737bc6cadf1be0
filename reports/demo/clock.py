"""The demo's clock: every step runs at the moment it would have happened, so each auto_now/auto_now_add
timestamp (forms, review history, calls, audit history) carries the class's own dates instead of today's."""

import random
from datetime import date, datetime, time, timedelta

import time_machine
from django.utils import timezone


class DemoClock:
    """Holds the process clock still at a chosen moment; never beyond the real now, which it keeps as ``now``."""

    def __init__(self):
        self.now = timezone.localtime()
        self.today = self.now.date()
        self._travel = None
        self._traveller = None

    def __enter__(self) -> "DemoClock":
        self._travel = time_machine.travel(self.now, tick=False)
        self._traveller = self._travel.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._travel.stop()

    def has_come(self, moment: datetime) -> bool:
        return moment <= self.now

    def move_to(self, moment: datetime) -> None:
        if moment > self.now:
            raise ValueError(f"the demo clock never runs ahead of the real one ({moment:%Y-%m-%d %H:%M})")
        self._traveller.move_to(moment, tick=False)


def moment_on(day: date, rng: random.Random, *, hours: tuple[int, int] = (9, 17)) -> datetime:
    """A working-hours moment of a day, in the portal's time zone (minutes drawn from ``rng``)."""
    first, last = hours
    minutes = rng.randrange(first * 60, last * 60)
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def later_by(moment: datetime, rng: random.Random, *, minutes: tuple[int, int]) -> datetime:
    return moment + timedelta(minutes=rng.randrange(*minutes))
