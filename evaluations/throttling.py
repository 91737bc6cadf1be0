"""Throttling of the trainee's public 附表2 form (/t/<token>/).

A whole class submits within minutes from one classroom Wi-Fi address, so submissions from one address are not
limited. What someone guessing needs is many name + ID number pairs that the roster refuses: those failures are
counted per link and per client address. Every submission a link takes in is counted too, which caps what one
leaked link can cost. A new link (new token) starts with fresh counters.

The counters live in the shared cache, so every web worker sees them, in fixed windows of
TRAINEE_FORM_THROTTLE_WINDOW seconds (a burst across a window's edge may see up to twice a limit).
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache

TOO_MANY_FAILURES = (
    "姓名或身份证号核对失败次数过多。为保护学员个人信息，请 {minutes} 分钟后再试；"
    "如确认填写无误，请联系培训机构核对花名册。"
)
LINK_OVERLOADED = "该评价链接提交过于频繁，请稍后再试，或向培训机构索取新的二维码。"


def _key(counter: str, subject: object) -> str:
    window = int(time.time() // settings.TRAINEE_FORM_THROTTLE_WINDOW)
    return f"trainee-form:{counter}:{subject}:{window}"


def _increment(key: str) -> None:
    window = settings.TRAINEE_FORM_THROTTLE_WINDOW
    try:
        cache.incr(key)  # the common case: the window's counter exists
    except ValueError:
        if cache.add(key, 1, timeout=window):
            return
        cache.incr(key)  # another worker started the window meanwhile
    # The file cache's incr() rewrites the key with the default timeout (300 s); the key names its window, so it only
    # has to outlive it.
    cache.touch(key, window)


def _address_subject(address: str | None) -> str:
    """The address counted: an IPv6 client picks any address of its /64 network at will, so the network counts."""
    if address and ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address or "unknown"


def submission_refusal(*, link_id: int, address: str | None) -> str:
    """Why a submission to this link from this address is refused now; "" when it may be checked (and is then
    counted against the link)."""
    link_failures = _key("failures-link", link_id)
    address_failures = _key("failures-address", _address_subject(address))
    link_submissions = _key("submissions-link", link_id)
    counts = cache.get_many([link_failures, address_failures, link_submissions])  # one round trip
    if (
        counts.get(link_failures, 0) >= settings.TRAINEE_FORM_LINK_FAILURE_LIMIT
        or counts.get(address_failures, 0) >= settings.TRAINEE_FORM_ADDRESS_FAILURE_LIMIT
    ):
        return TOO_MANY_FAILURES.format(minutes=max(1, settings.TRAINEE_FORM_THROTTLE_WINDOW // 60))
    if counts.get(link_submissions, 0) >= settings.TRAINEE_FORM_LINK_SUBMISSION_LIMIT:
        return LINK_OVERLOADED
    _increment(link_submissions)
    return ""


def identity_failure_record(*, link_id: int, address: str | None) -> None:
    """A name + ID number the link's roster refused: counts against the link and against the address."""
    _increment(_key("failures-link", link_id))
    _increment(_key("failures-address", _address_subject(address)))
