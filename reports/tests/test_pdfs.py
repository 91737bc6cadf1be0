"""The official forms as PDF: text extracted, CJK font embedded as a subset, pages render non-blank, scoping."""

import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from evaluations.models import TraineeEvaluation
from evaluations.tests.conftest import add_forms, finished_class, self_assess, verify  # noqa: F401 (fixture)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(content: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def embedded_fonts(content: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return [line.split() for line in lines]


def dark_pixel_share(content: bytes, tmp_path: Path) -> float:
    """Renders page 1 to a greyscale PGM and measures how much of it is ink."""
    path = tmp_path / "render.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.pgm")).read_bytes()
    header_end = 0
    for _ in range(4):  # P5, width height, maxval: three newline-terminated fields after the magic
        header_end = image.index(b"\n", header_end) + 1
    pixels = image[header_end:]
    return sum(1 for value in pixels if value < 128) / len(pixels)


@pytest.fixture
def verified_class(finished_class, institution_user, county_user):  # noqa: F811
    add_forms(finished_class, ["excellent"] * 6 + ["good"] * 2)
    self_assess(institution_user, finished_class)
    verify(county_user, finished_class, passing=8)
    return finished_class


def test_form1_prints_the_class_and_both_evaluations_on_one_page(client, county_user, verified_class, tmp_path):
    client.force_login(county_user)
    response = client.get(reverse("reports:form1", args=[verified_class.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "兴安盟职业技能培训绩效评价表" in text
    assert verified_class.institution.name in text and verified_class.batch_number in text
    assert "赵老师" in text and "李科员" in text and "王局长" in text
    assert text.count("☑优") == 11 and text.count("☑良") == 11, "10 items + overall, once per party"
    assert "初审培训合格学员" in text
    assert pdf_pages(response.content, tmp_path) == 1
    fonts = embedded_fonts(response.content, tmp_path)
    cjk = [row for row in fonts if "CJK" in row[0]]
    assert cjk and all(row[-5:-2] == ["yes", "yes", "yes"] for row in cjk), fonts
    assert dark_pixel_share(response.content, tmp_path) > 0.01


def test_class_form2_has_one_page_per_valid_form_and_is_refused_to_institutions(
    client, institution_user, county_user, verified_class, tmp_path
):
    trainee = verified_class.enrollments.order_by("id").first().trainee
    client.force_login(institution_user)
    # Policy §6.6: the institution being evaluated never reads an individual 附表2, not even as a PDF.
    assert client.get(reverse("reports:class_form2", args=[verified_class.pk])).status_code == 404
    evaluation = verified_class.enrollments.order_by("id").first().evaluations.get()
    assert client.get(reverse("reports:trainee_form2", args=[evaluation.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_PERSONAL_DATA).exists()

    client.force_login(county_user)
    content = client.get(reverse("reports:class_form2", args=[verified_class.pk])).content
    assert trainee.id_number in pdf_text(content, tmp_path)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, actor=county_user).exists()


def test_one_trainee_form_prints_the_answers(client, county_user, verified_class, tmp_path):
    evaluation = TraineeEvaluation.objects.filter(enrollment__training_class=verified_class).first()
    client.force_login(county_user)
    text = pdf_text(client.get(reverse("reports:trainee_form2", args=[evaluation.pk])).content, tmp_path)
    assert evaluation.enrollment.trainee.name in text
    assert "培训、实操场地等设备情况" in text and "续航滴" not in text
    assert verified_class.institution.name in text
    assert "☑" in text


def test_blank_forms_for_paper_classes(client, institution_user, verified_class, tmp_path):
    client.force_login(institution_user)
    content = client.get(reverse("reports:blank_form2", args=[verified_class.pk])).content
    assert pdf_pages(content, tmp_path) == verified_class.enrollments.count()
    text = pdf_text(content, tmp_path)
    assert "☑" not in text and "□优" in text
    assert verified_class.enrollments.first().trainee.name in text
    for name in ("blank_form1", "blank_form2_generic"):
        blank = client.get(reverse(f"reports:{name}")).content
        assert pdf_pages(blank, tmp_path) == 1 and "☑" not in pdf_text(blank, tmp_path)


def test_follow_up_record_sheet_lists_the_completed_calls(client, county_user, finished_class, tmp_path):  # noqa: F811
    from evaluations.tests.conftest import complete_followups

    sample = complete_followups(finished_class, county_user)
    enrollment = sample.items.first().enrollment
    client.force_login(county_user)
    content = client.get(reverse("reports:followups", args=[finished_class.pk])).content
    text = pdf_text(content, tmp_path)
    assert "兴安盟职业技能培训电话跟踪回访记录表" in text
    assert enrollment.trainee.name in text and enrollment.phone in text and "单位就业" in text
    assert f"应回访 {sample.target_size} 人" in text and f"已完成 {sample.target_size} 人" in text
    assert dark_pixel_share(content, tmp_path) > 0.005
