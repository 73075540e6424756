"""Writing outputs so that a reader never sees half a file, and locks between processes.

Outputs are written beside their target, then renamed. Staging folders (a build's, a cache
load's) hold a lock while their process lives, so a later process can tell a folder left by a
killed one (no lock held: remove it) from one still being written (locked: leave it alone).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ExitCode, MiggraphError

LOCK_NAME = ".lock"
STALE_AFTER = 5.0  # seconds


def cannot_read(source: Path, exc: OSError) -> MiggraphError:
    """The one-line error (exit 4) for a local file that could not be read."""
    return MiggraphError(f"cannot read: {exc.strerror}", location=str(source),
                         exit_code=ExitCode.LOCAL_IO)


def cannot_write(target: Path, exc: OSError) -> MiggraphError:
    """A one-line error (exit 4) naming what could not be written and why."""
    return MiggraphError(f"cannot write {target}: {exc.strerror or exc}",
                         exit_code=ExitCode.LOCAL_IO)


def make_folder(folder: Path) -> None:
    """Create `folder` and its parents, or fail in one line (exit 4)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(folder, exc) from exc
    if not folder.is_dir():
        raise MiggraphError(f"cannot write into {folder}: not a folder", exit_code=ExitCode.LOCAL_IO)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to `target`; on success rename it over `target`.

    On any exception the temporary file is removed and `target` is left as it was. A target
    that cannot be written (no such folder, a folder in the way, a read-only disk) is a
    one-line error with exit 4.
    """
    if target.is_dir():
        raise MiggraphError(f"cannot write {target}: it is a folder", exit_code=ExitCode.LOCAL_IO)
    make_folder(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise cannot_write(target, exc) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
    try:
        try:
            yield tmp_path
            os.replace(tmp_path, target)
        except OSError as exc:
            raise cannot_write(target, exc) from exc
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(target: Path, text: str) -> None:
    """Write `text` (UTF-8) to `target` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


# ---------------------------------------------------------------- locks between processes

def lock(path: Path, *, shared: bool = False, wait: bool = True) -> int | None:
    """Hold an fcntl lock on the file `path` (created if needed); return its descriptor.

    Returns None when `wait` is False and another process holds a conflicting lock. The lock
    lasts until the descriptor is closed (`unlock`) or the process ends, even by SIGKILL.
    A lock file that another process removed while we waited is opened again, so that two
    processes never believe they hold the same lock through different files.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
                        | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def unlock(fd: int) -> None:
    os.close(fd)


def staging_folder(parent: Path, prefix: str) -> tuple[Path, int]:
    """A new folder `parent/PREFIXxxxx` locked by this process (return it and the lock)."""
    make_folder(parent)
    try:
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    except OSError as exc:
        raise cannot_write(parent, exc) from exc
    fd = lock(folder / LOCK_NAME)
    assert fd is not None
    return folder, fd


def remove_stale(parent: Path, prefix: str) -> list[Path]:
    """Remove the `parent/PREFIX*` staging folders whose process is gone; return them."""
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    for folder in parent.glob(f"{prefix}*"):
        try:
            if not folder.is_dir() or time.time() - folder.stat().st_mtime < STALE_AFTER:
                continue  # a folder this young may be between its creation and its lock
            fd = lock(folder / LOCK_NAME, wait=False)
        except OSError:
            continue
        if fd is None:
            continue  # its process is still writing it
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            unlock(fd)
    return removed
