"""Reading XML and zip files that teachers upload, without letting them hurt the server.

XML: defusedxml refuses any document type declaration, so neither entity expansion (the
"billion laughs") nor external entities (XXE: reading a server file or URL) can happen. Zip:
the entry count and every entry's real size are capped (a declared size can lie), and a name
that could point outside the package (``../``, an absolute path, a drive letter) refuses the
whole package, since such a file is made to attack whoever unpacks it.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_XML_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 5_000
MAX_ZIP_BYTES = 200 * 1024 * 1024  # uncompressed, all entries together
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeInput(ValueError):
    """The upload is refused as a whole; the message says why, for the teacher."""


def parse_xml(data: bytes, what: str = "the file") -> Element:
    if len(data) > MAX_XML_BYTES:
        raise UnsafeInput(f"{what} is {len(data):,} bytes; at most {MAX_XML_BYTES:,}")
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise UnsafeInput(f"{what} declares a document type (<!DOCTYPE>), which can expand "
                          f"entities or read other files: such XML is refused") from None
    except ParseError as exc:
        raise UnsafeInput(f"{what} is not well-formed XML ({exc})") from None
    except LookupError as exc:  # <?xml encoding="..."?> naming no codec Python knows
        raise UnsafeInput(f"{what} declares an unknown encoding ({exc})") from None


def read_zip(data: bytes, *, max_entries: int = MAX_ZIP_ENTRIES,
             max_bytes: int = MAX_ZIP_BYTES) -> dict[str, bytes]:
    """Every file in the zip by its name (folders left out)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise UnsafeInput("not a zip file") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > max_entries:
            raise UnsafeInput(f"the package has {len(entries):,} files; at most {max_entries:,}")
        for entry in entries:
            _check_name(entry.filename)
        files: dict[str, bytes] = {}
        left = max_bytes
        for entry in entries:
            if entry.is_dir():
                continue
            body = _read_entry(archive, entry, left, max_bytes)
            left -= len(body)
            files[posixpath.normpath(entry.filename)] = body
        return files


def _check_name(name: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if (name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts or "\\" in name
            or "\x00" in name):
        raise UnsafeInput(f"the package holds a file named '{name}', which points outside the "
                          f"package: refused")


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, left: int,
                limit: int) -> bytes:
    try:
        with archive.open(entry) as stream:
            body = stream.read(left + 1)  # the real size, whatever the header claims
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
        raise UnsafeInput(f"'{entry.filename}' cannot be read from the zip ({exc})") from None
    if len(body) > left:
        raise UnsafeInput(f"the package unpacks to more than {limit:,} bytes: refused")
    return body
