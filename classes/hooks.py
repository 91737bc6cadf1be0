"""Explicit hooks through which the training domain wakes the apps above it, without importing them.

An upper app registers its callback at start-up (``AppConfig.ready``); ``classes`` and the apps that build on it
(evaluations, followups) only call the hook. Who registers what:

- ``register_class_finished``: followups draws the class's follow-up sample; supervision recomputes its fraud
  signals.
- ``register_class_changed``: supervision recomputes the class's fraud signals (policy §8.4) after a change that
  may make or clear one. The services that call it name the change with one of ``ClassChange``.
- ``register_start_gate``, ``register_registered_change_gate``: supervision's class-opening review (policy §8.2)
  answers whether a class may start and whether its registered fields may change (below).
"""

from collections.abc import Callable
from enum import StrEnum

ClassFinishedCallback = Callable[[int], None]
ClassChangedCallback = Callable[[int, str], None]

_class_finished_callbacks: list[ClassFinishedCallback] = []
_class_changed_callbacks: list[ClassChangedCallback] = []


class ClassChange(StrEnum):
    """What changed about a class, for the callbacks' logs."""

    CLASS_UPDATED = "class_updated"  # registered fields or roster (an edit, or an approved 备案变更)
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


# The class-opening review (policy §8.2) lives above this app. It answers two questions through these gates, each
# a callback taking the class's id and returning None (no objection) or the Chinese refusal the user sees.
ClassGate = Callable[[int], str | None]

_start_gates: list[ClassGate] = []
_registered_change_gates: list[ClassGate] = []


def register_start_gate(gate: ClassGate) -> None:
    """May the class start (筹备中 → 培训中)? Registered once per app at start-up."""
    if gate not in _start_gates:
        _start_gates.append(gate)


def register_registered_change_gate(gate: ClassGate) -> None:
    """May the class's registered fields and roster be changed directly by its institution? Registered once per
    app at start-up; a refusing gate routes such changes through its own change requests."""
    if gate not in _registered_change_gates:
        _registered_change_gates.append(gate)


def start_refusal(training_class_id: int) -> str | None:
    return _first_refusal(_start_gates, training_class_id)


def registered_change_refusal(training_class_id: int) -> str | None:
    return _first_refusal(_registered_change_gates, training_class_id)


def _first_refusal(gates: list[ClassGate], training_class_id: int) -> str | None:
    for gate in gates:
        refusal = gate(training_class_id)
        if refusal:
            return refusal
    return None
