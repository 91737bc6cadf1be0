"""Approved records are locked against every path (policy §6.5, §6.8): saves, deletes, new rows attached to an
approved class, and queryset bulk updates alike.

A model opts in with ``LOCK_PATH``, the lookup from the model to its class review's status. The check runs
in ``save()``, ``delete()`` and ``QuerySet.update()/delete()``, so forms, the admin, imports, bulk updates and
consequences (整改, 核查, untruthful marks) all meet the same refusal. The one sanctioned way back is the
league's reopening (撤销复核), which lifts the lock for its own transition only (``approval_lock_lifted``).
No model import here: classes/models.py uses this without a cycle.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

from xingan_training.errors import ServiceError

APPROVED = "approved"

_lock_lifted: ContextVar[bool] = ContextVar("approval_lock_lifted", default=False)


class LockedRecordError(ServiceError):
    def __init__(self, message: str = "该培训班的评价已经盟级复核通过并锁定，不能再修改；如需更正，须由盟级撤销复核。"):
        super().__init__(message)


@contextmanager
def approval_lock_lifted():
    """For the league's reopening service alone: the review row itself must change from 已通过 to 退回."""
    token = _lock_lifted.set(True)
    try:
        yield
    finally:
        _lock_lifted.reset(token)


def _enforced() -> bool:
    return not _lock_lifted.get()


class LockableQuerySet(models.QuerySet):
    def locked(self) -> models.QuerySet:
        return self.filter(**{self.model.LOCK_PATH: APPROVED})

    def update(self, **kwargs):
        if _enforced() and self.locked().exists():
            raise LockedRecordError()
        return super().update(**kwargs)

    def delete(self):
        if _enforced() and self.locked().exists():
            raise LockedRecordError()
        return super().delete()


class LockableModel(models.Model):
    LOCK_PATH: str = ""

    objects = LockableQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_locked(self) -> bool:
        """True when this row, or the parent a new or moved row would attach to, belongs to an approved class."""
        if self.pk is not None and type(self)._default_manager.filter(pk=self.pk).locked().exists():
            return True
        head, _, rest = self.LOCK_PATH.partition("__")
        parent_field = self._meta.get_field(head) if rest else None
        if parent_field is None or not parent_field.concrete:
            return False  # the path starts at a reverse relation (a class and its review): nothing to attach to
        parent_id = getattr(self, parent_field.attname)
        return parent_id is not None and parent_field.related_model._default_manager.filter(
            pk=parent_id, **{rest: APPROVED}
        ).exists()

    def save(self, *args, **kwargs):
        if _enforced() and self.is_locked():
            raise LockedRecordError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _enforced() and self.is_locked():
            raise LockedRecordError()
        return super().delete(*args, **kwargs)
