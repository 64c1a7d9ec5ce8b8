"""Writing files so that a crash never leaves a half-written one, nor litter that grows.

A write goes to a hidden temporary next to the target (``.{name}.{8 hex digits}.tmp``) and is
renamed over it. A writer killed mid-write leaves its temporary behind; the next write to the
same target removes it. Which temporaries are abandoned is decided by a lock, not a guess: on
POSIX each writer holds an advisory lock (``flock``) on its temporary from creation to rename,
the system drops it when the process dies, and only an unlocked temporary is removed -- so a
writer still at work in another process or thread keeps its file. Where files cannot be locked
(Windows, some network mounts) only temporaries older than :data:`STALE_AGE` are removed.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(folder / "a.txt", "hello").read_text()
'hello'
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import sys
import time
from pathlib import Path
from typing import Final

from autograd import _checks
from autograd.messages import describe

if sys.platform != "win32":
    import fcntl

FILE_MODE: Final = 0o666
"""Permissions asked for a new file; the process umask takes bits away (``0o644`` under 022)."""

TEMP_ATTEMPTS: Final = 100
"""How many random temporary names to try before giving up (a clash is already unlikely)."""

STALE_AGE: Final = 3600.0
"""Age (seconds) at which a temporary that cannot be locked counts as abandoned."""

_TEMPORARY_TAIL: Final = re.compile(r"[0-9a-f]{8}\.tmp")
"""What follows ``.{name}.`` in the name of a temporary of ``name``."""

_DIRECTORY_FSYNC_UNSUPPORTED: Final = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EBADF})
"""errno values of file systems that cannot fsync a directory: nothing more can be done there."""


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    The bytes reach the disk (fsync) before ``os.replace`` makes them visible, so readers see
    the old file or the new one, never a torn one; on POSIX the folder is fsynced after the
    rename too, so the new name itself survives a power cut. On any error the temporary file
    is removed; temporaries that earlier writers to ``path`` left when they were killed are
    removed first (see the module's docstring). Text is written as UTF-8. Missing parent
    folders are created. The file gets the permissions of any newly created file (``0o666``
    minus the umask, as ``open`` gives).

    Args:
        path: the file to write (replaced if it exists).
        data: text (written as UTF-8) or bytes.

    Returns:
        The path written.

    Raises:
        TypeError: ``path`` is not a str or a ``pathlib.Path``, or ``data`` is neither a str
            nor bytes (an array's raw memory, say); nothing is written then.
        ValueError: ``path`` is empty.
        OSError: the file cannot be written (no permission, a full disk, a folder there).

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "new" / "folder" / "b.bin"
    >>> write_atomic(target, b"ok").read_bytes()
    b'ok'
    """
    target = _checks.path("write_atomic: path", path)
    if not isinstance(data, str | bytes):  # bytes-like arrays would write their raw memory
        raise TypeError(
            f"write_atomic: data must be a str (written as UTF-8) or bytes, got {describe(data)}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    _remove_abandoned_temporaries(target)
    fd, tmp = _create_temporary(target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
            if sys.platform != "win32":  # renamed while still locked: no cleaner takes it
                os.replace(tmp, target)
        if sys.platform == "win32":  # Windows renames no open file
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)
    return target


def _remove_abandoned_temporaries(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporaries that writers of ``target`` killed mid-write left; return them.

    Only ``.{name}.{8 hex digits}.tmp`` files next to ``target`` are considered, and of those
    only the ones no live writer holds (see the module's docstring). :func:`write_atomic` calls
    it before every write, so such litter never grows.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> _ = (target.parent / ".m.json.0123abcd.tmp").write_text("half a mod")  # a killed save
    >>> [p.name for p in _remove_abandoned_temporaries(target)], sorted(target.parent.iterdir())
    (['.m.json.0123abcd.tmp'], [])
    """
    target = Path(target)
    prefix = f".{target.name}."
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:  # no folder yet, or one we may not list: nothing of ours is there
        return removed
    for entry in entries:
        name = entry.name
        if name.startswith(prefix) and _TEMPORARY_TAIL.fullmatch(name[len(prefix) :]):
            path = Path(entry.path)
            if _remove_if_abandoned(path):
                removed.append(path)
    return removed


def _remove_if_abandoned(path: Path) -> bool:
    """Remove the temporary ``path`` if no live writer holds it; return whether it was removed."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # renamed or removed meanwhile, or not ours to open
        return False
    try:
        if not _abandoned(fd):
            return False
        path.unlink()  # the lock is ours: its writer is dead, and a new one will not take it
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def _abandoned(fd: int) -> bool:
    """True if the temporary open as ``fd`` has no live writer: we took its lock, or it is old."""
    if sys.platform != "win32":
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a live writer holds it
            return False
        except OSError:  # a file system without locks: only the age can tell
            pass
        else:
            return True
    return time.time() - os.fstat(fd).st_mtime > STALE_AGE


def _create_temporary(target: Path) -> tuple[int, Path]:
    """Create a new, empty, hidden file next to ``target``, locked; return its descriptor and path.

    ``tempfile.mkstemp`` would create it with mode 0600 whatever the umask; ``os.open`` with
    :data:`FILE_MODE` lets the umask decide, as for any file the user creates.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows
    for _ in range(TEMP_ATTEMPTS):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, flags, FILE_MODE)
        except FileExistsError:
            continue
        if _hold(fd, tmp):
            return fd, tmp
        os.close(fd)  # another writer's cleanup took it before we locked it: take another name
    raise FileExistsError(
        f"write_atomic: could not create a temporary file next to {str(target)!r} after "
        f"{TEMP_ATTEMPTS} tries; remove stale .{target.name}.*.tmp files"
    )


def _hold(fd: int, tmp: Path) -> bool:
    """Lock the new temporary ``tmp`` (open as ``fd``); False if a cleanup removed it first.

    Between ``os.open`` and the lock another writer's cleanup may find the file unlocked and
    remove it; holding the lock, check that the name still leads to this very file.
    """
    if sys.platform == "win32":
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a cleanup holds it only for the moment of an unlink
    except OSError:  # a file system without locks: cleanups go by age there
        return True
    try:
        return os.stat(tmp).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _fsync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); Windows cannot open a folder to fsync it."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in _DIRECTORY_FSYNC_UNSUPPORTED:
            raise
    finally:
        os.close(fd)
