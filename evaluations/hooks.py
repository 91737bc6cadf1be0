"""Explicit hooks through which evaluations wakes the apps above it, without importing them (like classes/hooks.py).

An upper app registers its callback at start-up (``AppConfig.ready``); evaluations only calls the hook.
"""

from collections.abc import Callable

from .models import RectificationEvent

NoticeChangedCallback = Callable[[RectificationEvent], None]

_notice_changed_callbacks: list[NoticeChangedCallback] = []


def register_notice_changed(callback: NoticeChangedCallback) -> None:
    """Called once per app at start-up; registering the same callback twice keeps one."""
    if callback not in _notice_changed_callbacks:
        _notice_changed_callbacks.append(callback)


def notify_notice_changed(event: RectificationEvent) -> None:
    """Runs inside the transaction of every step of a 整改通知书 (issued, reported, sent back, closed), right after
    the notice and its event are written: a callback that fails undoes the step, so nothing above drifts apart."""
    for callback in _notice_changed_callbacks:
        callback(event)
