"""The ``guanche`` console script and ``python -m pipeline``: load the command line, then run it.

Loading the command line imports spaCy, pandas, cn2an and the rest: about 260,000 objects that
live as long as the process and none of which is garbage. Left to itself, the garbage collector
walks them again and again, while they load and in every full collection of the run after. So
they load with the collector paused and are then frozen out of its reach (:func:`gc.freeze`)
(the README's "Speed and scale" gives what that saves).
"""

from __future__ import annotations

import gc
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer


def load_command_line() -> typer.Typer:
    """The typer application of :mod:`pipeline.cli.app`, imported with the garbage collector paused;
    everything the import created is frozen (never collected: modules live until exit)."""
    gc.disable()
    try:
        from pipeline.cli.app import app
    finally:
        gc.freeze()
        gc.enable()
    return app


def entry_point() -> None:
    """Run the command line. Its commands exit through :class:`SystemExit` (typer), with the
    statuses :mod:`pipeline.cli.app` documents.

    Before the interpreter exits, every object is frozen out of the garbage collector: Python's
    last collection would otherwise walk everything the run made, after the outputs are
    already written.
    """
    # A termination request (kill, timeout, a scheduler) unwinds like an error: worker
    # processes are stopped and the staging folder removed, previous outputs stay.
    signal.signal(signal.SIGTERM, _exit_on_terminate)
    app = load_command_line()
    try:
        app()
    finally:
        gc.freeze()


def _exit_on_terminate(signum, frame) -> None:
    """SIGTERM handler: exit through the normal clean-up (exit status 128 + 15)."""
    raise SystemExit(128 + signum)
