"""Disk caches that cannot be made to run someone else's code.

Three things are worth keeping between processes: the parsed AST of a rule file (a pickle),
the compiled evaluator (a marshalled code object) and Lark's parse tables (a pickle). Each
of those formats runs code when it is loaded, so an entry is only ever loaded when it was
written by this user:

- the cache lives in one per-user folder (``$LOVREGLER_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/lovregler``, else ``~/.cache/lovregler``) that must be a real folder
  owned by this user; it is kept at mode 0700, so no other user can list or write it;
- every entry carries an HMAC-SHA256 of its kind, name and bytes under a random key in
  ``key`` (mode 0600, owned by this user) that only this user can read. An entry another
  user planted (on a shared HOME or cache volume, or in a folder that was once 0755)
  fails the check and is never unpickled or unmarshalled; it is rebuilt and overwritten;
- a folder or key owned by someone else switches the disk cache off (it costs speed only).

A damaged entry, a stale one, or one that does not load is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

__all__ = ["cache_dir", "load", "store"]

_MAGIC = b"LOVREGLER-CACHE-1\n"
_KEY_BYTES = 32
_DIGEST = hashlib.sha256().digest_size


def cache_dir() -> Path | None:
    """The per-user cache folder, created 0700; None when it is unsafe or cannot be made."""
    return _checked_root(str(_root_path()))


def _root_path() -> Path:
    if os.environ.get("LOVREGLER_CACHE_DIR"):
        return Path(os.environ["LOVREGLER_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "lovregler"


@functools.cache
def _checked_root(path: str) -> Path | None:
    root = Path(path)
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(root)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return None  # a symlink or someone else's folder: never trust what is in it
        if stat.S_IMODE(info.st_mode) != 0o700:
            os.chmod(root, 0o700)  # older versions made it 0755
    except OSError:
        return None
    return root


def _key(root: Path) -> bytes | None:
    """This user's cache key (made on first use); None when it cannot be trusted."""
    return _read_key(str(root))


@functools.cache
def _read_key(root: str) -> bytes | None:
    path = Path(root) / "key"
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(3):  # at most: replace a bad key, make one, read it
        try:
            fd = os.open(path, flags)
        except FileNotFoundError:
            _make_key(path)
            continue
        except OSError:
            if not path.is_symlink():
                return None
            # A symlink planted in place of the key: never follow it; replace it.
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            key = handle.read(_KEY_BYTES + 1)
        private = info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077 == 0
        if private and len(key) == _KEY_BYTES:
            return key
        # A key someone else could read or wrote: replace it (this user owns the folder).
        with contextlib.suppress(OSError):
            path.unlink()
            _make_key(path)
            continue
        return None
    return None


def _make_key(path: Path) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(_KEY_BYTES))


def _entry_path(root: Path, kind: str, name: str) -> Path:
    # Under "signed/": older versions kept unsigned entries under the same names in root.
    folder = root / "signed" / kind
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / name


def _mac(key: bytes, kind: str, name: str, payload: bytes) -> bytes:
    label = f"{kind}\0{name}\0".encode()
    return hmac.new(key, label + payload, hashlib.sha256).digest()


def load(kind: str, name: str) -> bytes | None:
    """The bytes stored under ``kind``/``name`` by this user, or None (absent, damaged,
    planted by someone else, or no usable cache)."""
    root = cache_dir()
    key = _key(root) if root is not None else None
    if root is None or key is None:
        return None
    try:
        data = _entry_path(root, kind, name).read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    if not data.startswith(_MAGIC) or len(data) < head:
        return None
    mac, payload = data[len(_MAGIC) : head], data[head:]
    if not hmac.compare_digest(mac, _mac(key, kind, name, payload)):
        return None
    return payload


def store(kind: str, name: str, payload: bytes) -> None:
    """Store bytes under ``kind``/``name``, atomically (a concurrent reader never sees half
    an entry); a cache that cannot be written only costs speed."""
    root = cache_dir()
    key = _key(root) if root is not None else None
    if root is None or key is None:
        return
    with contextlib.suppress(OSError):
        path = _entry_path(root, kind, name)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(_MAGIC + _mac(key, kind, name, payload) + payload)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
