"""Photos and documents of an inspection, judged by their content — never by the file name or the type the
browser claims. Accepted: JPEG, PNG and WebP images that Pillow can read, and PDF files that pypdf can open."""

import hashlib
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

# One photo from the phone, after inspection-offline.js scaled it to 2048 px, is 0.3–1 MB; a scanned document a
# few MB. nginx accepts 6 MB per request (README), so the form says so and the service refuses more.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
# A 50-megapixel phone camera stays below; a decompression bomb does not.
MAX_IMAGE_PIXELS = 60_000_000
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF = "application/pdf"


class AttachmentError(Exception):
    """The file is refused; str() is the Chinese reason shown to the inspector."""


@dataclass(frozen=True)
class CheckedAttachment:
    uploaded: object  # the UploadedFile, rewound
    name: str
    kind: str  # InspectionAttachment.Kind value
    content_type: str
    size: int
    sha256: str


def _display_name(uploaded) -> str:
    name = (getattr(uploaded, "name", "") or "附件").replace("\x00", "").strip()
    return name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or "附件"


def _sha256(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _image_type(uploaded, name: str) -> str | None:
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded) as image:
                content_type = IMAGE_FORMATS.get(image.format or "")
                if content_type is None:
                    raise AttachmentError(f"“{name}”的图片格式不支持，请上传 JPG、PNG 或 WebP 照片。")
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise AttachmentError(f"“{name}”的像素过多，请缩小后重新上传。")
                image.verify()
    except UnidentifiedImageError:
        return None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise AttachmentError(f"“{name}”的像素过多，请缩小后重新上传。") from error
    except (OSError, SyntaxError, ValueError) as error:  # Pillow's ways of saying the file is broken
        raise AttachmentError(f"“{name}”不是完整的图片文件，无法读取。") from error
    finally:
        uploaded.seek(0)
    return content_type


def _is_pdf(uploaded, name: str) -> bool:
    uploaded.seek(0)
    if uploaded.read(5) != b"%PDF-":
        uploaded.seek(0)
        return False
    uploaded.seek(0)
    try:
        reader = PdfReader(uploaded, strict=False)
        if len(reader.pages) < 1:
            raise AttachmentError(f"“{name}”是没有页面的 PDF 文件。")
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as error:
        raise AttachmentError(f"“{name}”不是完整的 PDF 文件，无法打开。") from error
    finally:
        uploaded.seek(0)
    return True


def check_attachment(uploaded) -> CheckedAttachment:
    """A photo or a PDF, or AttachmentError with the reason."""
    name = _display_name(uploaded)
    size = uploaded.size or 0
    if size == 0:
        raise AttachmentError(f"“{name}”是空文件。")
    if size > MAX_FILE_BYTES:
        raise AttachmentError(f"“{name}”超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请压缩后再上传。")
    if _is_pdf(uploaded, name):
        return CheckedAttachment(uploaded, name, "document", PDF, size, _sha256(uploaded))
    content_type = _image_type(uploaded, name)
    if content_type is None:
        raise AttachmentError(f"“{name}”既不是照片也不是 PDF 文件，只能上传 JPG、PNG、WebP 照片或 PDF 文件。")
    return CheckedAttachment(uploaded, name, "photo", content_type, size, _sha256(uploaded))


def check_attachments(files) -> list[CheckedAttachment]:
    """Every file of one submission, with the limits on their number and total size."""
    files = list(files)
    if len(files) > MAX_FILES:
        raise AttachmentError(f"一次最多上传 {MAX_FILES} 个附件。")
    checked = [check_attachment(uploaded) for uploaded in files]
    if sum(item.size for item in checked) > MAX_TOTAL_BYTES:
        raise AttachmentError(f"附件合计超过 {MAX_TOTAL_BYTES // (1024 * 1024)} MB，请减少照片数量或压缩后再上传。")
    return checked
