import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from PIL import Image

from classes.models import TrainingClass
from conftest import enroll, make_class
from supervision import attendance as services

# 乌兰浩特市, near the league's vocational school: the registered site of the fixtures' class.
SITE_LATITUDE = 46.0726
SITE_LONGITUDE = 122.0687
METRES_PER_DEGREE_LATITUDE = 111_195.0  # haversine with the mean Earth radius


def north_of_site(metres: float) -> tuple[float, float]:
    return SITE_LATITUDE + metres / METRES_PER_DEGREE_LATITUDE, SITE_LONGITUDE


def jpeg_bytes(size=(64, 48), colour=(200, 60, 40), exif=None) -> bytes:
    output = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif is not None:
        image.save(output, format="JPEG", exif=exif)
    else:
        image.save(output, format="JPEG")
    return output.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Photos go to a fresh folder per test, and rate-limit counters start at zero."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield tmp_path / "media"
    cache.clear()


@pytest.fixture
def running_class(institution, occupation):
    today = timezone.localdate()
    training_class = make_class(
        institution, occupation, batch_number="XA152201-2026-080", status=TrainingClass.Status.IN_TRAINING,
        start_date=today - timedelta(days=5), end_date=today + timedelta(days=5),
    )
    enroll(training_class, 5)
    return training_class


@pytest.fixture
def site(running_class, institution_user):
    return services.class_site_save(
        actor=institution_user, training_class=running_class, address="乌兰浩特市兴安南大街职教中心实训楼",
        latitude=SITE_LATITUDE, longitude=SITE_LONGITUDE,
    )


@pytest.fixture
def open_day(site, institution_user, running_class):
    return services.attendance_day_open(actor=institution_user, training_class=running_class)


@pytest.fixture
def other_running_class(other_institution, occupation, other_institution_user):
    """A class of the other county, in training, with a site, an open day and one check-in with a photo."""
    today = timezone.localdate()
    training_class = make_class(
        other_institution, occupation, batch_number="XA152224-2026-080", status=TrainingClass.Status.IN_TRAINING,
        start_date=today - timedelta(days=3), end_date=today + timedelta(days=3),
    )
    enrollment = enroll(training_class, 2)[0]
    other_site = services.class_site_save(
        actor=other_institution_user, training_class=training_class, address="突泉县职教中心",
        latitude=46.38, longitude=121.59,
    )
    services.attendance_day_open(actor=other_institution_user, training_class=training_class)
    services.check_in_record(
        site=other_site, name=enrollment.trainee.name, id_number=enrollment.trainee.id_number,
        location=services.Location(46.38, 121.59, 10), photo=jpeg_bytes(),
    )
    return training_class
