"""Small helpers shared across the package."""

import gc
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of at most ``size`` items of ``items`` (any iterable), in order."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


_paused = 0
_paused_lock = threading.Lock()
_was_enabled = False


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector for the block (an import of a large file).

    An import holds hundreds of thousands of small objects (rows, planned guests) for a few
    seconds; each automatic collection walks all of them again, and they cost a third of the
    import's Python time. Reference counting still frees everything as usual; only cycles wait
    for the collector, which resumes when the last paused block ends (blocks in other threads
    nest).
    """
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
