"""Answers handed over as they come: a thread runs the query, the caller writes the rows.

pyoxigraph (and a server's response) produce rows lazily; the producing thread passes them in
small batches through a bounded queue, so memory stays bounded whatever the answer's size, and
the caller stops at a wall-clock deadline even while the store is still computing.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterator

from ..errors import ExitCode, MiggraphError
from .results import Stream

BATCH = 500          # rows handed from the producing thread to the writer at a time
QUEUED_BATCHES = 4   # at most this many batches wait in memory


class _Stop(Exception):
    """The consumer went away; the producing thread ends quietly."""


def produced(start: Callable[[], tuple[Stream, Iterator]], deadline: float | None, label: str,
              timeout: float | None, on_stop: Callable[[], None] = lambda: None) -> Stream:
    """Run `start` (which returns a stream's head and its items) in a thread that hands items
    over in small batches through a bounded queue: memory stays bounded whatever the answer's
    size, and the caller gives up at `deadline` even while the store computes."""
    handoff: queue.Queue = queue.Queue(maxsize=QUEUED_BATCHES)
    stopped = threading.Event()

    def put(message: tuple) -> None:
        while not stopped.is_set():
            try:
                handoff.put(message, timeout=0.2)
                return
            except queue.Full:
                continue
        raise _Stop

    def produce() -> None:
        try:
            head, items = start()
            put(("head", head))
            batch: list = []
            flushed = time.monotonic()
            for item in items:
                batch.append(item)
                if len(batch) >= BATCH or time.monotonic() - flushed > 0.05:
                    put(("items", batch))
                    batch, flushed = [], time.monotonic()
            put(("items", batch))
            put(("end", None))
        except _Stop:
            return
        except BaseException as exc:  # handed over to the consumer's thread
            try:
                put(("error", _detached(exc)))
            except _Stop:
                return

    def take() -> tuple:
        remaining = None if deadline is None else deadline - time.monotonic()
        try:
            if remaining is not None and remaining <= 0:
                raise queue.Empty
            return handoff.get(timeout=remaining)
        except queue.Empty:
            close()
            raise MiggraphError(f"{label} did not {'finish' if begun else 'answer'} within "
                                f"{timeout:g} s (--timeout)", exit_code=ExitCode.ENDPOINT) from None

    def close() -> None:
        if not stopped.is_set():
            stopped.set()
            on_stop()

    begun = False
    threading.Thread(target=produce, daemon=True, name="miggraph-query").start()
    kind, value = take()
    if kind == "error":
        close()
        raise value
    head: Stream = value
    begun = True

    def items() -> Iterator:
        try:
            while True:
                kind, value = take()
                if kind == "items":
                    yield from value
                elif kind == "end":
                    return
                else:
                    raise value
        finally:
            close()

    head.items = items()
    head.close = close
    return head


def _detached(exc: BaseException) -> BaseException:
    """`exc` without its traceback frames, which hold pyoxigraph objects that must be dropped
    in the thread that made them; the traceback text goes along as a note for --debug."""
    exc.add_note("".join(traceback.format_exception(exc)).rstrip())
    seen = exc
    while seen is not None:
        seen.__traceback__ = None
        seen = seen.__cause__ or seen.__context__
    return exc


def deadline_after(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout
