"""Writing files so that a crash never leaves a half-written one.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(folder / "a.txt", "hello").read_text()
'hello'
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path
from typing import Final

FILE_MODE: Final = 0o666
"""Permissions asked for a new file; the process umask takes bits away (``0o644`` under 022)."""

TEMP_ATTEMPTS: Final = 100
"""How many random temporary names to try before giving up (a clash is already unlikely)."""

_DIRECTORY_FSYNC_UNSUPPORTED: Final = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EBADF})
"""errno values of file systems that cannot fsync a directory: nothing more can be done there."""


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    The bytes reach the disk (fsync) before ``os.replace`` makes them visible, so readers see
    the old file or the new one, never a torn one; on POSIX the folder is fsynced after the
    rename too, so the new name itself survives a power cut. On any error the temporary file
    is removed. Text is written as UTF-8. Missing parent folders are created. The file gets
    the permissions of any newly created file (``0o666`` minus the umask, as ``open`` gives).

    Args:
        path: the file to write (replaced if it exists).
        data: text (written as UTF-8) or bytes.

    Returns:
        The path written.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "new" / "folder" / "b.bin"
    >>> write_atomic(target, b"ok").read_bytes()
    b'ok'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = _create_temporary(target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)
    return target


def _create_temporary(target: Path) -> tuple[int, Path]:
    """Create a new, empty, hidden file next to ``target``; return its descriptor and path.

    ``tempfile.mkstemp`` would create it with mode 0600 whatever the umask; ``os.open`` with
    :data:`FILE_MODE` lets the umask decide, as for any file the user creates.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows
    for _ in range(TEMP_ATTEMPTS):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, FILE_MODE), tmp
        except FileExistsError:
            continue
    raise FileExistsError(
        f"write_atomic: could not create a temporary file next to {str(target)!r} after "
        f"{TEMP_ATTEMPTS} tries; remove stale .{target.name}.*.tmp files"
    )


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
