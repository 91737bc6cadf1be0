"""The boundary between on-site inspections and the rectification ledger (policy §8.5 → §8.6).

An inspection whose findings need rectification (``Inspection.needs_rectification`` with ``rectification_text``)
raises an item in the ledger. The ledger registers its service here at start-up (``AppConfig.ready``);
``inspection_record`` calls the hook once per new record, inside the recording transaction, so the item and
the record commit or fail together. A repeated send of the same record does not call it again.
"""

from collections.abc import Callable

RectificationNeededCallback = Callable[[int], None]

_rectification_callbacks: list[RectificationNeededCallback] = []


def register_rectification_needed(callback: RectificationNeededCallback) -> None:
    """Registering the same callback twice keeps one."""
    if callback not in _rectification_callbacks:
        _rectification_callbacks.append(callback)


def unregister_rectification_needed(callback: RectificationNeededCallback) -> None:
    if callback in _rectification_callbacks:
        _rectification_callbacks.remove(callback)


def notify_rectification_needed(inspection_id: int) -> None:
    for callback in list(_rectification_callbacks):
        callback(inspection_id)
