"""Every list of the portal as .xlsx (issue #11 item 2). One declarative ListExport per list (lists/), one writer
(workbook.py), one way in (services.py: inline up to EXPORT_INLINE_MAX_ROWS, a worker above it)."""
