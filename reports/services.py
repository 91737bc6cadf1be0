"""Documents too large for a web request: queued by the request, rendered by a worker, kept a day.

A class's 附表2 set takes ~0.15 s a page (bench/pdf.py); above settings.PDF_INLINE_MAX_PAGES the request
records a GeneratedDocument and a Celery task renders it in chunks, reporting progress after each chunk.
A list export above settings.EXPORT_INLINE_MAX_ROWS goes the same way, its progress counted in rows
(reports/exports, bench/exports.py).
"""

import logging
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import User
from classes.models import TrainingClass
from classes.selectors import classes_visible_to
from evaluations.permissions import review_actions_for
from xingan_training.errors import ServiceError

from .exports.columns import ListExport
from .exports.registry import export_spec_for
from .exports.services import export_query, list_export_write, reveals_personal_data, row_count
from .forms_data import BLANK, FULL, MASKED, form2_for
from .models import GeneratedDocument, Printout
from .pdf import render_pdf_in_chunks
from .selectors import class_form2_evaluations
from .verification.services import printout_record
from .verification.stamps import printout_stamp

logger = logging.getLogger(__name__)

Status = GeneratedDocument.Status
# A chunk of 20 pages takes a few seconds (bench/pdf.py): a running document silent for this long lost its
# worker. The file-system broker never redelivers a message whose worker was killed, Redis only after its
# visibility timeout (an hour), so a beat task puts such a document back in the queue itself.
STALLED_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3
# A queued document not started for this long lost its message (broker restarted without persistence):
# a new request replaces it instead of waiting.
LOST_AFTER = timedelta(minutes=30)
# Files may print full ID numbers: they are kept long enough to download, not as an archive.
KEEP_FOR = timedelta(days=1)

RENDER_FAILED = "生成文件时出错，文件未生成。请返回重新生成；如仍失败，请联系系统管理员。"
QUEUE_UNAVAILABLE = "后台任务队列暂时不可用，文件未生成。请稍后重新生成。"
STALE = "后台生成长时间没有进展（处理程序可能已中断），已停止。请重新生成。"
GAVE_UP = f"后台生成已中断{MAX_ATTEMPTS}次，已停止。请稍后重新生成；如仍失败，请联系系统管理员。"
NO_LONGER_VISIBLE = "申请人已无权查看该培训班，文件未生成。"
LIST_NO_LONGER_VISIBLE = "申请人已无权查看该列表，文件未生成。"


def may_print_full_numbers(user: User, training_class: TrainingClass) -> bool:
    """The full ID and phone print only for roles whose review needs them (the rule of the inline PDFs)."""
    return review_actions_for(user, training_class, None).can_download_full_ids


def class_form2_document_request(*, actor: User, training_class: TrainingClass, link_base: str = "") -> GeneratedDocument:
    """Queues all valid 附表2 of a class as one PDF for ``actor``, rendered by a worker.

    Anyone who may see the class may ask; the content is what the actor may see, masked as the inline PDF is.
    While one is queued or running for the same class and actor it is returned instead of a second one (the
    partial unique constraint settles two clicks at once); one that is stuck (``_is_stuck``) is failed and replaced.
    ``link_base`` is the address the verification QR code prints (reports.verification.stamps.link_base_for).
    """
    if not classes_visible_to(actor).filter(pk=training_class.pk).exists():
        raise ServiceError("培训班不存在或无权操作。")
    return _document_request(
        lookup={"kind": GeneratedDocument.Kind.CLASS_FORM2, "training_class": training_class, "requested_by": actor},
        fields={
            "has_full_numbers": may_print_full_numbers(actor, training_class),
            "pages_total": class_form2_evaluations(actor, training_class).count(),
            "link_base": link_base[:200],
        },
    )


def list_export_document_request(*, actor: User, spec: ListExport, params: QueryDict) -> GeneratedDocument:
    """Queues the export of a list too long to write within a request (above settings.EXPORT_INLINE_MAX_ROWS).

    Whoever may open the list may ask (the caller fetched ``spec`` through export_spec_for); the worker reads
    the rows again through the actor's scope with the same filters. The same list with the same filters
    asked again while one runs returns the running one.
    """
    if export_spec_for(actor, spec.key, params) is None:
        raise ServiceError("列表不存在或无权导出。")
    return _document_request(
        lookup={"kind": GeneratedDocument.Kind.LIST_EXPORT, "export_list": spec.key, "export_query": export_query(params),
                "requested_by": actor},
        fields={"has_full_numbers": reveals_personal_data(spec, actor)},
    )


def _document_request(*, lookup: dict, fields: dict) -> GeneratedDocument:
    now = timezone.now()
    with transaction.atomic():
        active = (
            GeneratedDocument.objects.select_for_update()
            .filter(**lookup, status__in=GeneratedDocument.ACTIVE_STATUSES)
            .first()
        )
        if active is not None and not _is_stuck(active, now=now):
            return active
        if active is not None:
            _fail(active, STALE)
        try:
            with transaction.atomic():
                document = GeneratedDocument.objects.create(**lookup, **fields)
        except IntegrityError:
            return GeneratedDocument.objects.get(**lookup, status__in=GeneratedDocument.ACTIVE_STATUSES)
        _enqueue_render(document.pk)
    return document


def _is_stuck(document: GeneratedDocument, *, now: datetime) -> bool:
    silent_for = now - document.updated_at
    return silent_for > (STALLED_AFTER if document.status == Status.RUNNING else LOST_AFTER)


def _enqueue_render(document_id: int) -> None:
    """After commit, so the worker finds the row. A broker that is down fails the row with a Chinese message
    at once instead of leaving the user watching a queue that will never move."""
    from .tasks import render_generated_document

    def send():
        try:
            render_generated_document.apply_async(args=[document_id], retry=False)
        except (OperationalError, OSError) as error:
            logger.warning("generated document %s not queued: broker unavailable (%s)", document_id, error)
            GeneratedDocument.objects.filter(pk=document_id, status=Status.QUEUED).update(
                status=Status.FAILED, error_message=QUEUE_UNAVAILABLE, finished_at=timezone.now()
            )

    transaction.on_commit(send)


class _Superseded(Exception):
    """The row is no longer this delivery's: a later delivery took it over, or it was purged."""


def generated_document_render(*, document_id: int) -> GeneratedDocument | None:
    """The worker's side: renders the document in chunks, reporting progress after each, and stores the file.

    Re-runnable: the task acks late, so a delivery that comes back after its worker died starts the document
    over under a new attempt; a done or failed document, or one purged meanwhile, is left alone. Reads go through
    the requester's scope at render time. Any failure is recorded on the row as a Chinese message.
    """
    document = _start_attempt(document_id)
    if document is None:
        return GeneratedDocument.objects.filter(pk=document_id).first()
    try:
        if document.kind == GeneratedDocument.Kind.LIST_EXPORT:
            return _store(document, *_render_list_export(document), extension="xlsx")
        return _store(document, *_render_class_form2(document), extension="pdf")
    except _Superseded:
        logger.info("generated document %s: attempt %s superseded", document_id, document.attempt)
        return None
    except ServiceError as error:
        return _fail_attempt(document, error.message)
    except Exception:
        # The worker's boundary: the requester reads a Chinese message, the log keeps the traceback.
        logger.exception("generated document %s failed", document_id)
        return _fail_attempt(document, RENDER_FAILED)


def _start_attempt(document_id: int) -> GeneratedDocument | None:
    with transaction.atomic():
        document = (
            # of=self: a list export has no class, and PostgreSQL locks no row on the nullable side of a join.
            GeneratedDocument.objects.select_for_update(of=("self",))
            .select_related("training_class", "requested_by")
            .filter(pk=document_id)
            .first()
        )
        if document is None or not document.is_active:
            return None
        document.status = Status.RUNNING
        document.attempt += 1
        document.pages_done = 0
        document.error_message = ""
        document.started_at = timezone.now()
        document.save()
    return document


def _render_class_form2(document: GeneratedDocument) -> tuple[File, int]:
    requester = document.requested_by
    training_class = classes_visible_to(requester).filter(pk=document.training_class_id).first()
    if training_class is None:
        raise ServiceError(NO_LONGER_VISIBLE)
    numbers = FULL if document.has_full_numbers and may_print_full_numbers(requester, training_class) else MASKED
    forms = [form2_for(evaluation, numbers=numbers) for evaluation in class_form2_evaluations(requester, training_class)]
    forms = forms or [form2_for(None, numbers=BLANK)]
    _report_progress(document, pages_done=0, pages_total=len(forms))
    printout = printout_record(actor=requester, kind=Printout.Kind.CLASS_FORM2, training_class=training_class)
    content = render_pdf_in_chunks(
        "reports/pdf/form2.html",
        forms,
        context_name="forms",
        chunk_size=settings.PDF_RENDER_CHUNK_PAGES,
        on_progress=lambda done: _report_progress(document, pages_done=done, pages_total=len(forms)),
        extra_context={"printout": printout_stamp(printout, link_base=document.link_base)},
    )
    return ContentFile(content), len(forms)


def _render_list_export(document: GeneratedDocument) -> tuple[File, int]:
    """The rows of the list as the requester may see them now, with the filters of the request."""
    requester = document.requested_by
    params = QueryDict(document.export_query)
    spec = export_spec_for(requester, document.export_list, params)
    if spec is None:
        raise ServiceError(LIST_NO_LONGER_VISIBLE)
    rows = spec.rows(requester, params)
    total = row_count(rows)
    _report_progress(document, pages_done=0, pages_total=total)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _store once saved)
    written = list_export_write(
        spec=spec, user=requester, rows=rows, target=handle,
        reveal=document.has_full_numbers and reveals_personal_data(spec, requester),
        # Rows added since the count still go into the file; the total grows with them.
        on_progress=lambda done: _report_progress(document, pages_done=done, pages_total=max(total, done)),
    )
    handle.seek(0)
    return File(handle), written


def _report_progress(document: GeneratedDocument, *, pages_done: int, pages_total: int) -> None:
    # Autocommitted at once, so the status page sees it while the rendering goes on.
    moved = GeneratedDocument.objects.filter(pk=document.pk, attempt=document.attempt, status=Status.RUNNING).update(
        pages_done=pages_done, pages_total=pages_total, updated_at=timezone.now()
    )
    if not moved:
        raise _Superseded


def _store(document: GeneratedDocument, content: File, pages: int, *, extension: str) -> GeneratedDocument:
    with transaction.atomic():
        locked = GeneratedDocument.objects.select_for_update(of=("self",)).select_related("training_class").filter(pk=document.pk).first()
        if locked is None or locked.attempt != document.attempt or locked.status != Status.RUNNING:
            raise _Superseded
        with content:
            locked.file.save(f"{locked.kind}-{locked.pk}.{extension}", content, save=False)
        locked.status = Status.DONE
        locked.pages_done = locked.pages_total = pages
        locked.finished_at = timezone.now()
        locked.save()
    return locked


def _fail(document: GeneratedDocument, message: str) -> None:
    document.status = Status.FAILED
    document.error_message = message
    document.finished_at = timezone.now()
    document.save()


def _fail_attempt(document: GeneratedDocument, message: str) -> GeneratedDocument | None:
    with transaction.atomic():
        locked = GeneratedDocument.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None or locked.attempt != document.attempt or locked.status != Status.RUNNING:
            return locked
        _fail(locked, message)
    return locked


def generated_documents_resume_stalled(*, now: datetime | None = None) -> int:
    """Beat task: a running document whose worker died (silent for STALLED_AFTER) goes back to the queue for a
    new attempt, up to MAX_ATTEMPTS; after that it fails with a Chinese message. A worker that was only slow
    finds its attempt superseded at its next progress report and stops. Returns how many were re-queued."""
    now = now or timezone.now()
    requeued = 0
    stalled = GeneratedDocument.objects.filter(status=Status.RUNNING, updated_at__lt=now - STALLED_AFTER)
    for document_id in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
            if document.status != Status.RUNNING or not _is_stuck(document, now=now):
                continue
            if document.attempt >= MAX_ATTEMPTS:
                _fail(document, GAVE_UP)
                continue
            document.status = Status.QUEUED
            document.save()
            _enqueue_render(document.pk)
            requeued += 1
    return requeued


def generated_documents_purge(*, older_than: datetime | None = None) -> int:
    """Beat task: documents requested more than KEEP_FOR ago leave the storage and the table, whatever their
    status (a row that old and still active has lost its worker). Returns how many were removed."""
    older_than = older_than or timezone.now() - KEEP_FOR
    removed = 0
    for document in GeneratedDocument.objects.filter(created_at__lt=older_than).iterator():
        if document.file:
            document.file.delete(save=False)
        document.delete()
        removed += 1
    return removed
