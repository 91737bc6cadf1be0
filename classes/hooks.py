"""Explicit hooks through which the training domain wakes the apps above it, without importing them.

An upper app registers its callback at start-up (``AppConfig.ready``); ``classes`` and the apps that build on it
(evaluations, followups) only call the hook. Who registers what:

- ``register_class_finished``: followups draws the class's follow-up sample; supervision recomputes its fraud
  signals.
- ``register_class_changed``: supervision recomputes the class's fraud signals (policy §8.4) after a change that
  may make or clear one. The services that call it name the change with one of ``ClassChange``.
"""

from collections.abc import Callable
from enum import StrEnum

ClassFinishedCallback = Callable[[int], None]
ClassChangedCallback = Callable[[int, str], None]

_class_finished_callbacks: list[ClassFinishedCallback] = []
_class_changed_callbacks: list[ClassChangedCallback] = []


class ClassChange(StrEnum):
    """What changed about a class, for the callbacks' logs."""

    CLASS_UPDATED = "class_updated"  # dates, occupation or location
    ROSTER_IMPORTED = "roster_imported"
    ROSTER_CHANGED = "roster_changed"  # a trainee removed or dropped
    TRAINEE_FORM = "trainee_form"  # a 附表2 submitted, entered or invalidated
    FOLLOWUP_CALL = "followup_call"  # a follow-up call completed


def register_class_finished(callback: ClassFinishedCallback) -> None:
    """Called once per app at start-up; registering the same callback twice keeps one."""
    if callback not in _class_finished_callbacks:
        _class_finished_callbacks.append(callback)


def notify_class_finished(training_class_id: int) -> None:
    """Runs inside the finishing transaction: callbacks that do work elsewhere queue it on commit."""
    for callback in _class_finished_callbacks:
        callback(training_class_id)


def register_class_changed(callback: ClassChangedCallback) -> None:
    """Called once per app at start-up; registering the same callback twice keeps one."""
    if callback not in _class_changed_callbacks:
        _class_changed_callbacks.append(callback)


def notify_class_changed(training_class_id: int, change: ClassChange) -> None:
    """Runs inside the changing transaction (or right after an autocommitted write): callbacks queue their work
    with ``transaction.on_commit``, so nothing runs for a change that rolls back."""
    for callback in _class_changed_callbacks:
        callback(training_class_id, str(change))
