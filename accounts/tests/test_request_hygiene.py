"""Smaller hardening items: NUL bytes in requests, passwords like the username, the favicon, the admin in Chinese."""

import re

import pytest
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from conftest import PASSWORD
from evaluations import services as evaluation_services

NUL_REFUSAL = "不允许的空字符"


class TestNulBytes:
    @pytest.mark.parametrize("url", ["/classes/?q=ab%00cd", "/classes/?batch%00=1", "/classes/%00/", "/accounts/login/?next=/%00"])
    def test_a_nul_byte_in_the_path_or_a_query_parameter_gives_400(self, client, county_user, url):
        client.force_login(county_user)
        response = client.get(url)
        assert response.status_code == 400 and NUL_REFUSAL in response.content.decode()

    def test_a_nul_byte_in_a_form_field_gives_400(self, client, county_user):
        response = client.post(reverse("accounts:login"), {"username": "coun\x00ty", "password": PASSWORD})
        assert response.status_code == 400 and NUL_REFUSAL in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_requests_without_one_are_served(self, client, county_user):
        client.force_login(county_user)
        assert "培训班" in client.get("/classes/?q=abcd").content.decode()


class TestPasswordsLikeTheUsername:
    @pytest.mark.parametrize("password", ["County@2026xyz", "my-COUNTY-Pass-2026", "Ytnuoc-Hinggan-2026"])
    def test_a_password_containing_the_username_or_its_reverse_is_refused(self, county_user, password):
        with pytest.raises(ValidationError) as refusal:
            validate_password(password, user=county_user)
        assert "密码不能包含用户名或其倒序" in " ".join(refusal.value.messages)

    def test_other_passwords_and_very_short_usernames_pass(self, county_user):
        validate_password("Hinggan-League-2026", user=county_user)
        validate_password("Li-Hinggan-2026x", user=User(username="li"))

    def test_djangos_similarity_check_is_kept(self):
        names = {type(validator).__name__ for validator in get_default_password_validators()}
        assert {"UserAttributeSimilarityValidator", "UsernameInPasswordValidator"} <= names

    def test_the_password_change_page_refuses_it(self, client, county_user):
        client.force_login(county_user)
        response = client.post(reverse("accounts:password_change"), {
            "old_password": PASSWORD, "new_password1": "County@2026xyz", "new_password2": "County@2026xyz",
        })
        assert "密码不能包含用户名或其倒序" in response.content.decode()
        county_user.refresh_from_db()
        assert county_user.check_password(PASSWORD)


class TestFavicon:
    def test_favicon_ico_leads_to_the_icon(self, client, db):
        response = client.get("/favicon.ico", follow=True)
        assert response.redirect_chain[0][0].endswith("favicon.ico") and response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file's header

    def test_portal_pages_public_pages_and_the_poster_name_the_icon(self, client, county_user, training_class):
        link = evaluation_services.evaluation_link_create(actor=county_user, training_class=training_class)
        pages = {
            "login": client.get(reverse("accounts:login")),
            "trainee form": client.get(reverse("trainee_form_public", args=["no-such-token"])),
        }
        client.force_login(county_user)
        pages["poster"] = client.get(reverse("evaluations:link_poster", args=[link.training_class_id]))
        for name, response in pages.items():
            assert re.search(r'<link rel="icon" href="/static/favicon\.ico"', response.content.decode()), name


def test_the_admin_index_reads_in_chinese(client, superuser):
    # The password step is walked in test_second_factor.py; here the session has passed both factors.
    client.force_login(superuser)
    page = client.get("/admin/").content.decode()
    content = page[page.index('<div id="content-main">'):page.index('<div id="content-related">')]
    apps = re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", content)
    models = re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>([^<]+)</a>', content)
    assert "登录锁定" in apps and "用户与审计" in apps and "登录尝试" in models
    text = re.sub(r"<[^>]+>", " ", content)
    assert not re.findall(r"[A-Za-z]{2,}", text), "English in the admin index"
