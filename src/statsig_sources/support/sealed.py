"""Files the tool writes for itself and trusts again, sealed: an HMAC-SHA256, under a key only this
user on this machine knows (local_key.py), of the exact bytes of the body. Anyone who can put a file in
dbt's target directory (a pull request, a restored CI cache, a downloaded artifact) can write one, so a
body is trusted only when its seal is right; anything else (no key, another key, an edited or
truncated file, a symbolic link, a file that is not this tool's) reads as nothing, never as an error.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import msgspec

from statsig_sources.support.errors import InputError
from statsig_sources.support.files import is_link_or_in_one, read_private_file, write_atomically
from statsig_sources.support.local_key import sealing_key


class _Sealed(msgspec.Struct):
    seal: bytes  # HMAC-SHA256 of `body`, byte for byte as written
    body: msgspec.Raw


_SEALED = msgspec.json.Decoder(_Sealed)


def _seal(key: bytes, context: bytes, body: bytes) -> bytes:
    return hmac.new(key, context + body, hashlib.sha256).digest()


def read_sealed(path: Path, context: bytes, max_bytes: int) -> bytes | None:
    """The body sealed at `path` for `context` (which file it is meant to be) by this user's key; None
    when there is none to trust."""
    key = sealing_key()
    data = read_private_file(path, max_bytes) if key is not None else None
    if key is None or data is None:
        return None
    try:
        sealed = _SEALED.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return None
    body = bytes(sealed.body)
    return body if hmac.compare_digest(sealed.seal, _seal(key, context, body)) else None


def write_sealed(path: Path, context: bytes, body: bytes) -> None:
    """Seal `body` for `context` and write it to `path`; nothing is written without a key, through a
    symbolic link, or where the file system refuses (none of which is an error)."""
    key = sealing_key()
    if key is None or is_link_or_in_one(path):
        return
    document = msgspec.json.encode(_Sealed(_seal(key, context, body), msgspec.Raw(body)))
    try:
        write_atomically(path, document.decode("utf-8"))
    except InputError:
        pass
