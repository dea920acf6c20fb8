"""Fetch a model file once: streamed with a progress bar, checked against a pinned SHA-256, and
written atomically (a temp file in the target folder, renamed only once the hash matches), so a
failed or interrupted download never leaves a file that later looks valid."""

from __future__ import annotations

import hashlib
import logging
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TextIO

from ..core.files import OutputError, Pending

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


class DownloadError(RuntimeError):
    """The file could not be fetched, or what arrived is not the pinned file."""


class ProgressBar:
    """A one-line text bar on a terminal; on anything else just a start and an end line."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None) -> None:
        self.label, self.total = label, total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.done = 0
        self._shown = -1
        if not self.tty:
            size = f" ({total / 1e6:.1f} MB)" if total else ""
            print(f"fkd-live: downloading {label}{size}", file=self.stream, flush=True)

    def update(self, n: int) -> None:
        self.done += n
        if not self.tty:
            return
        if self.total:
            percent = min(100, 100 * self.done // self.total)
            if percent != self._shown:
                self._shown = percent
                bar = "#" * (percent // 4)
                line = f"\r{self.label} [{bar:<25}] {percent:3d}% of {self.total / 1e6:.1f} MB"
                print(line, end="", file=self.stream, flush=True)
        else:
            print(f"\r{self.label} {self.done / 1e6:.1f} MB", end="", file=self.stream, flush=True)

    def close(self) -> None:
        end = "\n" if self.tty else ""
        print(f"{end}fkd-live: downloaded {self.done / 1e6:.2f} MB", file=self.stream, flush=True)


def download(
    url: str, dest: Path, sha256: str, timeout: float = 15.0, stream: TextIO | None = None
) -> Path:
    """Fetch `url` to `dest` (creating its folder) if its SHA-256 is `sha256`; else raise
    `DownloadError` and leave `dest` as it was."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        pending = Pending(dest)
    except (OSError, OutputError) as exc:
        raise DownloadError(f"cannot download {url} to {dest}: {exc}") from exc
    digest = hashlib.sha256()
    try:
        with (
            pending.tmp.open("wb") as out,
            urllib.request.urlopen(url, timeout=timeout) as resp,
        ):
            length = resp.headers.get("Content-Length")
            bar = ProgressBar(dest.name, int(length) if length else None, stream)
            while chunk := resp.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
            bar.close()
        if digest.hexdigest() != sha256.lower():
            raise DownloadError(
                f"{url} gave a file with SHA-256 {digest.hexdigest()}, expected {sha256}; not used"
            )
        pending.commit()
    except (OSError, OutputError, urllib.error.URLError, ValueError) as exc:
        pending.discard()
        raise DownloadError(f"cannot download {url}: {exc}") from exc
    except BaseException:  # DownloadError, KeyboardInterrupt: never leave the partial file
        pending.discard()
        raise
    log.info("downloaded %s to %s", url, dest)
    return dest
