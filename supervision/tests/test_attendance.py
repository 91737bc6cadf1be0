"""Daily attendance (policy §8.3, §8.4): class site, rotating code, phone check-in, county views, spot checks."""

import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from classes.models import Enrollment, TrainingClass
from conftest import enroll, make_class
from supervision import attendance as services
from supervision import attendance_rules, attendance_selectors, checkin_codes, geo
from supervision.models import (
    AttendanceDay,
    CheckIn,
    ClassSite,
    PhotoSpotCheck,
    PhotoSpotCheckItem,
    ShortfallDismissal,
)
from supervision.photos import PhotoError, photo_from_upload
from xingan_training.errors import ServiceError

from .conftest import SITE_LATITUDE, SITE_LONGITUDE, jpeg_bytes, north_of_site

MB = 1024 * 1024


# Pure parts ------------------------------------------------------------------------------------------------


class TestGeo:
    def test_one_degree_of_latitude_is_about_111_km(self):
        assert geo.distance_m(46.0, 122.0, 47.0, 122.0) == pytest.approx(111_195, abs=1)

    def test_the_same_point_is_zero_metres_away(self):
        assert geo.distance_m(SITE_LATITUDE, SITE_LONGITUDE, SITE_LATITUDE, SITE_LONGITUDE) == 0

    def test_beijing_to_shanghai_is_about_1067_km(self):
        assert geo.distance_m(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1_067_000, abs=2_000)

    def test_far_means_beyond_the_limit(self):
        assert geo.is_far(geo.distance_m(*north_of_site(1100), SITE_LATITUDE, SITE_LONGITUDE), 1000)
        assert not geo.is_far(geo.distance_m(*north_of_site(900), SITE_LATITUDE, SITE_LONGITUDE), 1000)
        assert not geo.is_far(1000, 1000)
        assert not geo.is_far(None, 1000)

    @pytest.mark.parametrize("latitude, longitude", [(91, 0), (0, 181), (float("nan"), 0), (0, float("inf")), ("46", 0), (True, 0)])
    def test_coordinates_out_of_range_or_not_numbers_are_refused(self, latitude, longitude):
        with pytest.raises(ValueError):
            geo.distance_m(latitude, longitude, 0, 0)


class TestCodes:
    secret = "a" * 64
    minutes = 3
    now = 1_796_000_000.0  # some moment in 2026

    def status(self, token, *, now=None):
        return checkin_codes.token_status(token, self.secret, timestamp=now or self.now, minutes=self.minutes)

    def window(self, offset=0):
        return checkin_codes.window_of(self.now, self.minutes) + offset

    def test_the_current_code_is_valid(self):
        assert self.status(checkin_codes.token_for(self.secret, 7, self.window())) == checkin_codes.CodeStatus.VALID

    def test_the_previous_windows_code_is_still_valid(self):
        assert self.status(checkin_codes.token_for(self.secret, 7, self.window(-1))) == checkin_codes.CodeStatus.VALID

    def test_a_code_two_windows_old_has_expired(self):
        assert self.status(checkin_codes.token_for(self.secret, 7, self.window(-2))) == checkin_codes.CodeStatus.EXPIRED

    def test_the_code_changes_every_window(self):
        assert checkin_codes.token_for(self.secret, 7, self.window()) != checkin_codes.token_for(self.secret, 7, self.window(1))
        assert checkin_codes.window_of(self.now + self.minutes * 60, self.minutes) == self.window(1)

    def test_forged_codes_are_invalid(self):
        genuine = checkin_codes.token_for(self.secret, 7, self.window())
        forged_mac = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
        other_secret = checkin_codes.token_for("b" * 64, 7, self.window())
        other_class = genuine.replace("7-", "8-", 1)
        future = checkin_codes.token_for(self.secret, 7, self.window(1))
        for token in (forged_mac, other_secret, other_class, future, "", "7-1-x", "../../etc", genuine + "x"):
            assert self.status(token) == checkin_codes.CodeStatus.INVALID, token

    def test_seconds_left_counts_down_to_the_next_window(self):
        start = self.window() * self.minutes * 60
        assert checkin_codes.seconds_left(start, self.minutes) == 180
        assert checkin_codes.seconds_left(start + 179.5, self.minutes) == 1


class TestPhotos:
    limits = {"max_bytes": 8 * MB, "max_pixels": 50_000_000}

    def test_a_phone_photo_is_shrunk_turned_upright_and_stripped_of_exif(self):
        exif = Image.Exif()
        exif[0x0112] = 6  # orientation: rotate 90° to display
        exif[0x010F] = "PhoneMaker"
        photo = photo_from_upload(jpeg_bytes(size=(2000, 1500), exif=exif), **self.limits)
        with Image.open(io.BytesIO(photo.content)) as stored:
            assert stored.format == "JPEG"
            assert stored.size == (960, 1280)  # upright: portrait, longest side 1280
            assert not stored.getexif()

    def test_a_text_file_is_not_a_photo(self):
        with pytest.raises(PhotoError, match="不是照片"):
            photo_from_upload(b"<html><script>alert(1)</script></html>", **self.limits)

    def test_a_truncated_jpeg_is_refused(self):
        with pytest.raises(PhotoError, match="不是照片"):
            photo_from_upload(jpeg_bytes(size=(800, 600))[:200], **self.limits)

    def test_a_gif_is_not_accepted(self):
        output = io.BytesIO()
        Image.new("P", (10, 10)).save(output, format="GIF")
        with pytest.raises(PhotoError):
            photo_from_upload(output.getvalue(), **self.limits)

    def test_a_file_above_the_size_limit_is_refused_before_decoding(self):
        with pytest.raises(PhotoError, match="过大"):
            photo_from_upload(b"\xff\xd8" + b"0" * (8 * MB), **self.limits)

    @pytest.mark.parametrize("side", [8_000, 14_000])  # 64 MP (our limit), 196 MP (Pillow's own guard too)
    def test_a_decompression_bomb_is_refused_by_its_declared_size(self, side):
        output = io.BytesIO()
        Image.new("1", (side, side)).save(output, format="PNG")  # a small file, many megapixels
        assert len(output.getvalue()) < MB
        with pytest.raises(PhotoError, match="像素过大"):
            photo_from_upload(output.getvalue(), **self.limits)

    def test_a_large_phone_jpeg_is_decoded_at_a_reduced_scale(self):
        photo = photo_from_upload(jpeg_bytes(size=(6000, 4000)), **self.limits)
        assert (photo.width, photo.height) == (1280, 853)

    def test_a_png_gets_a_smaller_pixel_budget_than_a_jpeg(self):
        output = io.BytesIO()
        Image.new("1", (5000, 4000)).save(output, format="PNG")
        with pytest.raises(PhotoError, match="像素过大"):
            photo_from_upload(output.getvalue(), **self.limits)

    def test_an_empty_file_is_refused(self):
        with pytest.raises(PhotoError):
            photo_from_upload(b"", **self.limits)


class TestCountingRules:
    def test_training_days_count_the_registered_period_up_to_the_cutoff(self):
        start, end = date(2026, 5, 4), date(2026, 5, 13)
        assert attendance_rules.training_days_through(start, end, end) == 10
        assert attendance_rules.training_days_through(start, end, date(2026, 5, 6)) == 3
        assert attendance_rules.training_days_through(start, end, date(2026, 5, 3)) == 0

    def test_a_class_in_training_counts_up_to_yesterday(self):
        start, end = date(2026, 5, 4), date(2026, 5, 13)
        assert attendance_rules.attendance_cutoff(start, end, date(2026, 5, 8), is_started=True, is_finished=False) == date(2026, 5, 7)
        assert attendance_rules.attendance_cutoff(start, end, date(2026, 6, 1), is_started=True, is_finished=False) == end
        assert attendance_rules.attendance_cutoff(start, end, date(2026, 5, 8), is_started=True, is_finished=True) == end

    def test_a_class_not_started_has_no_training_days_yet(self):
        start, end = date(2026, 5, 4), date(2026, 5, 13)
        cutoff = attendance_rules.attendance_cutoff(start, end, date(2026, 5, 8), is_started=False, is_finished=False)
        assert attendance_rules.training_days_through(start, end, cutoff) == 0

    def test_attended_hours_scale_the_registered_hours(self):
        assert attendance_rules.attended_hours(90, 150, 200) == 67.5
        assert attendance_rules.attended_hours(90, 0, 0) is None
        with pytest.raises(ValueError):
            attendance_rules.attended_hours(90, 201, 200)

    def test_the_spot_check_draw_is_re_derivable_from_its_seed(self):
        candidates = [(5, 50), (3, 30), (9, 90), (1, 10), (7, 70)]
        first = attendance_rules.spot_check_order(candidates, "seed", 3)
        assert first == attendance_rules.spot_check_order(list(reversed(candidates)), "seed", 3)
        assert len(set(first)) == 3 and set(first) <= {1, 3, 5, 7, 9}
        assert attendance_rules.spot_check_order([(1, 10), (2, 20)], "seed", 10) in ([1, 2], [2, 1])

    def test_the_spot_check_draws_each_trainee_at_most_once(self):
        candidates = [(day * 10 + trainee, trainee) for trainee in range(4) for day in range(5)]
        drawn = attendance_rules.spot_check_order(candidates, "another seed", 10)
        assert len(drawn) == 4 and len({check_in % 10 for check_in in drawn}) == 4
        draws = {tuple(attendance_rules.spot_check_order(candidates, f"seed {n}", 2)) for n in range(20)}
        assert len(draws) > 5  # the seed matters


# The class site ---------------------------------------------------------------------------------------------


class TestClassSite:
    def test_the_institution_registers_its_class_site(self, login, institution_user, running_class):
        client = login(institution_user)
        response = client.post(reverse("supervision:class_site_edit", args=[running_class.pk]),
                               {"address": "乌兰浩特市职教中心", "latitude": "46.0726", "longitude": "122.0687"})
        assert response.status_code == 302
        site = ClassSite.objects.get(training_class=running_class)
        assert (site.address, site.latitude, site.longitude, site.updated_by) == ("乌兰浩特市职教中心", 46.0726, 122.0687, institution_user)
        assert site.history.first().history_user == institution_user

    def test_the_site_form_may_ask_for_the_position(self, login, institution_user, running_class):
        response = login(institution_user).get(reverse("supervision:class_site_edit", args=[running_class.pk]))
        assert "geolocation=(self)" in response["Permissions-Policy"]
        assert "WGS-84" in response.content.decode()

    @pytest.mark.parametrize("latitude, longitude", [("abc", "122"), ("nan", "122"), ("1e999", "122"), ("91", "122"), ("46", "-181")])
    def test_bad_coordinates_are_refused_without_an_error_page(self, login, institution_user, running_class, latitude, longitude):
        response = login(institution_user).post(reverse("supervision:class_site_edit", args=[running_class.pk]),
                                                {"address": "某地", "latitude": latitude, "longitude": longitude})
        assert response.status_code == 200
        assert "应" in response.content.decode()
        assert not ClassSite.objects.exists()

    def test_moving_the_site_is_kept_in_its_history(self, site, institution_user, running_class):
        services.class_site_save(actor=institution_user, training_class=running_class, address="新址", latitude=46.1, longitude=122.1)
        assert [record.address for record in site.history.order_by("history_date")] == [site.address, "新址"]

    def test_a_finished_class_keeps_its_site(self, site, institution_user, running_class):
        TrainingClass.objects.filter(pk=running_class.pk).update(status=TrainingClass.Status.FINISHED)
        with pytest.raises(ServiceError, match="不能再修改"):
            services.class_site_save(actor=institution_user, training_class=running_class, address="x", latitude=1, longitude=1)

    def test_only_the_class_institution_edits_the_site(self, login, running_class, county_user, other_institution_user):
        for user in (county_user, other_institution_user):
            response = login(user).get(reverse("supervision:class_site_edit", args=[running_class.pk]))
            assert response.status_code == 404
            with pytest.raises(ServiceError):
                services.class_site_save(actor=user, training_class=running_class, address="x", latitude=1, longitude=1)

    def test_the_county_sees_the_site_on_the_attendance_page(self, login, county_user, site, running_class):
        page = login(county_user).get(reverse("supervision:attendance_class", args=[running_class.pk])).content.decode()
        assert site.address in page and "46.072600" in page


# The rotating code on the projector -----------------------------------------------------------------------


class TestCodePage:
    def test_the_institution_opens_todays_code_and_sees_a_qr_code(self, login, institution_user, site, running_class):
        client = login(institution_user)
        url = reverse("supervision:attendance_code", args=[running_class.pk])
        assert "开启今日签到" in client.get(url).content.decode()
        response = client.post(reverse("supervision:attendance_day_open", args=[running_class.pk]))
        assert response.status_code == 302 and response["Location"] == url
        page = client.get(url).content.decode()
        assert "data:image/svg+xml" in page and "/c/" in page
        assert 'http-equiv="refresh"' in page and "checkin-code.js" in page and "<script>" not in page
        assert AttendanceDay.objects.filter(training_class=running_class, date=timezone.localdate()).count() == 1
        current = client.get(reverse("supervision:attendance_code_current", args=[running_class.pk])).json()
        assert current["qr"].startswith("data:image/svg+xml") and current["seconds_left"] >= 1
        assert checkin_codes.parse_token(current["url"].rstrip("/").rsplit("/", 1)[1])[0] == running_class.pk

    def test_no_code_without_a_site(self, login, institution_user, running_class):
        client = login(institution_user)
        client.post(reverse("supervision:attendance_day_open", args=[running_class.pk]))
        assert not AttendanceDay.objects.exists()
        assert "请先登记培训地点" in client.get(reverse("supervision:attendance_code", args=[running_class.pk])).content.decode()

    def test_no_code_outside_the_training_period(self, institution_user, site, running_class):
        with pytest.raises(ServiceError, match="培训期内"):
            services.attendance_day_open(actor=institution_user, training_class=running_class, today=running_class.end_date + timedelta(days=1))
        TrainingClass.objects.filter(pk=running_class.pk).update(status=TrainingClass.Status.FINISHED)
        running_class.refresh_from_db()
        with pytest.raises(ServiceError):
            services.attendance_day_open(actor=institution_user, training_class=running_class)

    def test_only_the_class_institution_sees_the_code(self, login, open_day, running_class, county_user, league_user, other_institution_user, client):
        for user in (county_user, league_user, other_institution_user):
            for name in ("attendance_code", "attendance_code_current"):
                assert login(user).get(reverse(f"supervision:{name}", args=[running_class.pk])).status_code == 404
            assert login(user).post(reverse("supervision:attendance_day_open", args=[running_class.pk])).status_code in (302, 404)
        client.logout()
        assert client.get(reverse("supervision:attendance_code", args=[running_class.pk])).status_code == 302
        assert AttendanceDay.objects.filter(opened_by__in=[county_user, league_user, other_institution_user]).count() == 0


# The trainee's phone ---------------------------------------------------------------------------------------


def check_in_url(site, *, window_offset=0):
    window = checkin_codes.window_of(timezone.now().timestamp(), 3) + window_offset
    return reverse("check_in_public", args=[checkin_codes.token_for(site.code_secret, site.training_class_id, window)])


def form_data(enrollment, *, position=(SITE_LATITUDE, SITE_LONGITUDE), photo=None, **changes):
    data = {"name": enrollment.trainee.name, "id_number": enrollment.trainee.id_number}
    if position:
        data.update(latitude=f"{position[0]:.6f}", longitude=f"{position[1]:.6f}", accuracy="12")
    if photo is not None:
        data["photo"] = photo
    data.update(changes)
    return data


def upload(content: bytes, name="photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture
def trainee(running_class):
    return running_class.enrollments.order_by("id").first()


class TestCheckIn:
    def test_a_trainee_checks_in_with_location_and_photo(self, client, open_day, site, trainee, media_root):
        url = check_in_url(site)
        page = client.get(url)
        assert page.status_code == 200
        assert page["Cache-Control"] == "no-store"
        assert "geolocation=(self)" in page["Permissions-Policy"] and "camera=(self)" in page["Permissions-Policy"]
        assert 'capture="user"' in page.content.decode() and 'accept="image/*"' in page.content.decode()
        response = client.post(url, form_data(trainee, position=north_of_site(300), photo=upload(jpeg_bytes(size=(1600, 1200)))))
        assert response.status_code == 200, response.content.decode()
        assert "签到成功" in response.content.decode() and response["Cache-Control"] == "no-store"
        check_in = CheckIn.objects.get(enrollment=trainee)
        assert check_in.date == timezone.localdate()
        assert 295 <= check_in.distance_m <= 305 and check_in.accuracy_m == 12
        stored = media_root / check_in.photo.name
        assert stored.is_file() and trainee.trainee.id_number not in check_in.photo.name
        with Image.open(stored) as image:
            assert max(image.size) == 1280
        assert len(response.cookies["checkin_device"].value) == 32

    def test_a_name_and_id_that_do_not_match_the_roster_are_refused(self, client, open_day, site, trainee, running_class, other_class):
        stranger = other_class.enrollments.first().trainee
        for data in (form_data(trainee, name="冒名顶替"), {"name": stranger.name, "id_number": stranger.id_number}):
            response = client.post(check_in_url(site), data)
            assert response.status_code == 400
            assert "姓名或身份证号与本班花名册不符" in response.content.decode()
        assert not CheckIn.objects.exists()

    def test_an_id_number_with_a_wrong_check_digit_says_so(self, client, open_day, site, trainee):
        wrong = trainee.trainee.id_number[:17] + ("0" if trainee.trainee.id_number[17] != "0" else "1")
        response = client.post(check_in_url(site), form_data(trainee, id_number=wrong))
        assert response.status_code == 400 and "校验位" in response.content.decode()

    def test_one_check_in_per_trainee_and_day(self, client, open_day, site, trainee):
        assert "签到成功" in client.post(check_in_url(site), form_data(trainee)).content.decode()
        again = client.post(check_in_url(site), form_data(trainee))
        assert again.status_code == 200 and "今天已签到" in again.content.decode()
        assert CheckIn.objects.filter(enrollment=trainee).count() == 1

    def test_the_database_refuses_a_second_check_in_on_the_same_day(self, open_day, site, trainee, running_class):
        services.check_in_record(site=site, name=trainee.trainee.name, id_number=trainee.trainee.id_number, location=None, photo=None)
        with pytest.raises(IntegrityError), transaction.atomic():
            CheckIn.objects.create(enrollment=trainee, training_class=running_class, date=timezone.localdate(),
                                   checked_in_at=timezone.now())

    def test_a_check_in_without_location_is_accepted_and_flagged(self, client, open_day, site, trainee, login, county_user, running_class):
        response = client.post(check_in_url(site), form_data(trainee, position=None))
        assert "签到成功" in response.content.decode() and "无位置" in response.content.decode()
        assert CheckIn.objects.get(enrollment=trainee).distance_m is None
        day = login(county_user).get(reverse("supervision:attendance_day", args=[running_class.pk, timezone.localdate().isoformat()]))
        assert "无位置" in day.content.decode()

    def test_a_file_that_is_not_an_image_is_refused(self, client, open_day, site, trainee, media_root):
        response = client.post(check_in_url(site), form_data(trainee, photo=upload(b"MZ\x90\x00 not a photo", "photo.jpg")))
        assert response.status_code == 400 and "不是照片" in response.content.decode()
        assert not CheckIn.objects.exists()
        assert not any(path.is_file() for path in Path(media_root).rglob("*"))

    def test_an_image_with_too_many_pixels_is_refused(self, client, open_day, site, trainee, settings):
        settings.CHECKIN_PHOTO_MAX_PIXELS = 1_000_000
        response = client.post(check_in_url(site), form_data(trainee, photo=upload(jpeg_bytes(size=(1600, 1200)))))
        assert response.status_code == 400 and "像素过大" in response.content.decode()
        assert not CheckIn.objects.exists()

    def test_an_upload_above_the_byte_limit_is_refused(self, client, open_day, site, trainee, settings):
        settings.CHECKIN_PHOTO_MAX_BYTES = 10_000
        response = client.post(check_in_url(site), form_data(trainee, photo=upload(b"\xff\xd8" + b"0" * 20_000)))
        assert response.status_code in (400, 413) and "过大" in response.content.decode()
        assert not CheckIn.objects.exists()

    def test_the_previous_windows_code_is_accepted(self, client, open_day, site, trainee):
        response = client.post(check_in_url(site, window_offset=-1), form_data(trainee))
        assert "签到成功" in response.content.decode()

    def test_a_code_two_windows_old_is_refused_with_a_clear_message(self, client, open_day, site, trainee):
        url = check_in_url(site, window_offset=-2)
        page = client.get(url)
        assert page.status_code == 410 and "二维码已过期" in page.content.decode()
        assert client.post(url, form_data(trainee)).status_code == 410
        assert not CheckIn.objects.exists()

    def test_a_forged_code_is_refused(self, client, open_day, site, trainee, running_class):
        window = checkin_codes.window_of(timezone.now().timestamp(), 3)
        forged = checkin_codes.token_for("f" * 64, running_class.pk, window)
        for token in (forged, f"{running_class.pk}-{window}", "999999-1-AAAAAAAAAAAAAAAA", "<script>"):
            response = client.get(f"/c/{token}/")
            assert response.status_code == 404 and "二维码无效" in response.content.decode()
        assert client.post(f"/c/{forged}/", form_data(trainee)).status_code == 404
        assert not CheckIn.objects.exists()

    def test_the_form_given_with_a_valid_code_may_be_sent_after_the_code_changed(self, client, open_day, site, trainee):
        ticket = services.check_in_ticket(site)
        response = client.post(check_in_url(site, window_offset=-2), form_data(trainee, ticket=ticket))
        assert "签到成功" in response.content.decode()

    def test_an_old_ticket_does_not_help(self, client, open_day, site, trainee, settings):
        ticket = services.check_in_ticket(site)
        settings.CHECKIN_FORM_MINUTES = 0
        response = client.post(check_in_url(site, window_offset=-2), form_data(trainee, ticket=ticket + "x"))
        assert response.status_code == 410
        assert client.post(check_in_url(site, window_offset=-2), form_data(trainee, ticket=ticket)).status_code == 410

    def test_no_check_in_before_the_institution_opens_the_day(self, client, site, trainee):
        response = client.post(check_in_url(site), form_data(trainee))
        assert response.status_code == 400 and "尚未开启签到" in response.content.decode()

    def test_no_check_in_outside_the_training_period(self, client, open_day, site, trainee, running_class):
        TrainingClass.objects.filter(pk=running_class.pk).update(status=TrainingClass.Status.FINISHED)
        response = client.get(check_in_url(site))
        assert response.status_code == 403 and "不是该培训班的培训日" in response.content.decode()

    def test_a_trainee_who_left_the_class_cannot_check_in(self, client, open_day, site, trainee):
        Enrollment.objects.filter(pk=trainee.pk).update(completion=Enrollment.Completion.DROPPED)
        response = client.post(check_in_url(site), form_data(trainee))
        assert "中途退出" in response.content.decode() and not CheckIn.objects.exists()

    def test_failed_identity_checks_are_limited_per_code_and_per_address(self, client, open_day, site, trainee, settings):
        settings.CHECKIN_FAILURES_PER_ADDRESS = 3
        for _ in range(3):
            assert client.post(check_in_url(site), form_data(trainee, name="张冒名")).status_code == 400
        blocked = client.post(check_in_url(site), form_data(trainee))
        assert blocked.status_code == 429 and "失败次数过多" in blocked.content.decode()
        other_phone = Client(REMOTE_ADDR="10.0.0.9")
        assert "签到成功" in other_phone.post(check_in_url(site), form_data(trainee)).content.decode()

    def test_the_per_code_limit_holds_across_addresses(self, open_day, site, trainee, settings):
        settings.CHECKIN_FAILURES_PER_CODE = 2
        url = check_in_url(site)
        for address in ("10.0.0.1", "10.0.0.2"):
            Client(REMOTE_ADDR=address).post(url, form_data(trainee, name="张冒名"))
        assert Client(REMOTE_ADDR="10.0.0.3").post(url, form_data(trainee)).status_code == 429

    @pytest.mark.parametrize("changes", [
        {"latitude": "nan", "longitude": "122"}, {"latitude": "1e999", "longitude": "1"}, {"latitude": "abc"},
        {"accuracy": "-5"}, {"id_number": "x" * 500}, {"name": "\u200b\u200b"}, {"ticket": "t" * 5000},
    ])
    def test_bad_input_gives_a_message_not_an_error_page(self, client, open_day, site, trainee, changes):
        response = client.post(check_in_url(site), form_data(trainee, **changes))
        assert response.status_code == 400 and "请检查" in response.content.decode()
        assert not CheckIn.objects.exists()

    def test_a_huge_request_is_refused_before_it_is_read(self, client, open_day, site, trainee):
        response = client.post(check_in_url(site), form_data(trainee), CONTENT_LENGTH=str(100 * MB))
        assert response.status_code == 413

    def test_a_malformed_content_length_is_no_error_page(self, client, open_day, site, trainee):
        assert client.get(check_in_url(site), CONTENT_LENGTH="abc").status_code == 200


# County views ----------------------------------------------------------------------------------------------


def check_in_at(site, enrollment, metres_north, *, day=None, photo=True):
    """A check-in on ``day`` (default today) at ``metres_north`` of the site (None: without location)."""
    day = day or timezone.localdate()
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=8))
    AttendanceDay.objects.get_or_create(training_class=site.training_class, date=day,
                                        defaults={"opened_by": site.updated_by})
    location = None if metres_north is None else services.Location(*north_of_site(metres_north), 15)
    with_photo = jpeg_bytes(colour=(random.randrange(256), 90, 90)) if photo else None
    return services.check_in_record(site=site, name=enrollment.trainee.name, id_number=enrollment.trainee.id_number,
                                    location=location, photo=with_photo, now=moment)


class TestCountyDayView:
    def test_the_county_sees_who_checked_in_when_and_how_far(self, login, county_user, site, running_class):
        near, far, *_ = running_class.enrollments.order_by("id")
        check_in_at(site, near, 900)
        check_in_at(site, far, 1100)
        response = login(county_user).get(reverse("supervision:attendance_day", args=[running_class.pk, timezone.localdate().isoformat()]))
        page = response.content.decode()
        assert near.trainee.name in page and far.trainee.name in page
        assert "900 米" in page and "1.1 公里" in page
        assert page.count("距离超过 1 公里") == 1
        assert "已签到 2 人" in page and "待核实异常 1 条" in page
        flagged = login(county_user).get(reverse("supervision:attendance_day", args=[running_class.pk, timezone.localdate().isoformat()]) + "?show=flagged")
        assert far.trainee.name in flagged.content.decode() and near.trainee.name not in flagged.content.decode()

    def test_the_far_limit_is_a_setting(self, login, county_user, site, running_class, settings):
        settings.CHECKIN_FAR_METRES = 1200
        check_in_at(site, running_class.enrollments.first(), 1100)
        page = login(county_user).get(reverse("supervision:attendance_day", args=[running_class.pk, timezone.localdate().isoformat()])).content.decode()
        assert "距离超过" not in page

    def test_one_phone_checking_in_several_trainees_is_shown(self, client, login, county_user, open_day, site, running_class):
        first, second = running_class.enrollments.order_by("id")[:2]
        client.post(check_in_url(site), form_data(first))
        client.post(check_in_url(site), form_data(second))  # the same client: the same device cookie
        page = login(county_user).get(reverse("supervision:attendance_day", args=[running_class.pk, timezone.localdate().isoformat()])).content.decode()
        assert page.count("同一手机签到 2 人") == 2

    def test_the_county_dismisses_a_far_check_in_with_a_reason(self, login, county_user, site, running_class):
        check_in = check_in_at(site, running_class.enrollments.first(), 5000)
        client = login(county_user)
        client.post(reverse("supervision:check_in_dismiss", args=[check_in.pk]), {"reason": "当日在合作企业实训，已电话核实"})
        check_in.refresh_from_db()
        assert check_in.flag_dismissed_by == county_user and check_in.flag_dismissed_reason == "当日在合作企业实训，已电话核实"
        summary = client.get(reverse("supervision:attendance_class", args=[running_class.pk])).content.decode()
        assert "待核实的异常签到" in summary
        near = check_in_at(site, running_class.enrollments.order_by("id")[1], 10)
        with pytest.raises(ServiceError, match="没有异常"):
            services.check_in_flag_dismiss(actor=county_user, check_in=near, reason="x")

    def test_the_institution_sees_who_checked_in_but_no_evidence(self, login, institution_user, site, running_class):
        enrollment = running_class.enrollments.first()
        check_in = check_in_at(site, enrollment, 5000)
        page = login(institution_user).get(reverse("supervision:attendance_day", args=[running_class.pk, timezone.localdate().isoformat()])).content.decode()
        assert enrollment.trainee.name in page and check_in.checked_in_at.astimezone(timezone.get_current_timezone()).strftime("%H:%M") in page
        assert "米" not in page.split('id="day-check-ins"')[1] and "照片" not in page.split('id="day-check-ins"')[1]
        assert reverse("supervision:check_in_photo", args=[check_in.pk]) not in page
        assert login(institution_user).get(reverse("supervision:check_in_photo", args=[check_in.pk])).status_code == 404
        assert login(institution_user).get(reverse("supervision:spot_checks", args=[running_class.pk])).status_code == 404
        with pytest.raises(ServiceError):
            services.check_in_flag_dismiss(actor=institution_user, check_in=check_in, reason="自己核销")

    def test_days_outside_the_class_or_malformed_are_not_found(self, login, county_user, running_class):
        client = login(county_user)
        for day in ("2026-13-01", "yesterday", (running_class.start_date - timedelta(days=1)).isoformat()):
            assert client.get(f"/supervision/attendance/classes/{running_class.pk}/days/{day}/").status_code == 404

    def test_the_day_view_reads_a_fixed_number_of_queries(self, login, county_user, site, running_class, django_assert_max_num_queries):
        for enrollment in running_class.enrollments.all():
            check_in_at(site, enrollment, 100)
        client = login(county_user)
        url = reverse("supervision:attendance_day", args=[running_class.pk, timezone.localdate().isoformat()])
        with django_assert_max_num_queries(15) as small:  # 15: django-otp reads the session's device on each request
            client.get(url)
        for enrollment in enroll(running_class, 25, seed=2):
            check_in_at(site, enrollment, 2000)
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(url)
        assert response.content.decode().count("距离超过") == 25


class TestAttendanceFigures:
    @pytest.fixture
    def finished_class(self, institution, occupation, institution_user):
        training_class = make_class(
            institution, occupation, batch_number="XA152201-2026-081", status=TrainingClass.Status.IN_TRAINING,
            start_date=date(2026, 9, 1), end_date=date(2026, 9, 10),
        )
        enroll(training_class, 3)
        site = services.class_site_save(actor=institution_user, training_class=training_class, address="职教中心",
                                        latitude=SITE_LATITUDE, longitude=SITE_LONGITUDE)
        steady, short, _absent = training_class.enrollments.order_by("id")
        for offset in range(8):
            check_in_at(site, steady, 50, day=date(2026, 9, 1) + timedelta(days=offset), photo=False)
        for offset in range(7):
            check_in_at(site, short, 50, day=date(2026, 9, 1) + timedelta(days=offset), photo=False)
        TrainingClass.objects.filter(pk=training_class.pk).update(status=TrainingClass.Status.FINISHED)
        training_class.refresh_from_db()
        return training_class

    def test_trainees_below_80_percent_are_listed(self, login, county_user, finished_class):
        steady, short, absent = finished_class.enrollments.order_by("id")
        client = login(county_user)
        everyone = client.get(reverse("supervision:attendance_trainees", args=[finished_class.pk])).content.decode()
        assert "8 / 10" in everyone and "7 / 10" in everyone and "0 / 10" in everyone
        below = client.get(reverse("supervision:attendance_trainees", args=[finished_class.pk]) + "?below=1").content.decode()
        assert short.trainee.name in below and absent.trainee.name in below and steady.trainee.name not in below
        assert "出勤不足（2）" in below

    def test_the_class_shows_attended_against_registered_hours(self, login, county_user, finished_class):
        page = login(county_user).get(reverse("supervision:attendance_class", args=[finished_class.pk])).content.decode()
        # 15 of 30 trainee-days: half of the 90 registered hours.
        assert "15 / 30（50.0%）" in page and "约 45 / 90 课时" in page
        assert "共 10 天" in page and '<a class="text-danger fw-semibold"' in page

    def test_the_county_dismisses_a_shortfall_with_a_reason(self, login, county_user, finished_class):
        short = finished_class.enrollments.order_by("id")[1]
        steady = finished_class.enrollments.order_by("id")[0]
        client = login(county_user)
        client.post(reverse("supervision:shortfall_dismiss", args=[finished_class.pk, short.pk]), {"reason": "病假三天，有医院证明"})
        dismissal = ShortfallDismissal.objects.get(enrollment=short)
        assert (dismissal.attended_days, dismissal.training_days, dismissal.dismissed_by) == (7, 10, county_user)
        assert "已核销：病假三天，有医院证明" in client.get(reverse("supervision:attendance_trainees", args=[finished_class.pk]) + "?below=1").content.decode()
        with pytest.raises(ServiceError, match="未低于80%"):
            services.shortfall_dismiss(actor=county_user, enrollment=steady, reason="x")

    def test_moving_the_start_date_leaves_earlier_check_ins_out_of_the_count(self, login, county_user, finished_class):
        TrainingClass.objects.filter(pk=finished_class.pk).update(start_date=date(2026, 9, 5))
        page = login(county_user).get(reverse("supervision:attendance_trainees", args=[finished_class.pk])).content.decode()
        assert "4 / 6" in page and "3 / 6" in page  # 9-5..9-8 and 9-5..9-7 of the six days left

    def test_a_class_not_started_has_nobody_below(self, login, county_user, training_class):
        enroll(training_class, 3)
        page = login(county_user).get(reverse("supervision:attendance_trainees", args=[training_class.pk]) + "?below=1")
        assert "出勤不足（0）" in page.content.decode()

    def test_a_class_in_training_counts_up_to_yesterday(self, site, running_class, login, county_user):
        check_in_at(site, running_class.enrollments.first(), 10)  # today: not counted yet
        page = login(county_user).get(reverse("supervision:attendance_class", args=[running_class.pk])).content.decode()
        assert "已计入培训天数</th><td>5 天" in page
        assert "0 / 25" in page


class TestSpotChecks:
    @pytest.fixture
    def photos(self, site, running_class):
        enrollments = list(running_class.enrollments.order_by("id"))
        return [check_in_at(site, enrollment, 20, day=timezone.localdate() - timedelta(days=offset))
                for offset in range(3) for enrollment in enrollments]

    def test_the_county_draws_photos_at_random_and_the_draw_can_be_re_derived(self, login, county_user, running_class, photos):
        client = login(county_user)
        response = client.post(reverse("supervision:spot_checks", args=[running_class.pk]), {"size": "4"})
        spot_check = PhotoSpotCheck.objects.get()
        assert response["Location"] == reverse("supervision:spot_check", args=[spot_check.pk])
        drawn = list(spot_check.items.order_by("position").values_list("check_in_id", flat=True))
        assert drawn == attendance_rules.spot_check_order(spot_check.candidates, spot_check.seed, 4)
        assert sorted(spot_check.candidates) == sorted([photo.pk, photo.enrollment_id] for photo in photos)
        assert len({CheckIn.objects.get(pk=pk).enrollment_id for pk in drawn}) == 4  # four different trainees
        page = client.get(reverse("supervision:spot_check", args=[spot_check.pk])).content.decode()
        assert page.count('class="card-img-top spot-photo"') == 4 and spot_check.seed in page
        assert "同一学员其他日期的照片" in page

    def test_a_verdict_is_kept_with_who_and_when(self, login, county_user, running_class, photos):
        spot_check = services.spot_check_draw(actor=county_user, training_class=running_class, size=2)
        item = spot_check.items.first()
        client = login(county_user)
        prefix = f"item-{item.pk}"
        client.post(reverse("supervision:spot_check_verdict", args=[item.pk]), {f"{prefix}-verdict": "other_person", f"{prefix}-note": ""})
        item.refresh_from_db()
        assert item.verdict == ""  # 非本人 needs a reason
        client.post(reverse("supervision:spot_check_verdict", args=[item.pk]), {f"{prefix}-verdict": "other_person", f"{prefix}-note": "与其他日期照片不是同一人"})
        client.post(reverse("supervision:spot_check_verdict", args=[item.pk]), {f"{prefix}-verdict": "bogus"})
        item.refresh_from_db()
        assert (item.verdict, item.decided_by, item.note) == ("other_person", county_user, "与其他日期照片不是同一人")
        assert item.decided_at is not None
        services.spot_check_verdict_record(actor=county_user, item=item, verdict="undetermined")
        assert [(record.verdict, record.history_user) for record in item.history.order_by("history_date")] == [
            ("other_person", county_user), ("undetermined", county_user)]
        summary = client.get(reverse("supervision:attendance_class", args=[running_class.pk])).content.decode()
        assert "无法判断 1" in summary

    def test_no_draw_without_photos_or_with_a_silly_size(self, county_user, running_class, site):
        with pytest.raises(ServiceError, match="没有带照片"):
            services.spot_check_draw(actor=county_user, training_class=running_class, size=5)
        with pytest.raises(ServiceError, match="1 到 50"):
            services.spot_check_draw(actor=county_user, training_class=running_class, size=0)

    def test_only_bureaus_of_the_class_draw_and_judge(self, login, county_user, other_county_user, institution_user, running_class, photos):
        spot_check = services.spot_check_draw(actor=county_user, training_class=running_class, size=2)
        item = spot_check.items.first()
        for user in (other_county_user, institution_user):
            with pytest.raises(ServiceError):
                services.spot_check_draw(actor=user, training_class=running_class, size=2)
            with pytest.raises(ServiceError):
                services.spot_check_verdict_record(actor=user, item=item, verdict="same_person")
            client = login(user)
            assert client.get(reverse("supervision:spot_check", args=[spot_check.pk])).status_code == 404
            assert client.post(reverse("supervision:spot_check_verdict", args=[item.pk]), {f"item-{item.pk}-verdict": "same_person"}).status_code == 404
        item.refresh_from_db()
        assert item.verdict == ""
        assert PhotoSpotCheck.objects.count() == 1


# Scoping on every URL ---------------------------------------------------------------------------------------


def staff_urls(training_class, *, check_in=None, spot_check=None, enrollment=None):
    pk = training_class.pk
    day = timezone.localdate().isoformat()
    urls = [
        reverse("supervision:attendance_class", args=[pk]),
        reverse("supervision:attendance_trainees", args=[pk]),
        reverse("supervision:attendance_day", args=[pk, day]),
        reverse("supervision:class_site_edit", args=[pk]),
        reverse("supervision:attendance_code", args=[pk]),
        reverse("supervision:attendance_code_current", args=[pk]),
        reverse("supervision:spot_checks", args=[pk]),
    ]
    if check_in:
        urls.append(reverse("supervision:check_in_photo", args=[check_in.pk]))
    if spot_check:
        urls.append(reverse("supervision:spot_check", args=[spot_check.pk]))
    return urls


def staff_posts(training_class, *, check_in, spot_check, enrollment):
    item = spot_check.items.first()
    return [
        (reverse("supervision:attendance_day_open", args=[training_class.pk]), {}),
        (reverse("supervision:class_site_edit", args=[training_class.pk]), {"address": "x", "latitude": "1", "longitude": "1"}),
        (reverse("supervision:spot_checks", args=[training_class.pk]), {"size": "1"}),
        (reverse("supervision:check_in_dismiss", args=[check_in.pk]), {"reason": "越权核销"}),
        (reverse("supervision:shortfall_dismiss", args=[training_class.pk, enrollment.pk]), {"reason": "越权核销"}),
        (reverse("supervision:spot_check_verdict", args=[item.pk]), {f"item-{item.pk}-verdict": "same_person"}),
    ]


class TestScoping:
    @pytest.fixture
    def their(self, other_running_class, other_county_user):
        check_in = CheckIn.objects.get(training_class=other_running_class)
        spot_check = services.spot_check_draw(actor=other_county_user, training_class=other_running_class, size=1)
        return {"training_class": other_running_class, "check_in": check_in, "spot_check": spot_check,
                "enrollment": check_in.enrollment}

    def test_another_county_gets_404_on_every_page_and_photo(self, login, county_user, their):
        client = login(county_user)
        for url in staff_urls(their["training_class"], check_in=their["check_in"], spot_check=their["spot_check"]):
            assert client.get(url).status_code == 404, url
        for url, data in staff_posts(**their):
            assert client.post(url, data).status_code == 404, url
        check_in = their["check_in"]
        check_in.refresh_from_db()
        assert check_in.flag_dismissed_at is None and not ShortfallDismissal.objects.exists()
        assert PhotoSpotCheck.objects.count() == 1 and not PhotoSpotCheckItem.objects.exclude(verdict="").exists()

    def test_anonymous_visitors_are_sent_to_login_and_never_see_a_photo(self, client, their):
        for url in staff_urls(their["training_class"], check_in=their["check_in"], spot_check=their["spot_check"]):
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
            assert response.get("Content-Type", "").startswith("text/html")
        for url, data in staff_posts(**their):
            assert client.post(url, data).status_code == 302

    def test_the_other_institution_sees_nothing_of_the_class(self, login, institution_user, their):
        client = login(institution_user)
        for url in staff_urls(their["training_class"], check_in=their["check_in"], spot_check=their["spot_check"]):
            assert client.get(url).status_code == 404, url

    def test_the_county_and_league_of_the_class_see_its_photo(self, login, other_county_user, league_user, their):
        for user in (other_county_user, league_user):
            response = login(user).get(reverse("supervision:check_in_photo", args=[their["check_in"].pk]))
            assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
            assert b"".join(response).startswith(b"\xff\xd8")
            assert "no-store" in response["Cache-Control"]

    def test_the_attendance_list_shows_only_the_users_classes(self, login, county_user, league_user, their, open_day, running_class):
        mine = login(county_user).get(reverse("supervision:attendance_classes")).content.decode()
        assert running_class.batch_number in mine and their["training_class"].batch_number not in mine
        everything = login(league_user).get(reverse("supervision:attendance_classes")).content.decode()
        assert running_class.batch_number in everything and their["training_class"].batch_number in everything

    def test_the_attendance_list_reads_a_fixed_number_of_queries(self, login, county_user, institution, occupation, django_assert_max_num_queries):
        def add_classes(start, count):
            for number in range(start, start + count):
                make_class(institution, occupation, batch_number=f"XA152201-2026-{number:03d}",
                           status=TrainingClass.Status.IN_TRAINING, start_date=timezone.localdate())

        add_classes(100, 2)
        client = login(county_user)
        with django_assert_max_num_queries(12) as few:
            client.get(reverse("supervision:attendance_classes"))
        add_classes(200, 20)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(reverse("supervision:attendance_classes")).content.decode().count("XA152201-2026-2") == 20


# Demo data --------------------------------------------------------------------------------------------------


def test_the_attendance_demo_is_idempotent_and_shows_every_signal(institution_user, county_user, institution, occupation, media_root):
    from supervision.demo_attendance import seed_attendance_demo

    today = timezone.localdate()
    running = make_class(institution, occupation, batch_number="XA152201-2026-091", status=TrainingClass.Status.IN_TRAINING,
                         start_date=today - timedelta(days=20), end_date=today + timedelta(days=2))
    finished = make_class(institution, occupation, batch_number="XA152201-2026-092", status=TrainingClass.Status.FINISHED,
                          start_date=today - timedelta(days=25), end_date=today - timedelta(days=5))
    old = make_class(institution, occupation, batch_number="XA152201-2026-093", status=TrainingClass.Status.FINISHED,
                     start_date=today - timedelta(days=120), end_date=today - timedelta(days=100))
    for training_class in (running, finished, old):
        enroll(training_class, 30)

    added = seed_attendance_demo(random.Random("demo"))
    counts = (CheckIn.objects.count(), AttendanceDay.objects.count(), ClassSite.objects.count(), PhotoSpotCheck.objects.count())
    assert seed_attendance_demo(random.Random("demo")) == 0
    assert (CheckIn.objects.count(), AttendanceDay.objects.count(), ClassSite.objects.count(), PhotoSpotCheck.objects.count()) == counts
    assert added == counts[0] > 500
    assert not CheckIn.objects.filter(training_class=old).exists()
    assert CheckIn.objects.filter(distance_m__gt=1000).exists() and CheckIn.objects.filter(distance_m__isnull=True).exists()
    photo = CheckIn.objects.exclude(photo="").first()
    assert (Path(media_root) / photo.photo.name).is_file()
    assert PhotoSpotCheck.objects.get().items.exclude(verdict="").count() == 3
    summary = attendance_selectors.class_attendance(finished, today=today, far_metres=1000)
    assert 0 < summary.below_count < 30
