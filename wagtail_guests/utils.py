"""Small helpers shared across the package."""

from collections.abc import Iterable, Iterator
from itertools import islice


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of at most ``size`` items of ``items`` (any iterable), in order."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
