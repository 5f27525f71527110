"""Progress bars for long work (tqdm), on stderr.

A bar shows only when a person is watching: the ``kg`` logger speaks at INFO
(the command line without ``-q``; a library caller who configured nothing sees
none) and stderr is a terminal. Otherwise each helper returns tqdm's disabled
bar, which costs nothing, so the pipeline calls them unconditionally.
"""

from __future__ import annotations

import io
import logging
import sys
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

__all__ = ["bar", "enabled", "logging_above_bars", "reading", "stages"]


def enabled() -> bool:
    """Whether bars are shown: the ``kg`` logger is at INFO (no ``-q``) and stderr is a terminal."""
    return logging.getLogger("kg").isEnabledFor(logging.INFO) and sys.stderr.isatty()


def bar(iterable: Iterable | None = None, *, desc: str, total: float | None = None, unit: str = "it", **options):
    """A tqdm bar over ``iterable`` (or updated by hand), on stderr, gone when done."""
    from tqdm import tqdm  # noqa: PLC0415

    return tqdm(iterable, desc=desc, total=total, unit=unit, file=sys.stderr, disable=not enabled(),
                leave=False, dynamic_ncols=True, **options)


@contextmanager
def reading(data: bytes, desc: str) -> Iterator[bytes | io.BufferedIOBase]:
    """``data`` as a file whose reader (a parser that reads in chunks, as Oxigraph's bulk load does)
    moves a bar of bytes; with no bar, ``data`` itself, as the parser would have had it."""
    if not enabled():
        yield data
        return
    from tqdm import tqdm  # noqa: PLC0415

    with tqdm.wrapattr(io.BytesIO(data), "read", total=len(data), desc=desc, file=sys.stderr, leave=False,
                       dynamic_ncols=True) as stream:
        yield stream


@contextmanager
def stages(desc: str, names: Iterable[str]) -> Iterator[Callable[[str], None]]:
    """A bar of named steps: call ``step(name)`` as each step starts; the bar counts the finished ones.

    >>> with stages("chains", ["networks", "cycles"]) as step:
    ...     step("networks")
    ...     step("cycles")
    """
    names = list(names)
    with bar(desc=desc, total=len(names), unit="step") as progress:
        started = False

        def step(name: str) -> None:
            nonlocal started
            if started:
                progress.update()
            started = True
            progress.set_postfix_str(name, refresh=True)

        yield step
        if started:
            progress.update()


@contextmanager
def logging_above_bars() -> Iterator[None]:
    """While bars are shown, the ``kg`` logger's lines print above them instead of through them."""
    if not enabled():
        yield
        return
    from tqdm.contrib.logging import logging_redirect_tqdm  # noqa: PLC0415

    # the loggers that write to the terminal: kg's own handler, or the root's it propagates to
    writers = [logger for logger in (logging.getLogger("kg"), logging.getLogger())
               if any(isinstance(h, logging.StreamHandler) and getattr(h, "stream", None) in (sys.stderr, sys.stdout)
                      for h in logger.handlers)]
    with logging_redirect_tqdm(loggers=writers):
        yield
