"""The content check every upload of the portal shares: is it the document it claims to be?

Pure: no database. The file fields differ only in the types they accept (attachments, agreement,
reports, cost evidence and end results take documents; the cost model and the attendance list
take a workbook), so they all ask this module, each with its own allowed types and limits:

- `check_magic`: the first bytes are those of the type its name claims (a renamed executable
  with an ELF or MZ header called `.pdf` is refused);
- `check_zip`: an Office Open XML or OpenDocument file is a zip; only its directory is read
  (never a part), and it is refused when it is not a zip, does not hold the part that makes it
  that type, unpacks to more than the limit or has too many parts (a zip bomb: Python's
  zipfile, and so openpyxl, never unpacks more than the sizes this directory declares), holds
  macros, or links to other workbooks (external links, which is also how Excel stores a DDE
  link such as `=cmd|' /C calc'!A0`).

The size of the upload is checked by the caller from `uploaded.size` before anything is read.
"""

from __future__ import annotations

import zipfile

MAGIC = {
    # extension: the bytes the file must start with
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
# The part without which a zip is not a document of that type.
ZIP_PARTS = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".odt": "content.xml",
}
MAX_MEMBERS = 1_000


class UploadRejected(Exception):
    """The file is not what it claims to be; `code` says why (callers word the message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def extension_of(name: str) -> str:
    """`.pdf` for "Akkoord.PDF", "" for a name without a dot."""
    name = (name or "").lower().strip()
    dot = name.rfind(".")
    return name[dot:] if dot >= 0 else ""


def check_magic(head: bytes, extension: str) -> None:
    """Refuse content whose first bytes are not those of `extension` (code "content")."""
    if not any(head.startswith(magic) for magic in MAGIC.get(extension, ())):
        raise UploadRejected("content")


def check_zip(fileobj, extension: str, *, max_unpacked: int) -> None:
    """Refuse a zip-based document that is not a plain one of its type (see the module doc).

    Codes: "content" (not a zip of that type), "zip_bomb", "macros", "external_links".
    `fileobj` is rewound afterwards.
    """
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UploadRejected("content") from exc
    finally:
        fileobj.seek(0)
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > max_unpacked:
        raise UploadRejected("zip_bomb")
    names = {m.filename.lower() for m in members}
    if ZIP_PARTS[extension] not in names:
        raise UploadRejected("content")
    if any(n.endswith("vbaproject.bin") or n.startswith("basic/") for n in names):
        raise UploadRejected("macros")
    if any(n.startswith("xl/externallinks/") for n in names):
        raise UploadRejected("external_links")
