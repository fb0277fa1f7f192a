"""The key that seals what Casebook keeps in `.cache/casebook/`, held outside the project.

Every cache key is a hash of public inputs, so anyone who can write into `.cache/` can
compute the key of a slot and put anything under it: a forged check result, another case's
PDF. What a build wrote is therefore sealed with an HMAC under a secret that the project
folder does not hold, and an entry whose seal does not hold is a miss (made again), never
used. The secret is, first found:

- `CASEBOOK_CACHE_KEY` in the environment (CI and deploys, from a repository secret);
- `$XDG_CACHE_HOME/casebook/key` (or `~/.cache/casebook/key`), created on first use with
  random bytes, readable by its owner only;
- otherwise (no home folder, a key file others may read or write, or one inside the
  project) a secret of this process alone: nothing cached earlier is trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

ENVIRONMENT = "CASEBOOK_CACHE_KEY"
# Forked worker processes inherit it; nothing sealed with it outlives the process.
_EPHEMERAL = secrets.token_bytes(32)
_MIN_LENGTH = 32  # characters of a key file or of the environment's key


def key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    folder = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return folder / "casebook" / "key"


def _read(path: Path) -> bytes | None:
    """The key in `path`, if it is a regular file of ours that no one else may read."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
            return None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        data = stream.read(4096).strip()
    return data if len(data) >= _MIN_LENGTH else None


def _create(path: Path) -> None:
    """Write a new key, whole or not at all: two first builds at once agree on one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made one first
            os.link(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:
        return True  # cannot tell: not trusted


def cache_secret(root: Path) -> bytes:
    """The secret that seals the caches of the project in `root`."""
    given = os.environ.get(ENVIRONMENT, "").strip()
    if len(given) >= _MIN_LENGTH:
        return given.encode("utf-8")
    try:
        path = key_path()
    except RuntimeError:  # no home folder
        return _EPHEMERAL
    if _inside(path, root):  # whoever can write the project could write the key
        return _EPHEMERAL
    try:
        if not path.exists():
            _create(path)
        return _read(path) or _EPHEMERAL
    except OSError:  # a read-only or missing home: caches work within this process only
        return _EPHEMERAL


class Seal:
    """HMAC-SHA256 of a sequence of parts, each framed by its length so that no two
    sequences give the same bytes."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def of(cls, root: Path) -> Seal:
        return cls(cache_secret(root))

    def sign(self, *parts: str | bytes) -> str:
        mac = hmac.new(self._secret, digestmod=hashlib.sha256)
        for part in parts:
            data = part if isinstance(part, bytes) else part.encode("utf-8")
            mac.update(len(data).to_bytes(8, "big"))
            mac.update(data)
        return mac.hexdigest()

    def holds(self, mac: object, *parts: str | bytes) -> bool:
        """Whether `mac` is the seal of `parts` (in constant time)."""
        return isinstance(mac, str) and hmac.compare_digest(self.sign(*parts), mac)
