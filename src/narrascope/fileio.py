"""Safe file writing: nothing already written is lost or half-written.

Every output goes to a temporary file beside the target, then `os.replace` puts it in place in one step, so
a reader sees the old complete file or the new complete one. The temporary name is discoverable,
`.NAME.narrascope-PID.tmp`: a run killed with SIGKILL cannot clean up after itself, so the next write to the
same target removes the temporaries of processes that are no longer alive (a temporary folder too: an export
folder is written whole, then renamed into place).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from narrascope.errors import NarrascopeError

_TMP = re.compile(r"^\.(?P<name>.+)\.narrascope-(?P<pid>\d+)\.(?:tmp|old)$")


class OutputError(NarrascopeError):
    """An output file cannot be written there, or would replace one of the run's own inputs."""


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file (links and `..` resolved; a missing file is compared by path)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_overwriting(out: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]], what: str) -> None:
    """Raise `OutputError` when the output `out` is one of `inputs`: writing it would destroy what is read."""
    for source in inputs:
        if same_file(out, source):
            raise OutputError(f"{out}: the output would replace {what} ({source}); choose another --out")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A CSV cell safe to open in a spreadsheet: a cell starting like a formula (= + - @ tab CR) gets a leading
    apostrophe, and every line break (CRLF, CR, LF) is written as the two characters `\\n`, so a cell never
    holds a raw newline and every row is one line with the same field count."""
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write `text` to `path` through a temporary file in the same folder, then rename it into place.

    A crash or an error mid-write leaves any previous file untouched.
    """
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with AtomicOutput(path, binary=True) as out:
        out.handle.write(data)  # type: ignore[arg-type]  # the handle is binary here
        out.commit()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temp_path(target: Path) -> Path:
    """Where the output for `target` is written before it is renamed into place."""
    return target.with_name(f".{target.name}.narrascope-{os.getpid()}.tmp")


def remove_stale_temps(target: Path) -> list[Path]:
    """Remove temporaries for `target` left by killed runs (their process is gone); returns what was removed."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in target.parent.iterdir():
            m = _TMP.match(entry.name)
            if m and m["name"] == target.name and not _pid_alive(int(m["pid"])):
                with contextlib.suppress(OSError):
                    if entry.is_dir() and not entry.is_symlink():  # a folder written whole (an export)
                        shutil.rmtree(entry)
                    else:
                        entry.unlink()
                    removed.append(entry)
    return removed


class AtomicOutput:
    """A file written in place of `path` only when `commit()` is called.

    The new file keeps the permission bits of the file it replaces, or the umask default for a new file (the
    temporary is created with mode 0666 minus the umask, like `open()` would). Leaving the block without a
    commit removes the temporary; `keep_partial()` renames it to `PATH.partial` instead.
    """

    def __init__(self, path: str | os.PathLike[str], *, binary: bool = False, encoding: str = "utf-8") -> None:
        self.target = Path(path)
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.target}: cannot make its folder ({exc.strerror})") from None
        remove_stale_temps(self.target)
        self.tmp = temp_path(self.target)
        try:
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        except OSError as exc:
            raise OutputError(f"{self.target}: cannot write the output there ({exc.strerror})") from None
        try:
            with contextlib.suppress(FileNotFoundError):
                mode = stat.S_IMODE(os.stat(self.target).st_mode)
                os.fchmod(fd, mode)
            self.handle: IO[str] | IO[bytes] = (
                os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="")
            )
        except BaseException:
            os.close(fd)
            self._unlink()
            raise
        self.done = False

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.done:
            self.discard()

    def _finish(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()

    def commit(self) -> None:
        """Put the new file in place of the target, in one step."""
        try:
            self._finish()
            os.replace(self.tmp, self.target)
        except BaseException:
            self.discard()
            raise
        self.done = True

    def keep_partial(self) -> Path:
        """Keep what was written as `PATH.partial` (the target itself is left as it was)."""
        partial = self.target.with_name(self.target.name + ".partial")
        try:
            self._finish()
            os.replace(self.tmp, partial)
        except BaseException:
            self.discard()
            raise
        self.done = True
        return partial

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()
        self._unlink()
        self.done = True

    def _unlink(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.tmp)
