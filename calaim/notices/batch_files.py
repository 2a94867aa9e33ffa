"""The files of a mail batch, as the mail vendor takes them: one PDF per letter (`letter-<notice id>.pdf`, the stored
bytes exactly) and `manifest.csv`, one row per letter with the address block the envelope carries.

A batch's folder is written whole or not at all: into a hidden temporary folder beside it, then renamed into place,
so the vendor's pickup never sees half a batch. The ZIP the web app and the API serve is made from that folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from calaim.core.errors import Conflict, NotFound
from calaim.members.models import Member
from calaim.notices.models import MailBatch, Notice, NoticeLetter

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = (
    "notice_id", "member_cin", "recipient_name", "address_line_1", "address_line_2", "city", "state", "zip",
    "language", "kind", "due_date", "page_count", "sha256", "file_name",
)  # fmt: skip
# Every Medi-Cal member the plan mails lives in California.
STATE = "CA"
# Letters read from the database this many at a time: a day's batch of a large plan is thousands of PDFs.
CHUNK = 100
# Text a spreadsheet would run as a formula is kept as text (someone will open the manifest in one).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AddressBlock:
    """Where the envelope goes: the member's mailing address as calaim holds it when the batch is made."""

    name: str
    line_1: str
    line_2: str
    city: str
    zip_code: str

    def lines(self) -> list[str]:
        last = f"{self.city}, {STATE} {self.zip_code}"
        return [line for line in (self.name, self.line_1, self.line_2, last) if line]


def address_block(notice: Notice, member: Member) -> AddressBlock | None:
    """The letter's address block, or None when the member has no complete mailing address (street, city, ZIP)."""
    street = [line.strip() for line in member.address_line.replace("\r", "").split("\n") if line.strip()]
    city, zip_code = member.city.strip(), member.zip_code.strip()
    if not (street and city and zip_code):
        return None
    name = notice.recipient_name or member.full_name
    return AddressBlock(name, street[0], ", ".join(street[1:]), city, zip_code)


def letter_file_name(notice: Notice) -> str:
    return f"letter-{notice.pk}.pdf"


def manifest_row(notice: Notice, block: AddressBlock) -> list[str]:
    """One letter's manifest row, in MANIFEST_COLUMNS' order; `notice.letter` is loaded."""
    letter = notice.letter
    values = [
        str(notice.pk), notice.member.cin, block.name, block.line_1, block.line_2, block.city, STATE, block.zip_code,
        letter.language, notice.kind, notice.due_date.isoformat(), str(letter.page_count), letter.sha256,
        letter_file_name(notice),
    ]  # fmt: skip
    return ["'" + value if value.startswith(_FORMULA_STARTS) else value for value in values]


def manifest_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(MANIFEST_COLUMNS)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def batch_folder_write(root: Path, name: str, notices: Sequence[Notice], manifest: bytes) -> Path:
    """Write the letters' PDFs and the manifest into `root/name`, whole or not at all; a letter whose bytes no longer
    match its recorded SHA-256 stops the batch (it would not be the letter calaim produced)."""
    root.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=".mail-batch-", dir=root))
    try:
        for notice, pdf in _letter_bytes(notices):
            (temporary / letter_file_name(notice)).write_bytes(pdf)
        (temporary / MANIFEST_NAME).write_bytes(manifest)
        final = root / name
        os.rename(temporary, final)  # atomic on one file system; fails rather than merge into an existing folder
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return final


def _letter_bytes(notices: Sequence[Notice]) -> Iterator[tuple[Notice, bytes]]:
    for start in range(0, len(notices), CHUNK):
        chunk = notices[start : start + CHUNK]
        letters = NoticeLetter.objects.filter(notice_id__in=[notice.pk for notice in chunk]).only("pdf")
        pdfs = {letter.notice_id: bytes(letter.pdf) for letter in letters}
        for notice in chunk:
            pdf = pdfs[notice.pk]
            if hashlib.sha256(pdf).hexdigest() != notice.letter.sha256:
                raise Conflict(f"The letter of notice {notice.pk} does not match its recorded SHA-256; nothing mailed.")
            yield notice, pdf


def batch_zip_open(batch: MailBatch) -> tuple[IO[bytes], str]:
    """The batch's folder as a ZIP in a temporary file (read from its start; closed by whoever sends it) and the
    ZIP's name; 404 when the folder is no longer where calaim wrote it."""
    folder = Path(batch.out_dir) if batch.out_dir else None
    if folder is None or not folder.is_dir():
        raise NotFound("This batch's files are no longer kept where calaim wrote them.")
    archive = tempfile.TemporaryFile()  # noqa: SIM115  # handed to the caller, who closes it
    batch_zip_write(folder, archive)
    archive.seek(0)
    return archive, f"{folder.name}.zip"


def batch_zip_write(folder: Path, target: IO[bytes]) -> None:
    """The batch's folder (its PDFs and manifest.csv) as a ZIP written to `target`; PDFs are stored, not squeezed."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                compress = zipfile.ZIP_DEFLATED if path.name == MANIFEST_NAME else zipfile.ZIP_STORED
                archive.write(path, arcname=path.name, compress_type=compress)
