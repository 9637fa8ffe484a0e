"""The text of what customers attach: PDF, xlsx, csv, docx and plain text, read within limits.

Pure (bytes in, text out) and bounded: a file over MAX_BYTES is not opened; an Office file (a zip)
whose members would inflate past MAX_INFLATED, or a hundred times their size, is refused before it
is opened (a zip bomb); a PDF stream may inflate to MAX_PDF_STREAM (pypdf's own limits, lowered to it while one is read),
a PDF gives at most MAX_PAGES pages, an encrypted one nothing; every text
is cut at MAX_CHARS. Whatever goes wrong gives "unreadable" with the reason, and the rest of the
message is still read. Images and image-only PDFs are listed as not readable (no OCR).

Tables (spreadsheets, csv, docx tables) come out as lines of cells joined by " | ", the shape the
extractors already read as a table with a header row (serial, black, colour…).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

MAX_BYTES = 10_000_000         # an attachment larger than this is not opened
MAX_READ_PER_MESSAGE = 20_000_000  # bytes of the attachments of one message read in all
MAX_INFLATED = 50_000_000      # what an Office file's zip may inflate to
MAX_RATIO = 100                # inflated / compressed, beyond which a zip is a bomb
MAX_PAGES = 50
MAX_ROWS = 2_000               # per sheet or csv
MAX_SHEETS = 10
MAX_CHARS = 100_000            # of text per attachment
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Document:
    """What an attachment gave: its text by place ("page 2", "Relevés!A1") or why it could not be read."""

    name: str
    kind: str                     # pdf, xlsx, docx, csv, text, image, other
    pages: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    unreadable: str = ""
    locked: bool = False          # encrypted: it is there, but nobody here can open it
    pictured: bool = False        # an image, or a PDF of scans: only a picture, no text to check

    @property
    def text(self) -> str:
        return "\n\n".join(text for _, text in self.pages)

    def where(self, offset: int) -> str:
        """The place of a character of ``text``."""
        at = 0
        for where, text in self.pages:
            if offset < at + len(text) + 2:
                return where
            at += len(text) + 2
        return self.pages[-1][0] if self.pages else ""


def kind_of(name: str, content_type: str) -> str:
    lower, ctype = (name or "").lower(), (content_type or "").lower()
    if ctype == "application/pdf" or lower.endswith(".pdf"):
        return "pdf"
    if ctype == _XLSX or lower.endswith(".xlsx"):
        return "xlsx"
    if ctype == _DOCX or lower.endswith(".docx"):
        return "docx"
    if ctype in ("text/csv", "application/csv") or lower.endswith(".csv"):
        return "csv"
    if ctype == "text/plain" or lower.endswith(".txt"):
        return "text"
    if ctype.startswith("image/") or lower.endswith((".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp")):
        return "image"
    return "other"


def of_mail(mail) -> list[Document]:
    """The readable attachments' texts of a ``mime.Mail``, in the message's order; each file is read once
    per message, however many steps ask (the classifier of a body that says nothing, the extractors)."""
    if mail.documents is None:
        mail.documents = []
        for attachment, raw in zip(mail.attachments, mail.attachment_data):
            name, ctype = attachment.get("filename") or "", attachment.get("content_type") or ""
            kind = kind_of(name, ctype)
            if kind == "image" or raw:
                mail.documents.append(read(name, ctype, raw))
            elif kind != "other":  # a readable kind, past the bytes one message may read
                mail.documents.append(Document(name, kind, unreadable=f"{attachment.get('size')} bytes: over what is read"))
    return mail.documents


def read(name: str, content_type: str, data: bytes) -> Document:
    """The text of one attachment; never raises."""
    kind = kind_of(name, content_type)
    doc = Document(name, kind)
    if kind == "image":
        doc.unreadable, doc.pictured = "an image: not readable without OCR", True
    elif kind == "other":
        doc.unreadable = f"{content_type or 'unknown type'}: not read"
    elif len(data) > MAX_BYTES:
        doc.unreadable = f"{len(data)} bytes: over the {MAX_BYTES} read"
    else:
        try:
            _READERS[kind](data, doc)
        except Exception as exc:  # noqa: BLE001 - a broken file is one unreadable attachment, nothing more
            doc.pages, doc.unreadable = [], f"unreadable: {type(exc).__name__}: {str(exc)[:200]}"
        if not doc.unreadable and not any(text.strip() for _, text in doc.pages):
            doc.unreadable = "no text (a scan?): not readable without OCR" if kind == "pdf" else "empty"
            doc.pictured = kind == "pdf"
    total = 0
    for number, (where, text) in enumerate(doc.pages):
        if total + len(text) > MAX_CHARS:
            doc.pages = doc.pages[:number] + [(where, text[: MAX_CHARS - total])]
            break
        total += len(text)
    return doc


MAX_PDF_STREAM = 8_000_000  # what one PDF stream may inflate to (pypdf's own cap is 75 MB)


def _pdf(data: bytes, doc: Document) -> None:
    from pypdf import PdfReader, apply_configuration

    # a purchase order's or a K-bis's page is a few KB: a stream that inflates past this is a bomb
    limits = {name: MAX_PDF_STREAM for name in (
        "maximum_declared_stream_length", "array_based_stream_maximum_output_length", "lzw_maximum_output_length",
        "run_length_maximum_output_length", "zlib_maximum_output_length", "brotli_maximum_output_length",
        "jbig2_maximum_output_length", "image_maximum_buffer_size")}
    with apply_configuration(**limits, stream_decoding_work_maximum_length=4 * MAX_PDF_STREAM):
        reader = PdfReader(io.BytesIO(data), strict=False)
        # a PDF that only restricts what may be done with it (an owner password: registry extracts often are)
        # opens with an empty password; one that needs a password to be read is locked
        if reader.is_encrypted and not reader.decrypt(""):
            doc.unreadable, doc.locked = "an encrypted PDF: not read", True
            return
        total = 0
        for number, page in enumerate(reader.pages[:MAX_PAGES], 1):
            text = page.extract_text() or ""
            doc.pages.append((f"page {number}", text))
            total += len(text)
            if total > MAX_CHARS:
                break


def _zip_is_safe(data: bytes) -> str:
    """Why an Office file may not be opened ("" when it may)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > 2_000:
            return f"{len(members)} files in the archive"
        inflated = sum(m.file_size for m in members)
        if inflated > MAX_INFLATED or inflated > MAX_RATIO * max(1, len(data)):
            return f"inflates to {inflated} bytes from {len(data)}: refused (a zip bomb?)"
    return ""


def _xlsx(data: bytes, doc: Document) -> None:
    doc.unreadable = _zip_is_safe(data)
    if doc.unreadable:
        return
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets[:MAX_SHEETS]:
            lines = []
            for row in sheet.iter_rows(max_row=MAX_ROWS, values_only=True):
                cells = ["" if value is None else _cell(value) for value in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    lines.append(" | ".join(cells))
            doc.pages.append((f"feuille {sheet.title}", "\n".join(lines)))
    finally:
        book.close()


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _named(str(value).replace("\n", " ").strip())


_COLUMN_NAME = re.compile(r"(?<![^\W\d_])[^\W\d_]++(?:_[^\W\d_]++)++")  # words joined by underscores: "numero_serie"


def _named(cell: str) -> str:
    """A cell of words written as a column's name reads as words: "numero_serie", "compteur_nb" (a value keeps its
    underscores: "compta_fournisseurs@atelier.fr", "AB_123")."""
    return cell.replace("_", " ") if _COLUMN_NAME.fullmatch(cell) else cell


def _docx(data: bytes, doc: Document) -> None:
    doc.unreadable = _zip_is_safe(data)
    if doc.unreadable:
        return
    from docx import Document as Word

    word = Word(io.BytesIO(data))
    lines = [p.text for p in word.paragraphs]
    for table in word.tables[:50]:
        lines.append("")
        for row in table.rows[:MAX_ROWS]:
            lines.append(" | ".join(cell.text.replace("\n", " ").strip() for cell in row.cells))
    doc.pages.append(("document", "\n".join(lines)))


def _decoded(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv(data: bytes, doc: Document) -> None:
    text = _decoded(data[: MAX_CHARS * 4])
    delimiter = max(";,\t", key=lambda d: text[:2000].count(d))
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        if number >= MAX_ROWS:
            break
        rows.append(" | ".join(_named(cell.strip()) for cell in row))
    doc.pages.append(("tableau", "\n".join(rows)))


def _text(data: bytes, doc: Document) -> None:
    doc.pages.append(("texte", _decoded(data[: MAX_CHARS * 4])))


_READERS = {"pdf": _pdf, "xlsx": _xlsx, "docx": _docx, "csv": _csv, "text": _text}
