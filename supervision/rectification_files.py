"""Evidence attachments of the rectification ledger, checked by what they contain (policy §8.6).

A file is taken when its bytes are a PDF, JPEG or PNG that opens: the type comes from the content, never from the
name or the browser's Content-Type, and the download serves that type. Anything else is refused with a Chinese
message naming the file.
"""

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from xingan_training.errors import ServiceError

from .models import RectificationAttachment

Kind = RectificationAttachment.Kind
MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
SIGNATURES = ((b"%PDF-", Kind.PDF), (b"\xff\xd8\xff", Kind.JPEG), (b"\x89PNG\r\n\x1a\n", Kind.PNG))
IMAGE_FORMATS = {Kind.JPEG: "JPEG", Kind.PNG: "PNG"}
ACCEPTED = "只接受 PDF、JPG、PNG 文件"


@dataclass(frozen=True)
class CheckedUpload:
    upload: object  # a Django UploadedFile
    kind: str
    original_name: str
    size: int


def kind_of(head: bytes) -> str | None:
    """The attachment kind the first bytes announce, or None."""
    return next((kind for signature, kind in SIGNATURES if head.startswith(signature)), None)


def _opens(content: bytes, kind: str) -> bool:
    try:
        if kind == Kind.PDF:
            return len(PdfReader(io.BytesIO(content), strict=False).pages) > 0
        with warnings.catch_warnings():
            # A decompression bomb (an image far larger than any scan) is refused, not merely warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
                return image.format == IMAGE_FORMATS[kind]
    except (PyPdfError, OSError, ValueError, SyntaxError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        return False


def _display_name(name: str, kind: str) -> str:
    """The name the download offers: the user's own stem (no folders, no control characters) and the extension
    of what the file really is."""
    stem = PurePath((name or "").replace("\\", "/")).stem
    stem = "".join(char for char in stem if char.isprintable() and char not in '"/').strip() or "佐证材料"
    return f"{stem[:100]}{RectificationAttachment.EXTENSIONS[kind]}"


def checked_uploads(uploads) -> list[CheckedUpload]:
    """The uploads of one evidence report, each read and checked; refuses the whole report on the first bad one."""
    uploads = [upload for upload in uploads if upload is not None]
    if len(uploads) > MAX_FILES:
        raise ServiceError(f"每次最多上传 {MAX_FILES} 个附件。")
    checked = []
    for upload in uploads:
        name = getattr(upload, "name", "") or "附件"
        if not upload.size:
            raise ServiceError(f"附件“{name}”是空文件。")
        if upload.size > MAX_BYTES:
            raise ServiceError(f"附件“{name}”超过 {MAX_BYTES // (1024 * 1024)} MB。")
        upload.seek(0)
        content = upload.read()
        upload.seek(0)
        kind = kind_of(content[:8])
        if kind is None or not _opens(content, kind):
            raise ServiceError(f"附件“{name}”不是可打开的 PDF 或图片（{ACCEPTED}）。")
        checked.append(CheckedUpload(upload, kind, _display_name(name, kind), upload.size))
    return checked
