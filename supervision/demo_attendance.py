"""Demo attendance for a local run (policy §8.3): sites, opened days, check-ins with locations and photos, and a
spot check per county. Idempotent and deterministic for a seeded generator; called by seed_demo.

What a county should find when it looks: most trainees check in every day near the site; a few check in far
away or without location; a few trainees miss many days (below 80%); in one class of five the institution never
opened the code on some registered days and one phone checks in several trainees (代签).
"""

import functools
import io
import math
import random
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import Role, User
from classes.models import Enrollment, TrainingClass

from . import attendance as services
from . import geo
from .models import AttendanceDay, CheckIn, ClassSite, PhotoSpotCheck

RECENT_DAYS = 30
# Approximate WGS-84 positions of the six county seats of 兴安盟.
COUNTY_SEATS = {
    "152201": (46.0726, 122.0687),  # 乌兰浩特市
    "152202": (47.1770, 119.9436),  # 阿尔山市
    "152221": (46.0795, 121.9527),  # 科尔沁右翼前旗
    "152222": (45.0604, 121.4760),  # 科尔沁右翼中旗 (巴彦呼舒镇)
    "152223": (46.7236, 122.8993),  # 扎赉特旗 (音德尔镇)
    "152224": (45.3811, 121.5936),  # 突泉县
}
FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
METRES_PER_DEGREE = 111_195.0


def _moved(latitude: float, longitude: float, metres: float, bearing: float) -> tuple[float, float]:
    north = metres * math.cos(bearing) / METRES_PER_DEGREE
    east = metres * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(latitude)))
    return round(latitude + north, 6), round(longitude + east, 6)


@functools.cache
def _font():
    try:
        return ImageFont.truetype(FONT_PATH, 44)
    except OSError:
        return None


def _portrait(initial: str, colour: tuple[int, int, int]) -> bytes:
    """A small stand-in photo: a coloured square with a head, shoulders and the trainee's surname."""
    image = Image.new("RGB", (240, 320), colour)
    draw = ImageDraw.Draw(image)
    skin = (236, 204, 170)
    draw.ellipse((75, 60, 165, 160), fill=skin)
    draw.rounded_rectangle((45, 175, 195, 320), radius=40, fill=tuple(max(0, part - 60) for part in colour))
    font = _font()
    if font is None:  # no CJK font on this machine: a mark instead of the surname
        font, initial = ImageFont.load_default(size=44), "*"
    draw.text((120, 225), initial, fill=(255, 255, 255), font=font, anchor="mm")
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=70)
    return output.getvalue()


def _photo_name(enrollment: Enrollment, colour: tuple[int, int, int]) -> str:
    red, green, blue = colour
    name = f"attendance/demo/{enrollment.pk}-{red:02x}{green:02x}{blue:02x}.jpg"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(_portrait(enrollment.trainee.name[:1], colour)))
    return name


def _site(training_class: TrainingClass, rng: random.Random, staff: User) -> ClassSite:
    # Drawn before looking: a re-run consumes the generator exactly as the first run did.
    seat = COUNTY_SEATS.get(training_class.institution.county.code, COUNTY_SEATS["152201"])
    latitude, longitude = _moved(*seat, rng.uniform(200, 3000), rng.uniform(0, 2 * math.pi))
    site, _created = ClassSite.objects.get_or_create(
        training_class=training_class,
        defaults={"address": training_class.location, "latitude": latitude, "longitude": longitude, "updated_by": staff},
    )
    return site


def _class_check_ins(training_class, site, staff, rng, today, existing) -> tuple[list[AttendanceDay], list[CheckIn]]:
    is_padded = rng.random() < 0.2  # 虚构课时: registered days never taught, one phone for several trainees
    last = min(training_class.end_date, today)
    enrollments = list(training_class.enrollments.select_related("trainee").order_by("id"))
    profile = {e.pk: rng.choices(("steady", "patchy", "absent"), weights=(85, 12, 3))[0] for e in enrollments}
    colours = {e.pk: (rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200)) for e in enrollments}
    devices = {e.pk: f"{rng.getrandbits(128):032x}" for e in enrollments}
    proxy_device = f"{rng.getrandbits(128):032x}"
    days, check_ins = [], []
    for offset in range((last - training_class.start_date).days + 1):
        day = training_class.start_date + timedelta(days=offset)
        if is_padded and rng.random() < 0.3:
            continue  # the code was never opened that day
        opened_at = timezone.make_aware(datetime.combine(day, time(7, 30)) + timedelta(minutes=rng.randrange(0, 15)))
        days.append(AttendanceDay(training_class=training_class, date=day, opened_by=staff, opened_at=opened_at))
        is_today = day == today
        for enrollment in enrollments:
            attends = {"steady": 0.96, "patchy": 0.6, "absent": 0.15}[profile[enrollment.pk]]
            if is_today:
                attends *= 0.7  # the morning is not over
            if rng.random() > attends:
                continue
            moment = timezone.make_aware(datetime.combine(day, time(7, 40)) + timedelta(minutes=rng.randrange(0, 70)))
            check_in = CheckIn(enrollment=enrollment, training_class=training_class, date=day, checked_in_at=moment,
                               device=devices[enrollment.pk])
            where = rng.random()
            if where < 0.95:
                metres = rng.uniform(5, 350)
            elif where < 0.975:
                metres = rng.uniform(1500, 15000)
            else:
                metres = None
            if metres is not None:
                check_in.latitude, check_in.longitude = _moved(site.latitude, site.longitude, metres, rng.uniform(0, 2 * math.pi))
                check_in.accuracy_m = rng.choice((8, 12, 20, 35, 65))
                check_in.distance_m = round(geo.distance_m(check_in.latitude, check_in.longitude, site.latitude, site.longitude))
            if is_padded and rng.random() < 0.15:
                check_in.device = proxy_device
            if rng.random() < 0.85:
                # Now and then someone else is in the picture: what the county's spot check is for.
                colour = colours[enrollment.pk] if rng.random() > 0.03 else colours[rng.choice(enrollments).pk]
                check_in.photo.name = _photo_name(enrollment, colour)
            if (enrollment.pk, day) not in existing:  # after every draw: a re-run draws exactly as the first run
                check_ins.append(check_in)
    return days, check_ins


def _spot_check(training_class: TrainingClass, county_staff: User, rng: random.Random) -> None:
    spot_check = services.spot_check_draw(actor=county_staff, training_class=training_class, size=6)
    for item in list(spot_check.items.all())[:3]:
        verdict = rng.choice(("same_person", "same_person", "undetermined"))
        services.spot_check_verdict_record(actor=county_staff, item=item, verdict=verdict,
                                           note="" if verdict == "same_person" else "照片光线较暗")


def seed_attendance_demo(rng: random.Random, *, today=None) -> int:
    """Attendance for the demo classes in training or finished in the last 30 days; returns the check-ins added.
    A re-run adds nothing: sites, days and check-ins are found by their natural keys, photos by their names."""
    today = today or timezone.localdate()
    base = rng.getrandbits(64)
    classes = list(
        TrainingClass.objects.filter(
            Q(status=TrainingClass.Status.IN_TRAINING)
            | Q(status=TrainingClass.Status.FINISHED, end_date__gte=today - timedelta(days=RECENT_DAYS))
        ).select_related("institution__county").order_by("pk")
    )
    staff_of, county_staff_of = {}, {}
    for user in User.objects.filter(role__in=(Role.INSTITUTION, Role.COUNTY)).order_by("id"):  # demo logins first
        if user.role == Role.INSTITUTION:
            staff_of.setdefault(user.institution_id, user)
        else:
            county_staff_of.setdefault(user.region_id, user)
    existing = set(CheckIn.objects.filter(training_class__in=classes).values_list("enrollment_id", "date"))
    all_days, all_check_ins = [], []
    for training_class in classes:
        staff = staff_of.get(training_class.institution_id)
        if staff is None:
            continue
        class_rng = random.Random(f"{base}:{training_class.batch_number}")
        site = _site(training_class, class_rng, staff)
        days, check_ins = _class_check_ins(training_class, site, staff, class_rng, today, existing)
        all_days += days
        all_check_ins += check_ins
    AttendanceDay.objects.bulk_create(all_days, ignore_conflicts=True, batch_size=500)
    CheckIn.objects.bulk_create(all_check_ins, ignore_conflicts=True, batch_size=500)
    checked = set(CheckIn.objects.filter(training_class__in=classes).exclude(photo="").values_list("training_class_id", flat=True))
    counties_done = set(PhotoSpotCheck.objects.values_list("training_class__institution__county_id", flat=True))
    for training_class in classes:
        county_id = training_class.institution.county_id
        county_staff = county_staff_of.get(county_id)
        if county_id in counties_done or county_staff is None or training_class.pk not in checked:
            continue
        _spot_check(training_class, county_staff, random.Random(f"{base}:spot:{training_class.batch_number}"))
        counties_done.add(county_id)
    return len(all_check_ins)
