"""What a document's bytes are: the file types taken, recognized by their first bytes (magic numbers), never by the
name the sender gave; and the checks an upload passes before a byte is kept. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass

from calaim.core.errors import ValidationFailed

# Enough of a file's start to recognize every type below.
HEAD_BYTES = 16


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    content_type: str
    endings: tuple[str, ...]

    def matches(self, head: bytes) -> bool:
        """Whether `head`, the file's first bytes, is this type's signature."""
        return _SIGNATURES[self.code](head)


_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
_SIGNATURES = {
    "pdf": lambda head: head.startswith(b"%PDF-"),
    "png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "tiff": lambda head: head.startswith((b"II*\x00", b"MM\x00*")),
    # An ISO media file: a box size, then "ftyp" and a HEIF brand.
    "heic": lambda head: head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS,
}
FILE_TYPES = {
    file_type.code: file_type
    for file_type in (
        FileType("pdf", "PDF", "application/pdf", (".pdf",)),
        FileType("png", "PNG image", "image/png", (".png",)),
        FileType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg")),
        FileType("tiff", "TIFF image", "image/tiff", (".tif", ".tiff")),
        FileType("heic", "HEIC image", "image/heic", (".heic", ".heif")),
    )
}


def file_type_of(head: bytes, accepted: tuple[str, ...]) -> FileType | None:
    """The accepted type whose signature `head` starts with, else None."""
    return next((FILE_TYPES[code] for code in accepted if FILE_TYPES[code].matches(head)), None)


def _ending(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


def upload_check(
    *, filename: str, head: bytes, size: int, accepted: tuple[str, ...], max_bytes: int, field: str = "file"
) -> FileType:
    """The type of an upload that is not empty, not over `max_bytes`, one of the `accepted` types by its content
    and named with one of that type's endings; otherwise ValidationFailed naming `field` and what is wrong."""
    if size <= 0 or not head:
        raise ValidationFailed("The file is empty: choose the file again.", field=field)
    if size > max_bytes:
        raise ValidationFailed(
            f"The file is {_megabytes(size)}; documents may be at most {_megabytes(max_bytes)}.", field=field
        )
    names = ", ".join(FILE_TYPES[code].label for code in accepted)
    found = file_type_of(head, accepted)
    if found is None:
        raise ValidationFailed(f"The file's content is not one of the types taken ({names}).", field=field)
    if _ending(filename) not in found.endings:
        raise ValidationFailed(
            f"The file's content is a {found.label} but its name ends in {_ending(filename) or 'nothing'}; "
            f"a {found.label} is named {' or '.join(found.endings)}.",
            field=field,
        )
    return found


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"
