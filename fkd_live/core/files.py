"""Output files that are never seen half-written: written beside their path, renamed when done.

Every file fkd-live and `train` write goes through here: a hidden temporary file in the same
folder (so the rename is atomic: same file system) that keeps the final suffix (OpenCV, Qt
and matplotlib pick the format from it), renamed onto the path when complete and removed on
failure or interruption. `OutputError` says in one line why a path cannot be written, and
`check_writable` asks it before any work starts.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputError(RuntimeError):
    """An output file cannot be written (the message names it and says why)."""


def _reason(path: Path, exc: OSError) -> str:
    if not path.parent.is_dir():
        return f"folder {path.parent} does not exist"
    return f"no file can be made in {path.parent} ({(exc.strerror or str(exc)).lower()})"


class Pending:
    """A file on its way to `path`: write to `tmp`, then `commit()` (rename onto `path`) or
    `discard()` (remove). Creating one creates `tmp`, so a path that cannot be written fails
    here, with `OutputError`, before any work."""

    def __init__(self, path: str | Path, mode: int = 0o644) -> None:
        self.path, self.mode = Path(path), mode
        if self.path.is_dir():
            raise OutputError(f"cannot write {self.path}: it is a folder")
        try:
            fd, name = tempfile.mkstemp(
                prefix=f".{self.path.stem}.", suffix=f".tmp{self.path.suffix}", dir=self.path.parent
            )
        except OSError as exc:
            raise OutputError(f"cannot write {self.path}: {_reason(self.path, exc)}") from exc
        os.close(fd)
        self.tmp = Path(name)

    def commit(self) -> Path:
        try:
            self.tmp.chmod(self.mode)  # mkstemp's 0600 would keep it from other readers
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write {self.path}: {_reason(self.path, exc)}") from exc
        return self.path

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


def make_folder(path: str | Path) -> Path:
    """`path` as a folder (made with its parents if need be); `OutputError` saying why not."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot make folder {folder}: {(exc.strerror or str(exc)).lower()}"
        ) from exc
    return folder


def check_writable(path: str | Path) -> None:
    """`OutputError` now if `path` cannot be written (its folder missing, read-only, or a
    place such as /proc where no file can be made); the file itself is left as it was."""
    Pending(path).discard()


@contextmanager
def replacing(path: str | Path, mode: int = 0o644) -> Iterator[Path]:
    """`with replacing(p) as tmp:` write `tmp`; on leaving the block it becomes `p`, or, if
    the block raised (or was interrupted), it is removed and `p` is left as it was."""
    pending = Pending(path, mode)
    try:
        yield pending.tmp
    except BaseException:
        pending.discard()
        raise
    pending.commit()


def write_text(path: str | Path, text: str) -> Path:
    """`text` (UTF-8) written to `path` atomically."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """`data` written to `path` atomically."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
