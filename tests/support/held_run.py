"""``python -m tests.support.held_run READY HOLD ARGUMENTS…``: guanche's command line with
``ARGUMENTS``, held once it is writing its outputs, until a signal ends it.

When the run hands its first tables to its output writer (the worker processes write their
files from then on), it writes one byte to the file descriptor ``READY`` and then reads from
``HOLD``, which blocks until the test sends a signal (or closes ``HOLD``'s other end, which lets
the run go on). So the run is still writing when the signal arrives, however busy the machine:
the test waits on an event, not on time. Everything else is the real command line: its signal
handling, clean-up and exit status.
"""

from __future__ import annotations

import os
import sys

from pipeline.cli.console import entry_point
from pipeline.outputs.writer import OutputWriter


def hold_once_writing(ready: int, hold: int) -> None:
    """Make the first :meth:`OutputWriter.add_tables` of this process signal ``ready``, then
    block on ``hold``."""
    add_tables = OutputWriter.add_tables
    held = False

    def add_tables_then_hold(writer: OutputWriter, tables) -> None:
        nonlocal held
        add_tables(writer, tables)
        if not held:
            held = True
            os.write(ready, b"w")
            os.read(hold, 1)

    OutputWriter.add_tables = add_tables_then_hold


if __name__ == "__main__":
    hold_once_writing(int(sys.argv[1]), int(sys.argv[2]))
    sys.argv = ["guanche", *sys.argv[3:]]
    entry_point()
