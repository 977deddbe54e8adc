"""Date a DOCX at SOURCE_DATE_EPOCH: its document properties and its ZIP entries.

pandoc dates a DOCX from SOURCE_DATE_EPOCH when the environment has it, and
from the clock when not (docProps/core.xml's ``dcterms:created`` and
``dcterms:modified``, and every ZIP entry). The pandoc path always gives it
the epoch; `quarto render` passes on whatever environment it was started in,
so its DOCX is re-dated here (`perrypress step quarto-finish`), and two
renders of the same sources are the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from pathlib import Path

log = logging.getLogger(__name__)

CORE = "docProps/core.xml"
DATES = re.compile(rb"(<dcterms:(?:created|modified) [^>]*>)[^<]*(</dcterms:)")


def redate_docx(path: Path, epoch: int) -> None:
    """Set the DOCX at ``path``'s creation and modification dates, and its entries' dates, to ``epoch`` (UTC)."""
    when = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive, zipfile.ZipFile(buffer, "w") as out:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == CORE:
                data = DATES.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.external_attr, entry.create_system = info.external_attr, info.create_system
            out.writestr(entry, data, compress_type=info.compress_type)
    path.write_bytes(buffer.getvalue())
    log.info("%s: dated %s", path.name, stamp.decode())
