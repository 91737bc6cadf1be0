"""Streaming, bounded reading of the first worksheet of an untrusted .xlsx. No database, no Django.

Why not openpyxl: in read-only mode it trusts the sheet's <dimension> (every row padded to XFD), yields one
empty row for every missing row number (a cell at row 1,048,576 means a million rows), parses every cell
of a row before the caller sees it (about 4 µs each), and on loading parses a whole sheet that has no
<dimension>, every sheet of the workbook, styles included. A 5 KB upload could hold a web worker for minutes.

This reader parses only what a roster needs (the workbook's sheet list, its relationships, the shared
strings and the first sheet), with expat, as the zip member streams, and stops at the first limit passed:
bytes of XML, number of shared strings, number of cells, row number, column with content. A DTD in any
part is refused (no entity expansion, no external reference). The row limit is the row number in the
file, not a count of filled rows: rows that look blank still have to be parsed, so they count.
"""

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELATIONSHIPS = "xl/_rels/workbook.xml.rels"
SMALL_PART_MAX_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024
# Excel's own limit on the length of a cell's text.
MAX_CELL_CHARACTERS = 32767
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]*)$")


class WorkbookError(Exception):
    """The workbook cannot be read within its limits; str() is the Chinese user message."""


class UnsafeXmlError(WorkbookError):
    def __init__(self):
        super().__init__("文件包含不安全的 XML 内容（实体、DTD 或外部引用），拒绝导入")


class MalformedWorkbookError(WorkbookError):
    def __init__(self):
        super().__init__("文件无法读取，请使用下载的模板重新填写")


@dataclass(frozen=True)
class SheetLimits:
    """What one read of a sheet may cost. ``last_row`` counts the header row."""

    last_row: int
    max_columns: int
    max_cells: int
    max_xml_bytes: int


def column_letters(index: int) -> str:
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def first_sheet_rows(data: bytes, *, limits: SheetLimits) -> Iterator[tuple[int, dict[int, object]]]:
    """(row number, {column number: value}) for each row of the first sheet that has a value in the first
    ``limits.max_columns`` columns, in file order. Raises WorkbookError as soon as a limit is passed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise MalformedWorkbookError() from None
    with archive:
        sheet_path, strings_path = _first_sheet_paths(archive)
        shared_strings = _shared_strings(archive, strings_path, limits) if strings_path else []
        yield from _SheetReader(archive, sheet_path, shared_strings, limits).rows()


def _member(archive: zipfile.ZipFile, name: str, max_bytes: int, too_big: str):
    """Opens a member after checking its declared size; zipfile never returns more than it declares."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise MalformedWorkbookError() from None
    if info.file_size > max_bytes:
        raise WorkbookError(too_big)
    return archive.open(info)


def _parser(start=None, end=None, text=None) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args):
        raise UnsafeXmlError()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    return parser


def _feed(parser: expat.XMLParserType, stream, max_bytes: int, too_big: str) -> Iterator[None]:
    """Feeds the stream in chunks, yielding after each so the caller can hand on what was parsed."""
    read = 0
    with stream:
        while chunk := stream.read(CHUNK_BYTES):
            read += len(chunk)
            if read > max_bytes:
                raise WorkbookError(too_big)
            try:
                parser.Parse(chunk, False)
            except expat.ExpatError:
                raise MalformedWorkbookError() from None
            yield
        try:
            parser.Parse(b"", True)
        except expat.ExpatError:
            raise MalformedWorkbookError() from None
    yield


_LOCAL_NAMES: dict[str, str] = {}


def _local(name: str) -> str:
    """"{namespace}}local" -> "local", memoised: the handlers run once per element, hundreds of thousands of times."""
    local = _LOCAL_NAMES.get(name)
    if local is None:
        local = name[name.rfind("}") + 1 :]
        if len(_LOCAL_NAMES) < 1000:  # element names come from the file: never let it grow the cache unbounded
            _LOCAL_NAMES[name] = local
    return local


def _parse_small(archive: zipfile.ZipFile, name: str, start) -> None:
    too_big = "文件结构异常，拒绝导入"
    for _ in _feed(_parser(start=start), _member(archive, name, SMALL_PART_MAX_BYTES, too_big), SMALL_PART_MAX_BYTES, too_big):
        pass


def _first_sheet_paths(archive: zipfile.ZipFile) -> tuple[str, str | None]:
    """The first sheet of <sheets> (hidden or not, as Excel lists them) and the shared strings part."""
    sheet_ids: list[str] = []

    def on_workbook(name, attributes):
        if _local(name) == "sheet" and not sheet_ids:
            # The relationship id is the namespaced "id" attribute (transitional or strict namespace).
            sheet_ids.extend(value for key, value in attributes.items() if "}" in key and _local(key) == "id")

    _parse_small(archive, WORKBOOK, on_workbook)
    targets: dict[str, str] = {}
    strings: list[str] = []

    def on_relationships(name, attributes):
        if _local(name) != "Relationship":
            return
        target = _resolve(attributes.get("Target", ""))
        targets[attributes.get("Id", "")] = target
        if attributes.get("Type", "").endswith("/sharedStrings"):
            strings.append(target)

    _parse_small(archive, WORKBOOK_RELATIONSHIPS, on_relationships)
    if not sheet_ids or sheet_ids[0] not in targets:
        raise MalformedWorkbookError()
    return targets[sheet_ids[0]], (strings[0] if strings else None)


def _resolve(target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _shared_strings(archive: zipfile.ZipFile, name: str, limits: SheetLimits) -> list[str]:
    """Every shared string, in order. A string is the text of its <t> elements, phonetic runs (<rPh>) excluded."""
    too_big = "文件中的文字内容过多（共享字符串超出名册上限），拒绝导入"
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_text": False, "phonetic": 0}

    def start(element, _attributes):
        local = _local(element)
        if local == "si":
            parts.clear()
        elif local == "rPh":
            state["phonetic"] += 1
        elif local == "t" and not state["phonetic"]:
            state["in_text"] = True

    def end(element):
        local = _local(element)
        if local == "si":
            if len(strings) >= limits.max_cells:
                raise WorkbookError(too_big)
            strings.append("".join(parts))
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "t":
            state["in_text"] = False

    def text(data):
        if state["in_text"]:
            parts.append(data)

    stream = _member(archive, name, limits.max_xml_bytes, too_big)
    for _ in _feed(_parser(start, end, text), stream, limits.max_xml_bytes, too_big):
        pass
    return strings


class _SheetReader:
    """The expat handlers for one pass over <sheetData>; each handler enforces the limits it can see."""

    def __init__(self, archive, path, shared_strings, limits: SheetLimits):
        self.archive, self.path, self.shared_strings, self.limits = archive, path, shared_strings, limits
        self.finished_rows: list[tuple[int, dict[int, object]]] = []
        self.row_number = 0
        self.row: dict[int, object] | None = None
        self.column = 0
        self.cells = 0
        self.cell_type = ""
        # Text is kept only inside <v> (a cached value; a formula in <f> is never evaluated) and <t>
        # (an inline string), outside phonetic runs.
        self.text: list[str] = []
        self.text_length = 0
        self.is_collecting = False
        self.phonetic = 0
        self.too_big = (
            f"工作表内容过大（解压后超过 {limits.max_xml_bytes / (1024 * 1024):.1f} MB），"
            f"名册最多 {limits.last_row - 1} 行，请删除多余的行和列或分批导入"
        )

    def rows(self) -> Iterator[tuple[int, dict[int, object]]]:
        stream = _member(self.archive, self.path, self.limits.max_xml_bytes, self.too_big)
        parser = _parser(self.start, self.end, self.characters)
        for _ in _feed(parser, stream, self.limits.max_xml_bytes, self.too_big):
            yield from self.finished_rows
            self.finished_rows.clear()

    def start(self, element, attributes):
        local = _local(element)
        if local == "c":
            self.start_cell(attributes)
        elif local == "row":
            self.start_row(attributes)
        elif local in ("v", "t") and self.row is not None and not self.phonetic:
            self.is_collecting = True
        elif local == "rPh":
            self.phonetic += 1

    def start_row(self, attributes):
        number = attributes.get("r")
        if number is None:
            number = self.row_number + 1
        elif not number.isdigit():
            raise MalformedWorkbookError()
        number = int(number)
        if number <= self.row_number:
            raise WorkbookError("文件结构异常（行号重复或顺序错乱），拒绝导入")
        if number > self.limits.last_row:
            # Refused before the row is parsed: rows that look blank count by their number, like any other.
            raise WorkbookError(
                f"工作表第 {number} 行超出上限：名册最多 {self.limits.last_row - 1} 行学员（含表头共 "
                f"{self.limits.last_row} 行）。请删除多余的行（包括看似空白的行）或分批导入"
            )
        self.row_number, self.row, self.column = number, {}, 0

    def start_cell(self, attributes):
        if self.row is None:
            raise MalformedWorkbookError()
        self.cells += 1
        if self.cells > self.limits.max_cells:
            raise WorkbookError(f"工作表单元格过多（超过 {self.limits.max_cells} 个），请删除多余的行和列后重新上传")
        reference = attributes.get("r")
        if reference is None:
            self.column += 1
        else:
            match = _CELL_REFERENCE.match(reference)
            if match is None:
                raise MalformedWorkbookError()
            self.column = _column_number(match.group(1))
        self.cell_type = attributes.get("t", "n")
        self.text.clear()
        self.text_length = 0

    def characters(self, data):
        if self.is_collecting:
            self.text_length += len(data)
            if self.text_length > MAX_CELL_CHARACTERS:
                raise WorkbookError(f"第 {self.row_number} 行有单元格内容过长（超过 {MAX_CELL_CHARACTERS} 个字符），拒绝导入")
            self.text.append(data)

    def end(self, element):
        local = _local(element)
        if local == "c":
            self.end_cell()
        elif local in ("v", "t"):
            self.is_collecting = False
        elif local == "row":
            if self.row:
                self.finished_rows.append((self.row_number, self.row))
            self.row = None
        elif local == "rPh":
            self.phonetic -= 1

    def end_cell(self):
        value = self.cell_value("".join(self.text))
        if value is None or value == "":
            return
        if self.column > self.limits.max_columns:
            raise WorkbookError(
                f"单元格 {column_letters(self.column)}{self.row_number} 超出名册范围（最多 {self.limits.max_columns} 列），"
                "请删除多余的列后重新上传"
            )
        self.row[self.column] = value

    def cell_value(self, raw: str) -> object:
        if raw == "":
            return None
        kind = self.cell_type
        if kind == "s":
            try:
                return self.shared_strings[int(raw)]
            except (ValueError, IndexError):
                raise MalformedWorkbookError() from None
        if kind in ("inlineStr", "str", "e", "d"):
            return raw
        if kind == "b":
            return raw.strip() == "1"
        return _number(raw)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _number(raw: str) -> object:
    text = raw.strip()
    if not text:
        return None
    try:
        if "." in text or "e" in text or "E" in text:
            return float(text)
        return int(text)
    except ValueError:
        raise MalformedWorkbookError() from None
