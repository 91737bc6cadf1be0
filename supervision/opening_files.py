"""What an uploaded opening-review document is, judged by its content. Pure: no database, no Django.

An institution attaches its teaching plan and assessment plan as PDF, Word, Excel, JPG or PNG. The name and the
browser's content type are the uploader's to choose, so the type is read from the bytes (magic numbers, and for
Office files the container's own parts) and must agree with the extension; macro-carrying and encrypted Office
files are refused, and a zip container is bounded like a roster workbook (members, sizes, compression ratio).
"""

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath


@dataclass(frozen=True)
class DocumentType:
    code: str  # also the stored file's extension
    label: str
    content_type: str


DOCUMENT_TYPES = {
    "pdf": DocumentType("pdf", "PDF", "application/pdf"),
    "doc": DocumentType("doc", "Word 97-2003（.doc）", "application/msword"),
    "docx": DocumentType("docx", "Word（.docx）", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xls": DocumentType("xls", "Excel 97-2003（.xls）", "application/vnd.ms-excel"),
    "xlsx": DocumentType("xlsx", "Excel（.xlsx）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": DocumentType("jpg", "JPG 图片", "image/jpeg"),
    "png": DocumentType("png", "PNG 图片", "image/png"),
}
EXTENSIONS = {".pdf": "pdf", ".doc": "doc", ".docx": "docx", ".xls": "xls", ".xlsx": "xlsx", ".jpg": "jpg",
              ".jpeg": "jpg", ".png": "png"}
ACCEPTED = "PDF、Word（.doc/.docx）、Excel（.xls/.xlsx）、JPG、PNG"

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_ZIP_MEMBERS = 1000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_NAME_LENGTH = 200


class DocumentError(ValueError):
    """The upload cannot be accepted; str() is the Chinese user message."""


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _ole_type(data: bytes) -> str:
    # An OLE compound file names its streams in UTF-16 in its directory sectors.
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise DocumentError("文件已加密，请去除密码后再上传")
    if _utf16("_VBA_PROJECT") in data or _utf16("Macros") in data:
        raise DocumentError("文件含有宏，请另存为不含宏的文档或 PDF 后再上传")
    if _utf16("WordDocument") in data:
        return "doc"
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return "xls"
    raise DocumentError(f"无法识别的 Office 文件，请另存为 {ACCEPTED} 后再上传")


def _zip_type(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise DocumentError("文件已损坏，无法读取") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise DocumentError("文件结构异常，拒绝上传")
    if any(member.flag_bits & 0x1 for member in members):
        raise DocumentError("文件已加密，请去除密码后再上传")
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise DocumentError("文件解压后过大，拒绝上传")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
            raise DocumentError("文件压缩比异常（疑似压缩炸弹），拒绝上传")
    names = {member.filename for member in members}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise DocumentError("文件含有宏，请另存为不含宏的文档或 PDF 后再上传")
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    raise DocumentError(f"文件内容不是 {ACCEPTED} 中的一种")


def detect_type(data: bytes) -> str:
    """The document type the bytes are, or DocumentError."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR":
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(OLE_SIGNATURE):
        return _ole_type(data)
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    raise DocumentError(f"文件内容不是 {ACCEPTED} 中的一种")


def clean_file_name(file_name: str) -> str:
    """The name to show and to offer on download: the last path part, without control or invisible characters."""
    base = PureWindowsPath(PurePosixPath(file_name or "").name).name
    kept = "".join(char for char in unicodedata.normalize("NFC", base) if unicodedata.category(char)[0] != "C")
    kept = kept.strip().strip(".") or "未命名文件"
    if len(kept) > MAX_NAME_LENGTH:
        stem, dot, extension = kept.rpartition(".")
        kept = (stem[: MAX_NAME_LENGTH - len(extension) - 1] + dot + extension) if dot and len(extension) <= 10 else kept[:MAX_NAME_LENGTH]
    return kept


def document_type_of(data: bytes, file_name: str, *, max_bytes: int) -> DocumentType:
    """Checks an upload: not empty, within ``max_bytes``, an accepted extension, and content of that type."""
    if not data:
        raise DocumentError("文件为空")
    if len(data) > max_bytes:
        raise DocumentError(f"文件过大，上限为 {max_bytes // (1024 * 1024)} MB")
    extension = "." + clean_file_name(file_name).rpartition(".")[2].lower() if "." in (file_name or "") else ""
    claimed = EXTENSIONS.get(extension)
    if claimed is None:
        raise DocumentError(f"只接受 {ACCEPTED} 文件")
    detected = detect_type(data)
    if detected != claimed:
        raise DocumentError(
            f"文件内容（{DOCUMENT_TYPES[detected].label}）与扩展名（{extension}）不符，请确认文件后重新上传"
        )
    return DOCUMENT_TYPES[detected]
