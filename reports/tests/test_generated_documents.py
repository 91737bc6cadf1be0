"""Big 附表2 sets render in the background: queued by the request, rendered by the task in chunks with progress,
downloaded through the class's scope, failures told in Chinese, files purged after a day."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import AuditEvent, Role
from conftest import make_user
from evaluations.tests.conftest import add_forms, finished_class  # noqa: F401 (fixture)
from reports import services
from reports.models import GeneratedDocument
from reports.tasks import purge_generated_documents, render_generated_document, resume_stalled_documents

from .test_pdfs import pdf_pages, pdf_text

FORMS = 10


@pytest.fixture(autouse=True)
def small_limits(settings, tmp_path):
    # Ten forms stand for a class of 200: above the inline limit, four chunks of three.
    settings.PDF_INLINE_MAX_PAGES = 4
    settings.PDF_RENDER_CHUNK_PAGES = 3
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def big_class(finished_class):  # noqa: F811
    add_forms(finished_class, ["excellent", "good", "fair"] * 3 + ["poor"])
    return finished_class


def request_document(client, user, training_class, django_capture_on_commit_callbacks) -> GeneratedDocument:
    client.force_login(user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(reverse("reports:class_form2", args=[training_class.pk]))
    document = GeneratedDocument.objects.filter(requested_by=user).latest("created_at")
    assert response.status_code == 302 and response.url == reverse("reports:document", args=[document.pk])
    assert len(callbacks) == 1, "the render task is queued once, after commit"
    return document


def status_of(client, document) -> dict:
    response = client.get(reverse("reports:document_status", args=[document.pk]))
    assert response.status_code == 200
    return response.json()


class TestBackgroundRendering:
    def test_a_large_class_is_rendered_by_the_task_with_every_form_and_full_progress(
        self, client, county_user, big_class, django_capture_on_commit_callbacks, tmp_path, monkeypatch
    ):
        document = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        assert status_of(client, document) | {"download_url": ""} == {
            "status": "queued", "status_label": "排队中", "pages_done": 0, "pages_total": FORMS, "is_finished": False,
            "download_url": "", "error": "",
        }
        page = client.get(reverse("reports:document", args=[document.pk])).content.decode()
        assert "排队中" in page and "刷新进度" in page and 'src="/static/js/document-progress.js"' in page
        assert "<script>" not in page, "no inline script under the CSP"

        # What the status page reads while the worker renders: after each chunk of three pages.
        seen = []
        report_progress = services._report_progress

        def watching(*args, **kwargs):
            report_progress(*args, **kwargs)
            seen.append((status_of(client, document)["status"], status_of(client, document)["pages_done"]))

        monkeypatch.setattr(services, "_report_progress", watching)
        assert render_generated_document(document.pk) == "done"
        assert seen == [("running", 0), ("running", 3), ("running", 6), ("running", 9), ("running", 10)]

        state = status_of(client, document)
        assert (state["status"], state["pages_done"], state["pages_total"]) == ("done", FORMS, FORMS)
        assert state["download_url"] == reverse("reports:document_download", args=[document.pk])
        assert "下载 附表2_XA152201-2026-050.pdf" in client.get(reverse("reports:document", args=[document.pk])).content.decode()

        response = client.get(state["download_url"])
        content = b"".join(response.streaming_content)
        assert response["Content-Type"] == "application/pdf"
        assert pdf_pages(content, tmp_path) == FORMS
        text = pdf_text(content, tmp_path)
        assert text.count("兴安盟职业技能培训学员绩效评价和诚信登记表") == FORMS
        for enrollment in big_class.enrollments.select_related("trainee"):
            assert enrollment.trainee.name in text and enrollment.trainee.id_number in text
        audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, actor=county_user)
        assert "后台生成的附表2" in audit.detail and audit.object_id == str(big_class.pk)

    def test_a_small_class_still_renders_inline(self, client, county_user, finished_class, tmp_path):  # noqa: F811
        add_forms(finished_class, ["good"] * 4)
        client.force_login(county_user)
        response = client.get(reverse("reports:class_form2", args=[finished_class.pk]))
        assert response["Content-Type"] == "application/pdf" and pdf_pages(response.content, tmp_path) == 4
        assert not GeneratedDocument.objects.exists()

    def test_an_institution_gets_no_document_of_its_trainees_forms(self, client, institution_user, big_class):
        # Policy §6.6: the institution never reads an individual 附表2, inline or rendered in the background.
        client.force_login(institution_user)
        assert client.get(reverse("reports:class_form2", args=[big_class.pk])).status_code == 404
        assert not GeneratedDocument.objects.exists()
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_PERSONAL_DATA).exists()

    def test_a_second_request_while_queued_reuses_the_document(
        self, client, county_user, big_class, django_capture_on_commit_callbacks
    ):
        first = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        response = client.get(reverse("reports:class_form2", args=[big_class.pk]))
        assert response.url == reverse("reports:document", args=[first.pk])
        assert GeneratedDocument.objects.count() == 1

        render_generated_document(first.pk)
        second = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        assert second.pk != first.pk, "a finished document is not reused: the forms may have changed"

    def test_a_row_stuck_without_progress_is_failed_and_replaced(
        self, client, county_user, big_class, django_capture_on_commit_callbacks
    ):
        stuck = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        GeneratedDocument.objects.filter(pk=stuck.pk).update(
            status="running", updated_at=timezone.now() - services.STALLED_AFTER - timedelta(minutes=1)
        )
        fresh = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        stuck.refresh_from_db()
        assert fresh.pk != stuck.pk and stuck.status == "failed" and "长时间没有进展" in stuck.error_message

    def test_a_delivery_after_a_worker_died_renders_the_document_again(
        self, client, county_user, big_class, django_capture_on_commit_callbacks
    ):
        document = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        # What a worker killed after three pages leaves behind; acks_late gives the message to another worker.
        GeneratedDocument.objects.filter(pk=document.pk).update(status="running", attempt=1, pages_done=3)
        assert render_generated_document(document.pk) == "done"
        document.refresh_from_db()
        assert (document.attempt, document.pages_done) == (2, FORMS)
        assert render_generated_document(document.pk) == "done", "a late duplicate delivery leaves it as it is"
        document.refresh_from_db()
        assert document.attempt == 2


    def test_a_slow_queue_is_waited_for_but_a_silent_worker_is_not(
        self, client, county_user, big_class, django_capture_on_commit_callbacks
    ):
        queued = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        GeneratedDocument.objects.filter(pk=queued.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
        client.get(reverse("reports:class_form2", args=[big_class.pk]))
        assert GeneratedDocument.objects.count() == 1, "ten minutes in the queue is a busy worker, not a lost message"

    def test_the_beat_task_requeues_a_document_whose_worker_died_then_gives_up(
        self, client, county_user, big_class, django_capture_on_commit_callbacks
    ):
        document = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        silent = timezone.now() - services.STALLED_AFTER - timedelta(seconds=1)
        GeneratedDocument.objects.filter(pk=document.pk).update(status="running", attempt=1, pages_done=3, updated_at=silent)
        with django_capture_on_commit_callbacks() as callbacks:
            assert resume_stalled_documents() == 1
        assert len(callbacks) == 1
        assert render_generated_document(document.pk) == "done"

        GeneratedDocument.objects.filter(pk=document.pk).update(status="running", attempt=services.MAX_ATTEMPTS, updated_at=silent)
        assert resume_stalled_documents() == 0
        state = status_of(client, document)
        assert state["status"] == "failed" and "已中断3次" in state["error"]

    def test_a_running_document_with_recent_progress_is_left_alone(
        self, client, county_user, big_class, django_capture_on_commit_callbacks
    ):
        document = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        GeneratedDocument.objects.filter(pk=document.pk).update(status="running", attempt=1)
        assert resume_stalled_documents() == 0
        document.refresh_from_db()
        assert document.status == "running"


class TestFailures:
    def test_a_requester_who_lost_the_class_gets_a_chinese_error_and_no_file(
        self, client, county_user, other_county, big_class, django_capture_on_commit_callbacks
    ):
        document = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        county_user.region = other_county  # moved to another county before a worker picked the document up
        county_user.save()
        assert render_generated_document(document.pk) == "failed"
        document.refresh_from_db()
        assert document.error_message == "申请人已无权查看该培训班，文件未生成。" and not document.file

    def test_a_rendering_error_is_recorded_in_chinese(
        self, client, county_user, big_class, django_capture_on_commit_callbacks, monkeypatch
    ):
        document = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)

        def disk_full(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(services, "render_pdf_in_chunks", disk_full)
        assert render_generated_document(document.pk) == "failed"
        state = status_of(client, document)
        assert state["status_label"] == "生成失败" and state["is_finished"] and state["download_url"] == ""
        assert state["error"].startswith("生成文件时出错")
        page = client.get(reverse("reports:document", args=[document.pk])).content.decode()
        assert "生成文件时出错" in page and "重新生成" in page
        download = client.get(reverse("reports:document_download", args=[document.pk]))
        assert download.status_code == 302 and download.url == reverse("reports:document", args=[document.pk])

    def test_a_broker_that_is_down_fails_the_document_at_once(
        self, client, county_user, big_class, django_capture_on_commit_callbacks, monkeypatch
    ):
        def broker_down(*args, **kwargs):
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        monkeypatch.setattr(render_generated_document, "apply_async", broker_down)
        client.force_login(county_user)
        with django_capture_on_commit_callbacks(execute=True):
            client.get(reverse("reports:class_form2", args=[big_class.pk]))
        document = GeneratedDocument.objects.get()
        assert document.status == "failed" and "任务队列暂时不可用" in document.error_message


class TestScoping:
    @pytest.fixture
    def document(self, client, county_user, big_class, django_capture_on_commit_callbacks):
        document = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
        render_generated_document(document.pk)
        client.logout()
        return document

    @staticmethod
    def answers(client, user, document):
        client.force_login(user)
        return [
            client.get(reverse(name, args=[document.pk])).status_code
            for name in ("reports:document", "reports:document_status", "reports:document_download")
        ]

    def test_another_county_and_its_institution_get_404(self, client, document, other_county_user, other_institution_user):
        assert self.answers(client, other_county_user, document) == [404, 404, 404]
        assert self.answers(client, other_institution_user, document) == [404, 404, 404]

    def test_the_class_institution_may_not_fetch_a_county_document(self, client, document, institution_user):
        assert self.answers(client, institution_user, document) == [404, 404, 404]

    def test_staff_of_the_class_scope_may(self, client, document, league_user, county):
        colleague = make_user("county-colleague", role=Role.COUNTY, region=county)
        assert self.answers(client, league_user, document) == [200, 200, 200]
        assert self.answers(client, colleague, document) == [200, 200, 200]

    def test_anonymous_users_are_sent_to_login(self, client, document):
        response = client.get(reverse("reports:document_status", args=[document.pk]))
        assert response.status_code == 302 and "login" in response.url


def test_documents_older_than_a_day_leave_the_disk_and_the_table(
    client, county_user, big_class, django_capture_on_commit_callbacks
):
    old = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)
    render_generated_document(old.pk)
    old.refresh_from_db()
    path = old.file.path
    GeneratedDocument.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    recent = request_document(client, county_user, big_class, django_capture_on_commit_callbacks)

    assert purge_generated_documents() == 1
    assert list(GeneratedDocument.objects.values_list("pk", flat=True)) == [recent.pk]
    from pathlib import Path

    assert not Path(path).exists()
