"""Waiting on file-system events (Linux inotify through ctypes), not polling in a loop."""

from __future__ import annotations

import ctypes
import os
import select
from pathlib import Path

_IN_CREATE = 0x00000100
_IN_MOVED_TO = 0x00000080
_IN_NONBLOCK = 0o4000


class FolderWatch:
    """Entries created in (or moved into) one folder, reported by the kernel as they happen.

    Open it before starting what creates the entry, so that no event is missed. Raises OSError
    when inotify is not available.
    """

    def __init__(self, folder: Path) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._fd = self._libc.inotify_init1(_IN_NONBLOCK)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        if self._libc.inotify_add_watch(self._fd, os.fsencode(folder), _IN_CREATE | _IN_MOVED_TO) < 0:
            os.close(self._fd)
            raise OSError(ctypes.get_errno(), f"cannot watch {folder}")

    def wait(self, timeout: float) -> bool:
        """Block until an entry is created, at most ``timeout`` seconds; returns whether one was."""
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if ready:
            os.read(self._fd, 4096)  # drain the events: only their arrival matters
        return bool(ready)

    def close(self) -> None:
        """Stop watching."""
        os.close(self._fd)

    def __enter__(self) -> FolderWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
