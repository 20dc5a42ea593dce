"""A signing helper process: RSA-signs delivery signing strings, so that signing runs beside the sending event loop.

cryptography keeps the GIL while it computes an RSA signature (checked with 46.x: a thread waiting for the GIL
wakes only at the interpreter's switch interval while another thread signs), so signing threads in the worker
compete with the event loop that sends. `delivery_signing.SigningHelpers` starts a few of these processes
(`python -m fediscience.federation.delivery_signer`) and talks to each over its stdin/stdout.

Frames, both ways: a 4-byte big-endian length, then the body: request id (4 bytes), kind (1 byte), and items,
each a 4-byte length and its bytes. A request (kind `S`) carries the private key PEM then the strings to sign;
the answer (kind `K`) carries the signatures in the same order, or (kind `E`) one item: why it failed.
The process ends when its stdin ends (the worker closed it, or died).
"""

from __future__ import annotations

import signal
import struct
import sys
from collections.abc import Sequence
from typing import BinaryIO

from ..activitypub.keys import load_private_key
from ..activitypub.signatures import sign_bytes

SIGN, SIGNED, FAILED = b"S", b"K", b"E"
_LENGTH = struct.Struct(">I")
_HEAD = struct.Struct(">Ic")
MAX_FRAME = 64 * 1024 * 1024  # far above any batch; a longer length means a corrupt stream


class FrameError(ValueError):
    """A frame that cannot be read."""


def pack(request_id: int, kind: bytes, items: Sequence[bytes]) -> bytes:
    """One whole frame (length prefix included) for a request or an answer."""
    parts = [_HEAD.pack(request_id, kind)]
    for item in items:
        parts += (_LENGTH.pack(len(item)), item)
    body = b"".join(parts)
    return _LENGTH.pack(len(body)) + body


def unpack(body: bytes) -> tuple[int, bytes, list[bytes]]:
    """The request id, kind and items of a frame's body (without its length prefix)."""
    if len(body) < _HEAD.size:
        raise FrameError("frame too short")
    request_id, kind = _HEAD.unpack_from(body)
    items, offset = [], _HEAD.size
    while offset < len(body):
        if offset + _LENGTH.size > len(body):
            raise FrameError("truncated item length")
        (size,) = _LENGTH.unpack_from(body, offset)
        offset += _LENGTH.size
        if offset + size > len(body):
            raise FrameError("truncated item")
        items.append(body[offset:offset + size])
        offset += size
    return request_id, kind, items


def body_length(prefix: bytes) -> int:
    """The body length a 4-byte frame prefix announces (FrameError if absurd)."""
    (size,) = _LENGTH.unpack(prefix)
    if size > MAX_FRAME:
        raise FrameError(f"frame of {size} bytes")
    return size


def answer(body: bytes) -> bytes:
    """The answer frame to one request frame's body: the signatures, or why there are none."""
    request_id = 0
    try:
        request_id, kind, items = unpack(body)
        if kind != SIGN or not items:
            raise FrameError(f"unknown request kind {kind!r}")
        key = load_private_key(items[0], trusted=True)  # cached by PEM: one load per key per process
        return pack(request_id, SIGNED, [sign_bytes(key, text) for text in items[1:]])
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the worker, which signs itself
        return pack(request_id, FAILED, [f"{type(exc).__name__}: {exc}".encode()[:1000]])


def _read_exactly(source: BinaryIO, size: int) -> bytes | None:
    data = source.read(size)
    return data if data is not None and len(data) == size else None


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    """Answer request frames from source on sink until source ends."""
    while (prefix := _read_exactly(source, _LENGTH.size)) is not None:
        body = _read_exactly(source, body_length(prefix))
        if body is None:
            return
        sink.write(answer(body))
        sink.flush()


def main() -> None:
    """Run as a helper: stdin and stdout carry the frames; Ctrl-C is the worker's business, not ours."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except (BrokenPipeError, FrameError):  # the worker went away, or is not speaking this protocol: stop
        pass


if __name__ == "__main__":
    main()
