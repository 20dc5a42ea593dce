"""Signing a batch of delivery POSTs: headers and signing strings here, the RSA work in helper processes.

The delivery engine's event loop builds each POST's headers (`(request-target) host date digest content-type`, as
`activitypub.sign_request` does) and hands the signing strings, a chunk at a time, to `SigningHelpers`: a few
`delivery_signer` processes, so that signing runs beside the loop instead of fighting it for the GIL. Whatever a
helper cannot sign (none running, one died, the batch is small) is signed on the engine's thread pool instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from ..activitypub.mediatypes import ACTIVITY_JSON
from ..activitypub.signature_header import format_signature_header
from ..activitypub.signatures import POST_SIGNED_HEADERS, host_of, sign_bytes, signing_string, target_of
from .delivery_signer import FAILED, SIGN, SIGNED, FrameError, body_length, pack, unpack

log = logging.getLogger(__name__)
RESTART_PAUSE = 30.0  # seconds before a helper that died is started again
ANSWER_TIMEOUT = 15.0  # a helper that takes longer for one chunk (a few ms of work) is stuck: replaced
_HELPER_MODULE = f"{__package__}.delivery_signer"


@dataclass(frozen=True)
class Signer:
    """Who signs: the key id (`<actor>#main-key`), the loaded private key, and its PEM (for the helpers)."""

    key_id: str
    private_key: rsa.RSAPrivateKey
    private_pem: bytes


def post_headers(url: str, digest: str, date: str) -> dict[str, str]:
    """The headers of a POST before its signature: Host, Date, Digest and Content-Type."""
    return {"Host": host_of(url), "Date": date, "Digest": digest, "Content-Type": ACTIVITY_JSON}


def signing_text(url: str, headers: Mapping[str, str]) -> bytes:
    """The string a POST's signature covers: `(request-target) host date digest content-type`."""
    return signing_string("POST", target_of(url), headers, POST_SIGNED_HEADERS).encode("utf-8")


def signed(headers: dict[str, str], key_id: str, signature: bytes) -> dict[str, str]:
    """The headers with their Signature header added."""
    headers["Signature"] = format_signature_header(key_id, signature, POST_SIGNED_HEADERS)
    return headers


def sign_here(private_key: rsa.RSAPrivateKey, texts: Sequence[bytes]) -> list[bytes]:
    """Sign in this process (the fallback, and small batches)."""
    return [sign_bytes(private_key, text) for text in texts]


class HelperUnavailable(Exception):
    """A helper could not sign a request (it died, or answered with an error)."""


class _Helper:
    """One helper process: the requests it has not answered yet, and the task that reads its answers."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pending: dict[int, asyncio.Future[list[bytes]]] = {}
        self.queued = 0  # strings sent and not answered: the helper's load
        self.closing = False
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @property
    def alive(self) -> bool:
        """True while the process runs and its answers are being read."""
        return self.process.returncode is None and not self.reader.done()

    async def sign(self, request_id: int, pem: bytes, texts: Sequence[bytes]) -> list[bytes]:
        """The signatures of texts, from this helper; HelperUnavailable if it cannot give them."""
        if not self.alive:
            raise HelperUnavailable(f"signing helper {self.process.pid} has stopped")
        future: asyncio.Future[list[bytes]] = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        self.queued += len(texts)
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(pack(request_id, SIGN, [pem, *texts]))
            await self.process.stdin.drain()
            signatures = await asyncio.wait_for(future, ANSWER_TIMEOUT)
        except asyncio.TimeoutError:  # before OSError: TimeoutError is one
            self.stop()
            raise HelperUnavailable(f"signing helper {self.process.pid} did not answer in time; stopped") from None
        except (OSError, RuntimeError) as exc:  # a closed pipe: the helper is gone
            raise HelperUnavailable(f"signing helper {self.process.pid}: {exc}") from None
        finally:
            self.queued -= len(texts)
            self.pending.pop(request_id, None)
        if len(signatures) != len(texts):
            raise HelperUnavailable(f"signing helper {self.process.pid} answered {len(signatures)} of {len(texts)}")
        return signatures

    async def _read(self) -> None:
        assert self.process.stdout is not None
        stdout = self.process.stdout
        why = "it exited"
        try:
            while True:
                body = await stdout.readexactly(body_length(await stdout.readexactly(4)))
                request_id, kind, items = unpack(body)
                future = self.pending.get(request_id)
                if future is None or future.done():
                    continue
                if kind == SIGNED:
                    future.set_result(items)
                else:
                    message = items[0].decode("utf-8", "replace") if kind == FAILED and items else "no answer"
                    future.set_exception(HelperUnavailable(f"signing helper {self.process.pid}: {message}"))
        except asyncio.IncompleteReadError:
            pass  # its stdout ended: it is exiting (killing it now would race the child watcher for its status)
        except (FrameError, OSError) as exc:
            why = f"unreadable answer: {exc}"
            self.stop()
        finally:
            if not self.closing:
                log.warning("signing helper %s stopped (%s); the worker signs until it is replaced", self.process.pid,
                            why)
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(HelperUnavailable(f"signing helper {self.process.pid}: {why}"))

    def stop(self) -> None:
        """Kill the process if it still runs."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    async def close(self) -> None:
        """End the process (closing its stdin ends it) and wait for it."""
        self.closing = True
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 5)
        except asyncio.TimeoutError:
            self.stop()
            await self.process.wait()
        await asyncio.gather(self.reader, return_exceptions=True)


class SigningHelpers:
    """Up to `processes` helper processes that sign for the event loop; the thread pool signs what they cannot.

    Helpers start on the first batch that wants them (`ensure`) and stay for the life of the engine; one that
    dies is started again on a later batch, at most once per RESTART_PAUSE.
    """

    def __init__(self, processes: int, threads: ThreadPoolExecutor) -> None:
        self._slots: list[_Helper | None] = [None] * processes
        self._started = [0.0] * processes  # when each slot last started a process (monotonic)
        self._threads = threads
        self._ids = itertools.count(1)
        self.signed: Counter[str] = Counter()  # signatures made by "helpers" and by the "worker" itself
        self._starting = asyncio.Lock()

    @property
    def live(self) -> int:
        """How many helpers are running."""
        return sum(1 for helper in self._slots if helper is not None and helper.alive)

    @property
    def pids(self) -> list[int]:
        """The process ids of the running helpers (tests, diagnostics)."""
        return [helper.process.pid for helper in self._slots if helper is not None and helper.alive]

    async def ensure(self) -> int:
        """Start the helpers that are not running (and may be started now); returns how many run."""
        async with self._starting:  # two batches at once must not both fill the same slot
            now = time.monotonic()
            for index, helper in enumerate(self._slots):
                if helper is not None and (helper.alive or now - self._started[index] < RESTART_PAUSE):
                    continue
                self._started[index] = now
                try:
                    process = await asyncio.create_subprocess_exec(
                        sys.executable, "-m", _HELPER_MODULE,
                        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                    )
                except OSError as exc:
                    log.warning("cannot start a signing helper: %s; signing in the worker", exc)
                    continue
                self._slots[index] = _Helper(process)
        return self.live

    async def sign(self, signer: Signer, texts: Sequence[bytes], *, helpers: bool = True) -> list[bytes]:
        """The signatures of texts: from the least busy helper, else (or if it fails) from the thread pool."""
        helper = self._least_busy() if helpers else None
        if helper is not None:
            try:
                signatures = await helper.sign(next(self._ids), signer.private_pem, texts)
                self.signed["helpers"] += len(signatures)
                return signatures
            except HelperUnavailable as exc:
                log.debug("%s; signing in the worker", exc)  # a helper's end is logged once, by its reader
        signatures = await asyncio.get_running_loop().run_in_executor(
            self._threads, sign_here, signer.private_key, texts)
        self.signed["worker"] += len(signatures)
        return signatures

    def _least_busy(self) -> _Helper | None:
        running = [helper for helper in self._slots if helper is not None and helper.alive]
        return min(running, key=lambda helper: helper.queued, default=None)

    async def close(self) -> None:
        """Stop every helper."""
        helpers = [helper for helper in self._slots if helper is not None]
        self._slots = [None] * len(self._slots)
        await asyncio.gather(*(helper.close() for helper in helpers), return_exceptions=True)
