"""Turning untrusted bytes into text: size limit, binary sniffing, UTF-8 with a visible fallback."""

from __future__ import annotations

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


@dataclass
class DecodedText:
    text: str
    warnings: list[str] = field(default_factory=list)


def _describe_size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def read_bytes_limited(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a file, refusing it before reading when it is over the size limit."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                f"{path}: {_describe_size(size)} is over the size limit of {_describe_size(max_bytes)} "
                "(raise it with --max-bytes)"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{path}: no such file or directory") from None
    except IsADirectoryError:
        raise IngestError(f"{path}: is a directory, expected a file") from None
    except PermissionError:
        raise IngestError(f"{path}: permission denied") from None


def decode_text(data: bytes, origin: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedText:
    """Decode article bytes as UTF-8; invalid bytes become U+FFFD and a warning names the file."""
    if len(data) > max_bytes:
        raise IngestError(
            f"{origin}: {_describe_size(len(data))} is over the size limit of {_describe_size(max_bytes)} "
            "(raise it with --max-bytes)"
        )
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"{origin}: binary data ({kind}), expected a text article")
    if b"\x00" in data[:8192]:
        raise IngestError(f"{origin}: binary data (contains NUL bytes), expected a text article")
    warnings: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8-sig", errors="replace")
        warnings.append(f"{origin}: invalid UTF-8 at byte {exc.start}; undecodable bytes were replaced with U+FFFD")
    if not text.strip():
        raise IngestError(f"{origin}: the file is empty (no text to analyse)")
    return DecodedText(text, warnings)
