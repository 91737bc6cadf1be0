"""Personal data at rest (issue #13 item 2): ID and phone numbers are AES-GCM ciphertext in the database, with a
blind index beside them; keys rotate; a tampered value is refused."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from classes.models import Enrollment, Trainee
from xingan_training import personal_data
from xingan_training.personal_data import DecryptionError, id_number_digest, phone_digest

BASE_DIR = Path(__file__).resolve().parents[2]
ID_NUMBER = "152201199001011236"
KEY_1 = {"k1": b"1" * 32}
KEY_2_THEN_1 = {"k2": b"2" * 32, "k1": b"1" * 32}
KEY_2 = {"k2": b"2" * 32}


def stored(table: str, column: str, pk: int, pk_column: str = "id") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{pk_column}" = %s', [pk])
        return cursor.fetchone()[0]


def store(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', [value, pk])


def make_trainee(category, id_number=ID_NUMBER) -> Trainee:
    return Trainee.objects.create(id_number=id_number, name="张三", gender="male", birth_date="1990-01-01",
                                  category=category)


@pytest.fixture
def category(reference_data):
    from classes.models import TraineeCategory

    return TraineeCategory.objects.first()


def test_a_value_round_trips_and_two_encryptions_differ(settings):
    first = personal_data.encrypt(ID_NUMBER, personal_data.RESIDENT_ID)
    second = personal_data.encrypt(ID_NUMBER, personal_data.RESIDENT_ID)
    assert first != second and ID_NUMBER not in first
    assert first.startswith(f"{next(iter(settings.FIELD_ENCRYPTION_KEYS))}:")
    assert personal_data.decrypt(first, personal_data.RESIDENT_ID) == ID_NUMBER


def test_a_ciphertext_of_one_purpose_does_not_open_as_another():
    phone = personal_data.encrypt("13812345678", personal_data.PHONE)
    with pytest.raises(DecryptionError):
        personal_data.decrypt(phone, personal_data.RESIDENT_ID)


def test_the_blind_index_is_keyed_per_purpose_and_normalises_an_id_number():
    assert id_number_digest(" 15220119900101123x ") == id_number_digest("15220119900101123X")
    assert len(id_number_digest(ID_NUMBER)) == 64 and ID_NUMBER not in id_number_digest(ID_NUMBER)
    assert personal_data.blind_index("13812345678", personal_data.PHONE) != personal_data.blind_index(
        "13812345678", personal_data.RESIDENT_ID
    )
    assert phone_digest("") == ""


def test_the_database_holds_ciphertext_and_the_model_reads_clear_text(category):
    trainee = make_trainee(category)
    raw = stored("classes_trainee", "id_number", trainee.pk)
    assert ID_NUMBER not in raw and raw.startswith("demo1:")
    assert stored("classes_trainee", "id_number_digest", trainee.pk) == id_number_digest(ID_NUMBER)
    assert Trainee.objects.get(pk=trainee.pk).id_number == ID_NUMBER
    history = trainee.history.get()
    assert ID_NUMBER not in stored("classes_historicaltrainee", "id_number", history.pk, "history_id")
    assert history.id_number == ID_NUMBER


def test_an_edited_ciphertext_is_refused(category):
    trainee = make_trainee(category)
    raw = stored("classes_trainee", "id_number", trainee.pk)
    key_id, _, encoded = raw.partition(":")
    blob = bytearray(base64.b64decode(encoded))
    blob[-1] ^= 1
    store("classes_trainee", "id_number", trainee.pk, f"{key_id}:{base64.b64encode(bytes(blob)).decode()}")
    with pytest.raises(DecryptionError):
        Trainee.objects.get(pk=trainee.pk)


def test_another_rows_ciphertext_copied_in_still_reads_as_that_value_never_as_garbage(category):
    """GCM authenticates the value and its purpose, not the row: a copy reads as what it is (documented limit)."""
    first = make_trainee(category)
    second = make_trainee(category, "152201199001011252")
    store("classes_trainee", "id_number", second.pk, stored("classes_trainee", "id_number", first.pk))
    assert Trainee.objects.get(pk=second.pk).id_number == ID_NUMBER


def test_one_person_per_id_number_is_enforced_on_the_digest(category):
    make_trainee(category)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_trainee(category)


def test_a_lookup_on_the_ciphertext_fails_loudly_instead_of_finding_nothing(category):
    with pytest.raises(FieldError):
        list(Trainee.objects.filter(id_number=ID_NUMBER))
    with pytest.raises(FieldError):
        list(Enrollment.objects.filter(phone__startswith="138"))
    assert Trainee.objects.filter(id_number_digest=id_number_digest(ID_NUMBER)).count() == 0


def test_rotation_new_key_encrypts_old_key_decrypts_command_moves_every_row(settings, training_class, category):
    settings.FIELD_ENCRYPTION_KEYS = {**KEY_1, **settings.FIELD_ENCRYPTION_KEYS}
    trainee = make_trainee(category)
    enrollment = Enrollment.objects.create(training_class=training_class, trainee=trainee, roster_name="张三",
                                           phone="13812345678")
    call_command("reencrypt_personal_data", stdout=open(os.devnull, "w"))  # the fixtures' rows under k1 too
    assert stored("classes_institution", "contact_phone", training_class.institution_id).startswith("k1:")
    assert stored("classes_trainee", "id_number", trainee.pk).startswith("k1:")

    settings.FIELD_ENCRYPTION_KEYS = KEY_2_THEN_1
    assert Trainee.objects.get(pk=trainee.pk).id_number == ID_NUMBER  # old rows still read
    newcomer = make_trainee(category, "152201199001011252")
    assert stored("classes_trainee", "id_number", newcomer.pk).startswith("k2:")  # the new key encrypts

    call_command("reencrypt_personal_data", "--batch-size", "1", stdout=open(os.devnull, "w"))
    assert stored("classes_trainee", "id_number", trainee.pk).startswith("k2:")
    assert stored("classes_enrollment", "phone", enrollment.pk).startswith("k2:")
    history_pk = trainee.history.get().pk
    assert stored("classes_historicaltrainee", "id_number", history_pk, "history_id").startswith("k2:")

    settings.FIELD_ENCRYPTION_KEYS = KEY_2  # k1 removed
    assert Trainee.objects.get(pk=trainee.pk).id_number == ID_NUMBER
    assert Enrollment.objects.get(pk=enrollment.pk).phone == "13812345678"
    assert Enrollment.objects.get(phone_digest=phone_digest("13812345678")).pk == enrollment.pk
    assert trainee.history.get().id_number == ID_NUMBER


def test_a_value_under_a_removed_key_is_refused(settings, category):
    settings.FIELD_ENCRYPTION_KEYS = KEY_1
    trainee = make_trainee(category)
    settings.FIELD_ENCRYPTION_KEYS = KEY_2
    with pytest.raises(DecryptionError):
        Trainee.objects.get(pk=trainee.pk)


@pytest.mark.parametrize("raw", ["", "k1", "k1:bm90IDMyIGJ5dGVz", "K1:" + "A" * 44, f"k1:{'A' * 43}=,k1:{'A' * 43}="])
def test_malformed_key_lists_are_refused(raw):
    with pytest.raises(ImproperlyConfigured):
        personal_data.parse_encryption_keys(raw)


def test_a_key_list_keeps_its_order_the_first_encrypts():
    one, two = base64.b64encode(b"1" * 32).decode(), base64.b64encode(b"2" * 32).decode()
    assert list(personal_data.parse_encryption_keys(f"k2:{two}, k1:{one}")) == ["k2", "k1"]


def _start_django(extra_environment: dict) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environment.update({"DJANGO_SETTINGS_MODULE": "xingan_training.settings", **extra_environment})
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=BASE_DIR, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_refuse_to_start_without_real_keys():
    production = {"SECRET_KEY": "k" * 60, "HTTPS": "true"}
    result = _start_django(production)
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEYS must be set in production" in result.stderr
    key = base64.b64encode(os.urandom(32)).decode()
    result = _start_django({**production, "FIELD_ENCRYPTION_KEYS": f"p1:{key}"})
    assert result.returncode != 0 and "BLIND_INDEX_KEY must be set in production" in result.stderr
    other = base64.b64encode(os.urandom(32)).decode()
    assert _start_django({**production, "FIELD_ENCRYPTION_KEYS": f"p1:{key}", "BLIND_INDEX_KEY": other}).returncode == 0
