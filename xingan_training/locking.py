"""Approved records are locked everywhere (policy §6.5): saves, deletes and queryset bulk updates alike.

A model opts in with ``LOCK_PATH``, the lookup from the model to its class review's status. The check runs
in ``save()``, ``delete()`` and ``QuerySet.update()/delete()``, so forms, the admin, imports and bulk updates
all meet the same refusal. No model import here: classes/models.py uses this without a cycle.
"""

from django.db import models

from xingan_training.errors import ServiceError

APPROVED = "approved"


class LockedRecordError(ServiceError):
    def __init__(self, message: str = "该培训班的评价已经盟级复核通过并锁定，不能再修改。"):
        super().__init__(message)


class LockableQuerySet(models.QuerySet):
    def locked(self) -> models.QuerySet:
        return self.filter(**{self.model.LOCK_PATH: APPROVED})

    def update(self, **kwargs):
        if self.locked().exists():
            raise LockedRecordError()
        return super().update(**kwargs)

    def delete(self):
        if self.locked().exists():
            raise LockedRecordError()
        return super().delete()


class LockableModel(models.Model):
    LOCK_PATH: str = ""

    objects = LockableQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_locked(self) -> bool:
        return self.pk is not None and type(self)._default_manager.filter(pk=self.pk).locked().exists()

    def save(self, *args, **kwargs):
        if self.is_locked():
            raise LockedRecordError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_locked():
            raise LockedRecordError()
        return super().delete(*args, **kwargs)
