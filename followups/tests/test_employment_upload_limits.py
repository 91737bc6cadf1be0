"""Issue #8 item 7 for the employment tracking file: the same hostile files, refused in under 2 s, nothing written."""

import re
import time
from functools import cache

import pytest

from classes.tests import hostile_workbooks as hostile
from followups import services
from followups.employment_file import COLUMNS
from followups.models import EmploymentRecord
from followups.tests.test_followups import ended_class
from xingan_training.errors import ServiceError

HEADERS = [label for _key, label in COLUMNS]
REFUSAL_SECONDS = 2
REFUSALS = {
    "lying dimension and a cell at XFD1048576": "工作表第 1048576 行超出上限",
    "a value at XFD1": "单元格 XFD1 超出名册范围",
    "3,000,000 whitespace-only rows": "工作表内容过大",
    "200,000 whitespace-only rows within the XML bound": "工作表第 5002 行超出上限",
    "300,000 shared strings": "共享字符串超出名册上限",
    "5,000 rows of 60 empty cells": "工作表单元格过多",
}


@cache
def hostile_file(kind: str, enrollment_id: int, name: str) -> bytes:
    first_row = [str(enrollment_id), name, "", "单位就业", "某酒店", "3000", ""]
    builders = {
        "lying dimension and a cell at XFD1048576": lambda: hostile.lying_dimension_and_last_row(HEADERS, first_row),
        "a value at XFD1": lambda: hostile.value_at_last_column(HEADERS, first_row),
        "3,000,000 whitespace-only rows": lambda: hostile.whitespace_rows(HEADERS, 3_000_000),
        "200,000 whitespace-only rows within the XML bound": lambda: hostile.whitespace_rows(HEADERS, 200_000),
        "300,000 shared strings": lambda: hostile.shared_strings_flood(HEADERS, 300_000),
        "5,000 rows of 60 empty cells": lambda: hostile.empty_cells_everywhere(HEADERS, 5000, 60),
    }
    return builders[kind]()


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_a_hostile_employment_file_is_refused_quickly_and_writes_nothing(institution_user, institution, occupation, kind):
    training_class = ended_class(institution, occupation, size=2)
    enrollment = training_class.enrollments.select_related("trainee").first()
    data = hostile_file(kind, enrollment.pk, enrollment.trainee.name)
    started = time.monotonic()
    with pytest.raises(ServiceError) as refusal:
        services.employment_records_import(actor=institution_user, training_class=training_class, data=data)
    elapsed = time.monotonic() - started
    assert REFUSALS[kind] in refusal.value.message and re.search(r"[\u4e00-\u9fff]", refusal.value.message)
    assert elapsed < REFUSAL_SECONDS, f"{kind}: refused after {elapsed:.2f} s"
    assert not EmploymentRecord.objects.exists()


def test_a_sound_file_with_a_lying_dimension_is_imported(institution_user, institution, occupation):
    training_class = ended_class(institution, occupation, size=1)
    enrollment = training_class.enrollments.select_related("trainee").first()
    data = hostile.lying_dimension_only(HEADERS, [str(enrollment.pk), enrollment.trainee.name, "", "单位就业", "某酒店", "3000", ""])
    written, errors = services.employment_records_import(actor=institution_user, training_class=training_class, data=data)
    assert (written, errors) == (1, [])
    assert EmploymentRecord.objects.get(enrollment=enrollment).employer == "某酒店"
