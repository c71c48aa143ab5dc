"""An output folder whose files are replaced as one set: readers never see files of two runs.

Layout of an output folder ``OUT``::

    OUT/.guanche/gen-<UTC time>-<pid>-<random>/   one run's outputs, complete (a generation)
    OUT/.guanche/current -> gen-…                  the current generation (a relative symlink)
    OUT/tasks.csv -> .guanche/current/tasks.csv    each visible output: a symlink, made once

Why it is atomic: a run writes its whole generation before anything visible changes. Links for
names the old set lacked are made first; they dangle (the file is absent, as in the old set).
Then one ``os.replace`` of a fresh symlink (rename(2), atomic) points ``current`` at the new
generation, so opening ``OUT/tasks.csv`` resolves ``current`` once and reaches a file of the old
generation or of the new one, each complete. After the switch the links of names the new set
lacks are removed (until then they dangle: absent, as in the new set) and old generations are
deleted. A reader
that opened a file of an old generation keeps reading it (POSIX deletes it on the last close).
To read several files of one set, resolve ``OUT/.guanche/current`` once and read under it.

Leftovers: the process writing a generation (or a staging folder of
:func:`pipeline.outputs.writer.write_file_atomically`) holds an exclusive ``flock`` on it, which
dies with the process, SIGKILL included. Every publishing run deletes the generations and
staging folders nobody holds, except the current generation; concurrent runs never delete each
other's work.

Outputs of a run before this layout (plain files in ``OUT``) that the new set also writes are
first adopted into a generation by hard links, so that the switch from them is atomic too; plain
files of other names are left as they are (they may be the user's).

This needs symlinks and ``flock`` (POSIX, on a file system with locks): :func:`supported` says
whether the folder has both, and where not the writer falls back to renaming file by file.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

ROOT = ".guanche"  # inside the output folder: the generations and the current link
CURRENT = "current"
GENERATION_PREFIX = "gen-"
STAGING_PREFIX = ".guanche-staging-"  # write_file_atomically's folders, and this layout's predecessor
_LINK_PREFIX = ".link-"  # a fresh symlink, inside the generation, before it is renamed into place


@dataclass
class ClaimedFolder:
    """A folder this process writes, locked (``flock``) until :meth:`release`."""

    path: Path
    lock: int | None  # file descriptor holding the lock; None: a folder no lock protects

    def release(self) -> None:
        """Give up the lock: the folder may now be deleted by any sweep."""
        if self.lock is not None:
            _held.discard(self.lock)
            os.close(self.lock)
            self.lock = None


_held: set[int] = set()  # the descriptors of this process's claims


def _forget_claims() -> None:
    """In a forked child (a worker): close the inherited lock descriptors, so that a claim ends
    when its own process releases it or dies, whatever its workers do."""
    for lock in _held:
        with suppress(OSError):
            os.close(lock)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_claims)


def supported(out_dir: Path) -> bool:
    """Whether generations work in ``out_dir``: folders there can be locked and symlinks made.
    Raises OSError when ``out_dir`` cannot be written."""
    with scratch_folder(out_dir) as probe:
        if probe.lock is None:
            return False
        try:
            os.symlink(probe.path.name, probe.path / "probe")
        except (OSError, NotImplementedError):
            return False
    return True


@contextmanager
def scratch_folder(parent: Path) -> Iterator[ClaimedFolder]:
    """A new staging folder in ``parent``, claimed (where locks work) while in use and deleted
    after: a process killed meanwhile leaves an unclaimed one, which a sweep deletes. Raises
    OSError when it cannot be made."""
    folder = claim_folder(parent, STAGING_PREFIX)
    try:
        yield folder
    finally:
        shutil.rmtree(folder.path, ignore_errors=True)
        folder.release()


def claim_folder(parent: Path, prefix: str) -> ClaimedFolder:
    """Create a new folder in ``parent`` named ``prefix…`` and lock it; without ``fcntl``, or on
    a file system without locks, it is only created (its lock is None). Raises OSError when it
    cannot be created."""
    if fcntl is None:
        return ClaimedFolder(_new_folder(parent, prefix), None)
    for _ in range(3):
        path = _new_folder(parent, prefix)
        lock = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # waits only while a sweep deletes it, seen unclaimed
        except OSError:  # some network drives
            os.close(lock)
            return ClaimedFolder(path, None)
        if os.path.exists(path) and os.path.samestat(os.fstat(lock), os.stat(path)):
            _held.add(lock)
            return ClaimedFolder(path, lock)
        os.close(lock)
    raise OSError(f"{parent}: new folders there are deleted at once")


def _new_folder(parent: Path, prefix: str) -> Path:
    """Create a folder ``prefix<random>`` in ``parent`` with the permissions the umask gives
    (readers of the outputs pass through it; ``tempfile.mkdtemp`` would give 0700)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def start_generation(out_dir: Path) -> ClaimedFolder:
    """A new, claimed generation folder of ``out_dir``. Raises OSError when it cannot be made."""
    root = out_dir / ROOT
    root.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    return claim_folder(root, f"{GENERATION_PREFIX}{stamp}-{os.getpid()}-")


def publish(out_dir: Path, generation: ClaimedFolder, names: list[str]) -> list[Path]:
    """Make the files ``names`` of ``generation`` the visible outputs of ``out_dir``, as one set
    (see the module's notes). Returns the visible paths. Raises OSError when a link cannot be
    made; the visible set is then the previous one or the new one, whole. :func:`close` the
    generation afterwards, published or not."""
    _adopt_plain_outputs(out_dir, names)
    # links of names new to the set dangle until the switch: the file is absent, as in the old set
    visible = [_link_visible(out_dir, name, via=generation.path) for name in names]
    _point(out_dir / ROOT / CURRENT, generation.path.name, via=generation.path)
    _unlink_absent(out_dir, set(names))
    return visible


def current_folder(out_dir: Path) -> Path | None:
    """The folder of the current generation of ``out_dir``; None before the first run or
    where the outputs are plain files (no generations)."""
    name = current_generation(out_dir)
    return out_dir / ROOT / name if name else None


def add_to_current(out_dir: Path, name: str) -> Path:
    """Make the file ``name`` just written into the current generation a visible output of
    ``out_dir`` too (the next run's set replaces it with the others). Returns its visible path.
    Raises OSError when the link cannot be made."""
    current = current_folder(out_dir)
    if current is None:
        raise FileNotFoundError(f"{out_dir}: no current generation")
    return _link_visible(out_dir, name, via=current)


def close(out_dir: Path, generation: ClaimedFolder) -> None:
    """Release ``generation`` and sweep ``out_dir``: the generation is deleted unless it was
    published (is current), and so are the previous generations and any leftovers."""
    generation.release()
    sweep(out_dir)


def sweep(out_dir: Path) -> None:
    """Delete the generations of ``out_dir`` (but the current one) and its staging folders that no
    process holds: leftovers of runs that were killed or have finished."""
    _delete_unclaimed(out_dir, STAGING_PREFIX)
    if (out_dir / ROOT).is_dir():
        _delete_unclaimed(out_dir / ROOT, GENERATION_PREFIX)


def current_generation(out_dir: Path) -> str | None:
    """The folder name of the current generation of ``out_dir``; None before the first run."""
    try:
        return os.readlink(out_dir / ROOT / CURRENT)
    except OSError:
        return None


def _delete_unclaimed(parent: Path, prefix: str) -> None:
    """Delete the folders ``prefix…`` in ``parent`` that no process has locked, but the current
    generation. ``current`` is read after the lock is taken: a run switches it before it lets go
    of its lock, so a generation found unlocked and not current never becomes current."""
    assert fcntl is not None
    for folder in parent.glob(f"{prefix}*"):
        if folder.is_symlink() or not folder.is_dir():
            continue
        try:
            lock = os.open(folder, os.O_RDONLY)
        except OSError:
            continue  # deleted meanwhile
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if folder.name != current_generation(parent.parent):
                shutil.rmtree(folder, ignore_errors=True)
        except BlockingIOError:
            pass  # a live run writes there
        finally:
            os.close(lock)


def _point(link: Path, target: str, *, via: Path) -> None:
    """Make ``link`` a symlink to ``target`` atomically: a fresh symlink made in the claimed
    folder ``via`` (where no sweep touches it), then renamed over ``link``."""
    fresh = via / f"{_LINK_PREFIX}{link.name}"
    if fresh.is_symlink():
        fresh.unlink()
    os.symlink(target, fresh)
    os.replace(fresh, link)


def _visible_target(out_dir: Path, name: str) -> str:
    """What the visible link of output ``name`` holds: its path in the current generation,
    relative to the link's folder."""
    target = out_dir / ROOT / CURRENT / name
    return os.path.relpath(target, (out_dir / name).parent)


def _link_visible(out_dir: Path, name: str, *, via: Path) -> Path:
    """The visible path of output ``name``, a link into the current generation, made unless it is
    one already."""
    visible, target = out_dir / name, _visible_target(out_dir, name)
    if not (visible.is_symlink() and os.readlink(visible) == target):
        visible.parent.mkdir(parents=True, exist_ok=True)
        _point(visible, target, via=via)
    return visible


def _unlink_absent(out_dir: Path, names: set[str]) -> None:
    """Remove the visible links of outputs the current set does not hold (dangling ones)."""
    for path in out_dir.iterdir():
        if path.is_symlink() and path.name not in names and os.readlink(path) == _visible_target(out_dir, path.name):
            path.unlink()


def _adopt_plain_outputs(out_dir: Path, names: list[str]) -> None:
    """Before the first switch in a folder written without generations: make its plain files of
    ``names`` a generation (hard links, or copies where a hard link cannot be made), current, and
    the visible files links to it. Each step keeps every visible file's content, so the switch
    that follows goes from one whole set to the other."""
    plain = [name for name in names if (out_dir / name).is_file() and not (out_dir / name).is_symlink()]
    if not plain or current_generation(out_dir) is not None:
        return
    adopted = start_generation(out_dir)
    try:
        for name in plain:
            (adopted.path / name).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(out_dir / name, adopted.path / name)
            except OSError:
                shutil.copy2(out_dir / name, adopted.path / name)
        _point(out_dir / ROOT / CURRENT, adopted.path.name, via=adopted.path)
        for name in plain:
            _link_visible(out_dir, name, via=adopted.path)
    finally:
        adopted.release()
