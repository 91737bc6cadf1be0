"""Explicit hooks through which the training domain wakes the apps above it, without importing them.

An upper app registers its callback at start-up (``AppConfig.ready``); ``classes`` only calls the hook.
"""

from collections.abc import Callable

ClassFinishedCallback = Callable[[int], None]

_class_finished_callbacks: list[ClassFinishedCallback] = []


def register_class_finished(callback: ClassFinishedCallback) -> None:
    """Called once per app at start-up; registering the same callback twice keeps one."""
    if callback not in _class_finished_callbacks:
        _class_finished_callbacks.append(callback)


def notify_class_finished(training_class_id: int) -> None:
    """Runs inside the finishing transaction: callbacks that do work elsewhere queue it on commit."""
    for callback in _class_finished_callbacks:
        callback(training_class_id)
