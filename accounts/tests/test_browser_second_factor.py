"""The second factor in Chromium, on a desktop and a phone: password, enrolment with the QR code drawn on the page,
recovery codes, then the account security page with the sessions."""

from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width, device", [(1280, "desktop"), (390, "phone")])
def test_county_staff_enrol_and_see_their_sessions(browser, live_server, county_user, width, device):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900 if width > 500 else 844},
                                  is_mobile=device == "phone")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill("county")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/accounts/second-factor/enrol/**")
    assert page.locator(".second-factor-qr svg").is_visible()
    assert page.get_by_role("link", name="培训班").count() == 0  # no navigation before the second factor
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"second-factor-enrol-{device}")

    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="确认绑定").click()
    assert "验证码不正确" in page.locator("form").first.inner_text()
    device_row = TOTPDevice.objects.get(user=county_user, confirmed=False)
    page.get_by_label("验证码").fill(current_code(device_row))
    page.get_by_role("button", name="确认绑定").click()
    codes = page.locator("#recovery-codes li")
    assert codes.count() == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"second-factor-recovery-codes-{device}")

    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/accounts/security/")
    sessions = page.locator("#session-list").inner_text()
    assert "当前会话" in sessions and "127.0.0.1" in sessions
    assert "已启用" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"account-security-{device}")
    context.close()
