"""The on-disk copies of the built graph that queries open, safe for many processes at once.

Each state of `dist/miggraph.nt` (path, inode, size, modification time) gets its own folder
under `dist/cache/`, named by a fingerprint. A copy is bulk-loaded in a locked staging
folder beside it and renamed into place, so it appears whole. Beside each copy is a lock file:
every process holds it shared (fcntl) while it has the copy open, and loads a missing copy while
holding it exclusively. An old copy is removed only by a process that gets its lock exclusively,
so never while another process opens or reads it; a process keeps only its newest copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph

from ..errors import ExitCode, MiggraphError
from ..files import lock, make_folder, remove_stale, staging_folder, unlock

Progress = Callable[[str], None]


def _fingerprint(source: Path, stat: os.stat_result | None = None) -> str:
    """Identifies one state of the built graph: its path, inode, size and modification time."""
    stat = stat or source.stat()
    key = f"{source.resolve()}\0{stat.st_ino}\0{stat.st_size}\0{stat.st_mtime_ns}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _load_to_disk(source: Path, target: Path) -> None:
    """Bulk-load `source` into a new on-disk store at `target`, which appears only when done.

    The caller holds the exclusive lock of `target`. The file is read through one open handle
    whose state must be the one `target` is named after; if a build replaced it meanwhile,
    nothing is loaded (the caller looks again).
    """
    with source.open("rb") as handle:
        if _fingerprint(source, os.fstat(handle.fileno())) != target.name:
            return
        staging, fd = staging_folder(target.parent, ".load-")
        try:
            store = pyoxigraph.Store(str(staging / "db"))
            store.bulk_load(handle, format=pyoxigraph.RdfFormat.N_TRIPLES)
            store.flush()
            del store  # closes the database before it is renamed
            os.replace(staging / "db", target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            unlock(fd)


# Lock files this process holds (shared) on the cache copies it has open: kept until it ends.
_HELD: dict[Path, int] = {}


def _hold_copy(source: Path, folder: Path, progress: Progress | None) -> Path:
    """The cache copy of `source` under `folder`, loaded if needed, held with a shared lock."""
    for _ in range(20):
        target = folder / _fingerprint(source)
        lock_file = target.with_name(target.name + ".lock")
        if target in _HELD:
            return target
        fd = lock(lock_file, shared=True)
        assert fd is not None
        if target.is_dir():
            _HELD[target] = fd
            return target
        unlock(fd)
        fd = lock(lock_file)  # exclusive: this process loads it
        assert fd is not None
        try:
            if not target.is_dir():
                if progress:
                    progress(f"loading {source} into {folder}")
                _load_to_disk(source, target)
        finally:
            unlock(fd)  # then take it shared again, above
    raise MiggraphError(f"{source} keeps changing; cannot load a stable copy of it",
                        location=str(folder), exit_code=ExitCode.LOCAL_IO)


def _remove_old_copies(folder: Path) -> None:
    """Remove the copies no process holds: those of earlier builds, and killed loads."""
    for lock_file in folder.glob("*.lock"):
        copy = lock_file.with_suffix("")
        if copy in _HELD:
            continue
        fd = lock(lock_file, wait=False)
        if fd is None:
            continue  # another process has it open
        try:
            shutil.rmtree(copy, ignore_errors=True)
            lock_file.unlink(missing_ok=True)
        finally:
            unlock(fd)
    remove_stale(folder, ".load-")


def open_copy(source: Path, folder: Path, progress: Progress | None = None) -> pyoxigraph.Store:
    """The copy of `source` under `folder`, loaded if needed, opened read-only and held."""
    make_folder(folder)
    target = _hold_copy(source, folder, progress)
    for older in [copy for copy in _HELD if copy != target and copy.parent == folder]:
        unlock(_HELD.pop(older))  # a process keeps only its newest copy
    try:
        store = pyoxigraph.Store.read_only(str(target))
    except OSError as exc:
        raise MiggraphError(f"cannot open the store: {exc}", location=str(target),
                            exit_code=ExitCode.LOCAL_IO) from exc
    _remove_old_copies(folder)
    return store
