"""The statistics report: a page to choose the period, the report as PDF and as .xlsx (same URL for every county:
the rows are the ones the user's scope holds)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from xingan_training.downloads import PDF, XLSX, file_response

from ..dashboards.forms import PeriodForm
from ..models import Printout
from ..pdf import render_pdf
from ..verification.stamps import printout_stamp_for
from .report import StatisticsReport, can_print_statistics, statistics_report_for
from .spreadsheet import statistics_xlsx_bytes


def _report(request) -> tuple[PeriodForm, StatisticsReport | None]:
    if not can_print_statistics(request.user):
        raise Http404
    form = PeriodForm(request.GET, with_month=False)
    period = form.period()
    return form, statistics_report_for(request.user, period=period) if period else None


def _file_name(report: StatisticsReport, extension: str) -> str:
    return f"培训质量监督和绩效评价情况统计表_{report.period.file_label}.{extension}"


@login_required
def statistics(request):
    form, report = _report(request)
    query = urlencode({"year": report.period.year, "quarter": report.period.quarter or ""}) if report else ""
    return render(request, "reports/statistics/statistics.html", {
        "form": form, "report": report,
        "pdf_url": f"{reverse('reports:statistics_pdf')}?{query}", "xlsx_url": f"{reverse('reports:statistics_xlsx')}?{query}",
    })


@login_required
def statistics_pdf(request):
    _, report = _report(request)
    if report is None:
        raise Http404
    stamp = printout_stamp_for(
        request, kind=Printout.Kind.STATISTICS_REPORT, object_id=report.printout_id, reference=report.printout_reference
    )
    content = render_pdf("reports/statistics/pdf.html", {"report": report, "printout": stamp})
    return file_response(content, _file_name(report, "pdf"), PDF, inline=True)


@login_required
def statistics_xlsx(request):
    _, report = _report(request)
    if report is None:
        raise Http404
    return file_response(statistics_xlsx_bytes(report), _file_name(report, "xlsx"), XLSX)
