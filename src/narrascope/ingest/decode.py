"""Turning untrusted bytes into text: size limit, binary sniffing, UTF-8 with a visible fallback."""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.errors import IngestError

DEFAULT_MAX_BYTES = 5_000_000

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "executable"),
    (b"RIFF", "RIFF media file"),
)


# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


# Codecs that `codecs.lookup` knows but that are no text charset a page can be in: bytes-to-bytes (base64, hex,
# zlib, ...) and str-to-str (rot13) transforms, IDNA/punycode host-name codecs, Python literal escapes, and
# `undefined`, which fails on every byte. A declaration naming one is treated as no declaration.
_NOT_CHARSETS = frozenset(
    {"idna", "punycode", "undefined", "unicode_escape", "raw_unicode_escape", "utf_7", "mbcs", "oem", "palmos"}
)
_META = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.IGNORECASE)
HTML_PRESCAN = 4096  # bytes searched for a <meta charset> (the HTML standard's prescan reads 1024)


def text_codec(label: str | None) -> str | None:
    """The Python codec of a declared charset label, or None when it names no usable text charset."""
    if not label:
        return None
    try:
        codec = codecs.lookup(label.strip().strip("\"'").strip())
    except (LookupError, ValueError):
        return None
    if not getattr(codec, "_is_text_encoding", True) or codec.name.replace("-", "_") in _NOT_CHARSETS:
        return None
    try:
        b"abcd".decode(codec.name)
    except (UnicodeError, LookupError, TypeError):  # a codec that cannot decode plain ASCII is no charset
        return None
    return str(codec.name)


def meta_charset(data: bytes) -> str | None:
    """The codec of an HTML page's own `<meta charset=...>` or `<meta http-equiv ... content="...;charset=...">`
    declaration in its first bytes, or None."""
    found = _META.search(data[:HTML_PRESCAN])
    codec = text_codec(found.group(1).decode("ascii")) if found else None
    if codec is not None and codec.startswith("utf_16"):  # a page read as ASCII bytes cannot be UTF-16 (WHATWG)
        return "utf-8"
    return codec


def detect_charset(data: bytes) -> str | None:
    """A charset guessed from the bytes alone (`charset-normalizer`), or None when nothing fits."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return text_codec(best.encoding) if best is not None else None


@dataclass
class DecodedText:
    text: str
    warnings: list[str] = field(default_factory=list)


def describe_size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def os_reason(exc: OSError) -> str:
    """A short reason for an OS error, without the path (the caller names it)."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or type(exc).__name__


def check_regular(path: Path, st: os.stat_result | None = None) -> os.stat_result:
    """The file's status; refuses (before any open) what is not a regular file: a FIFO would block, a device
    such as /dev/zero never ends."""
    try:
        st = st or os.stat(path)
    except OSError as exc:
        raise IngestError(f"{path}: {os_reason(exc)}") from None
    for test, kind in _KINDS:
        if test(st.st_mode):
            expected = "expected a file" if kind == "a directory" else "not a regular file; refused"
            raise IngestError(f"{path}: is {kind}, {expected}")
    return st


def size_error(origin: str, size: int, max_bytes: int) -> IngestError:
    return IngestError(
        f"{origin}: {describe_size(size)} is over the size limit of {describe_size(max_bytes)} "
        "(raise it with --max-bytes)"
    )


def read_bytes_limited(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a regular file, refusing it before reading when it is over the size limit (and never reading more
    than the limit, should it grow meanwhile)."""
    size = check_regular(path).st_size
    if size > max_bytes:
        raise size_error(str(path), size, max_bytes)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise IngestError(f"{path}: {os_reason(exc)}") from None
    if len(data) > max_bytes:
        raise size_error(str(path), len(data), max_bytes)
    return data


def decode_text(data: bytes, origin: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedText:
    """Decode article bytes as UTF-8; invalid bytes become U+FFFD and a warning names the file."""
    if len(data) > max_bytes:
        raise size_error(origin, len(data), max_bytes)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decoded(data, origin, encoding, bom)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"{origin}: binary data ({kind}), expected a text article")
    if b"\x00" in data[:8192]:
        raise IngestError(f"{origin}: binary data (contains NUL bytes), expected a text article")
    return _decoded(data, origin, "utf-8-sig", b"")


def _decoded(data: bytes, origin: str, encoding: str, bom: bytes) -> DecodedText:
    warnings: list[str] = []
    name = encoding.replace("-sig", "").upper()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        text = data.decode(encoding, errors="replace")
        warnings.append(f"{origin}: invalid {name} at byte {exc.start}; undecodable bytes were replaced with U+FFFD")
    if bom and "\x00" in text:
        raise IngestError(f"{origin}: binary data (contains NUL characters), expected a text article")
    if not any(not c.isspace() and c not in _INVISIBLE for c in text):  # stops at the first visible character
        raise IngestError(f"{origin}: the file is empty (no text to analyse)")
    return DecodedText(text, warnings)
