"""Celery tasks: thin wrappers that take ids and call services (STYLE.md)."""

from celery import shared_task

from . import services
from .dashboards.services import class_figures_refresh


# acks_late + reject_on_worker_lost: a worker that dies mid-document leaves the message to another worker,
# which starts the document over (services.generated_document_render is re-runnable).
@shared_task(name="reports.render_generated_document", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=15 * 60, time_limit=16 * 60)
def render_generated_document(document_id: int) -> str | None:
    document = services.generated_document_render(document_id=document_id)
    return document.status if document else None


@shared_task(name="reports.resume_stalled_documents")
def resume_stalled_documents() -> int:
    return services.generated_documents_resume_stalled()


@shared_task(name="reports.purge_generated_documents")
def purge_generated_documents() -> int:
    return services.generated_documents_purge()


@shared_task(name="reports.refresh_class_figures")
def refresh_class_figures() -> int:
    return class_figures_refresh().rows_changed
