"""Daily attendance in Chromium: the institution registers its site and projects the code, a trainee checks in on
a 390 px phone with location and photo, the county sees the check-in with its distance and spot-checks the photo."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from classes.models import TrainingClass
from conftest import browser_log_in, enroll, make_class
from supervision.models import CheckIn, PhotoSpotCheckItem

from .conftest import SITE_LATITUDE, SITE_LONGITUDE, north_of_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name, *, full_page=True):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def open_as(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    browser_log_in(page, live_server.url, username)
    page.wait_for_url(live_server.url + "/")
    return page


def camera_photo(path: Path) -> Path:
    """A 4000×3000 JPEG as a phone camera writes it: far above the upload limit this test sets."""
    image = Image.new("RGB", (4000, 3000), (90, 140, 200))
    draw = ImageDraw.Draw(image)
    for step in range(0, 4000, 40):
        draw.line((step, 0, 4000 - step, 3000), fill=(step % 255, 120, 60), width=7)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=97)
    path.write_bytes(output.getvalue())
    return path


def test_a_trainee_checks_in_on_a_phone_and_the_county_sees_the_distance(
    browser, live_server, settings, tmp_path, institution_user, county_user, institution, occupation
):
    today = timezone.localdate()
    training_class = make_class(
        institution, occupation, batch_number="XA152201-2026-090", status=TrainingClass.Status.IN_TRAINING,
        start_date=today - timedelta(days=3), end_date=today + timedelta(days=3),
    )
    trainee = enroll(training_class, 4)[0].trainee
    photo = camera_photo(tmp_path / "IMG_20261201_080512.jpg")
    settings.CHECKIN_PHOTO_MAX_BYTES = 600_000
    assert photo.stat().st_size > settings.CHECKIN_PHOTO_MAX_BYTES  # only the phone's shrinking lets it through

    # The institution registers the site and opens today's code on the classroom projector.
    school = open_as(browser, live_server, "institution")
    school.goto(live_server.url + reverse("supervision:attendance_class", args=[training_class.pk]))
    school.get_by_role("link", name="登记培训地点").click()
    school.get_by_label("培训地址").fill("乌兰浩特市兴安南大街职教中心实训楼")
    school.get_by_label("纬度").fill(str(SITE_LATITUDE))
    school.get_by_label("经度").fill(str(SITE_LONGITUDE))
    school.get_by_role("button", name="保存").click()
    assert "培训地点已保存" in school.content()
    school.get_by_role("link", name="今日签到码").click()
    school.clock.install()  # the projector's timer runs on a fake clock: its three minutes pass at once
    school.get_by_role("button", name="开启今日签到").click()
    school.locator("#countdown").wait_for()
    shot(school, "attendance-projector-code", full_page=False)
    code_url = school.locator("#code-url").inner_text()
    assert "/c/" in code_url
    # When the window ends the page asks for the new code and swaps it in, without leaving the page.
    with school.expect_response(lambda response: "/code/current/" in response.url and response.status == 200):
        school.clock.run_for(settings.CHECKIN_CODE_MINUTES * 60 * 1000 + 2000)
    assert school.locator("#code-image").get_attribute("src").startswith("data:image/svg+xml")
    assert "/c/" in school.locator("#code-url").inner_text() and "/code/" in school.url

    # A trainee scans it: a 390 px phone that allows its position (about 320 m north of the site).
    latitude, longitude = north_of_site(320)
    phone_context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        geolocation={"latitude": latitude, "longitude": longitude, "accuracy": 15}, permissions=["geolocation"],
    )
    phone = phone_context.new_page()
    phone.goto(code_url)
    expect(phone.locator("#location-status")).to_contain_text("已获取位置")
    phone.get_by_label("姓名").fill(trainee.name)
    phone.get_by_label("身份证号").fill(trainee.id_number)
    phone.get_by_label("拍一张本人在培训现场的照片").set_input_files(str(photo))
    expect(phone.locator("#photo-status")).to_contain_text("照片已准备好")
    assert phone.locator("#photo-preview").is_visible()
    shot(phone, "phone-check-in")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="签到").click()
    assert phone.locator("h1").inner_text() == "签到成功"
    assert "已记录签到位置" in phone.content() and "已保存现场照片" in phone.content()
    shot(phone, "phone-check-in-done")
    # The same phone scans again: today is done.
    phone.goto(code_url)
    phone.get_by_label("姓名").fill(trainee.name)
    phone.get_by_label("身份证号").fill(trainee.id_number)
    phone.get_by_role("button", name="签到").click()
    assert phone.locator("h1").inner_text() == "今天已签到"
    phone_context.close()

    check_in = CheckIn.objects.get(enrollment__trainee=trainee)
    assert 310 <= check_in.distance_m <= 330
    with Image.open(Path(settings.MEDIA_ROOT) / check_in.photo.name) as stored:
        assert max(stored.size) == 1280

    # The county sees who checked in, when and how far from the site, and spot-checks the photo.
    county = open_as(browser, live_server, "county")
    county.goto(live_server.url + reverse("supervision:attendance_day", args=[training_class.pk, today.isoformat()]))
    row = county.locator("#day-check-ins tr", has_text=trainee.name)
    assert "3" in row.locator(".distance").inner_text() and "米" in row.locator(".distance").inner_text()
    assert row.locator("img.check-in-thumb").evaluate("image => image.naturalWidth") > 0
    shot(county, "county-attendance-day")
    county.goto(live_server.url + reverse("supervision:spot_checks", args=[training_class.pk]))
    county.get_by_label("抽查张数").fill("1")
    county.get_by_role("button", name="抽取").click()
    assert county.locator("img.spot-photo").evaluate("image => image.naturalWidth") > 0
    county.get_by_label("本人", exact=True).check()
    county.get_by_role("button", name="保存判定").click()
    assert "已记录第 1 张照片的判定：本人" in county.content()
    shot(county, "county-spot-check")
    assert PhotoSpotCheckItem.objects.get().verdict == "same_person"
    # The projector keeps polling for its code: close it before the live server goes away.
    school.context.close()
    county.context.close()
