"""What stands between the network and the API, before any route runs.

`Guard` (one ASGI middleware) refuses, in this order and before a byte of the body is read: a Host header that
names no address the server was bound to (DNS rebinding: a page on a name the attacker re-points at 127.0.0.1
would otherwise read and write the corpus), a missing or wrong token, and a declared body over the limit. The
body is then streamed through a counter with a total deadline (413 over the limit, 408 when it dawdles).
Every refusal carries `Connection: close`, so the server closes the connection once it is sent: a refused
client that keeps dripping a body it announced holds no socket.
`GuardedH11Protocol` closes a connection whose request line and headers have not all arrived within
`HEADER_TIMEOUT` seconds (slowloris): uvicorn itself waits for them forever. It also bounds the connections of
one client address (`MAX_CONNECTIONS_PER_CLIENT`, at most half of what the open-files limit leaves) and of
all clients (the open-files limit less a burst of accepts and `FILES_SPARE`): a new connection beyond a bound
closes the oldest connection of that crowd that has no request in progress (an idle or half-sent one), or, when
all are busy, is itself answered 503 and closed. A client that opens sockets by the thousand uses up its own
share, not the server's file descriptors, and a new request always gets in. `serve` accepts at most `accept_backlog()`
connections at once, so a burst cannot pass the limit before the check runs.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import resource
import socket
from collections.abc import Callable, Iterable
from typing import Any

import h11
import uvicorn
from fastapi.exceptions import HTTPException  # not starlette's: FastAPI re-raises only its own from a body read
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
HEADER_TIMEOUT = 10.0  # seconds for the request line and all headers of one request
# Bytes of a request line and headers buffered while they arrive (h11's own default is 16 KB). Past h11's bound a
# request is refused with a reset, so a long filter URL was answered or reset depending on how TCP cut it; with
# this bound, a head up to 128 KB is answered the same way however it arrives, and a longer one is always refused.
MAX_REQUEST_HEAD = 128 * 1024
BODY_TIMEOUT = 60.0  # seconds for the whole body of one request
CLIENT_GONE = "narrascope.client_gone"  # scope key: an asyncio.Event set when the client disconnects
TOKEN_HELP = "this API needs the header Authorization: Bearer TOKEN"
MAX_CONNECTIONS_PER_CLIENT = 128
FILES_SPARE = 64  # open files kept for the server itself (the store, logs, the worker process's pipes)
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
    b'Content-Length: 85\r\n\r\n{"code": "too_many_connections", "message": "too many connections from this address"}'
)


class Refused(HTTPException):
    """A request refused with a JSON `{code, message}` (raised while the app reads the body)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, message)
        self.code = code


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def refusal(status: int, code: str, message: str) -> JSONResponse:
    """An error sent before the request is read: the connection is closed after it (the unread body is dropped)."""
    response = error(status, code, message)
    response.headers["Connection"] = "close"
    return response


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def _name(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a Host header may carry for a server bound to `bound`: the loopback names for a loopback bind,
    the bound address otherwise (for 0.0.0.0 / :: also this machine's name), and the `extra` ones."""
    names = {_name(h) for h in extra if h.strip()}
    if is_loopback(bound) or is_wildcard(bound):
        names |= LOOPBACK_NAMES
    if is_wildcard(bound):
        names |= {_name(socket.gethostname()), _name(socket.getfqdn())}
    else:
        names.add(_name(bound))
    return frozenset(names)


def host_of(header: str) -> str:
    """The host part of a Host header: `example.org:8000` -> `example.org`, `[::1]:8000` -> `::1`."""
    header = header.strip()
    if header.startswith("["):
        return _name(header[: header.find("]") + 1] if "]" in header else header)
    return _name(header.rsplit(":", 1)[0] if header.count(":") == 1 else header)


class Guard:
    """Host check, token check and a streamed, bounded, timed body, before the app sees the request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        hosts: frozenset[str],
        token: str | None,
        max_body: int,
        body_timeout: float = BODY_TIMEOUT,
        admit: Callable[[Scope], JSONResponse | None] | None = None,
        finish: Callable[[Scope], None] | None = None,
    ) -> None:
        self.app, self.hosts, self.max_body, self.body_timeout = app, hosts, max_body, body_timeout
        self.admit = admit  # a last check before the body is read (e.g. 503 when the analysis queue is full)
        self.finish = finish  # called when an admitted request ends, whatever happened
        self.expected = f"Bearer {token}".encode() if token is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        refused = self._refusal(scope, headers)
        if refused is not None:
            refused.headers["Connection"] = "close"  # the body it may still be sending is never read
            await refused(scope, receive, send)
            return
        try:
            await self._bounded(scope, receive, send)
        finally:
            if self.finish is not None:
                self.finish(scope)

    def _refusal(self, scope: Scope, headers: dict[bytes, bytes]) -> JSONResponse | None:
        host = host_of(headers.get(b"host", b"").decode("latin-1"))
        if host not in self.hosts:
            shown = host or "(none)"
            return refusal(400, "bad_host", f"Host {shown!r} is not an address of this server (see --allowed-host)")
        if self.expected is not None and str(scope.get("path", "")).startswith("/api"):
            given = headers.get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                response = refusal(401, "unauthorized", TOKEN_HELP)
                response.headers["WWW-Authenticate"] = "Bearer"
                return response
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            return refusal(413, "body_too_large", f"request body over {self.max_body} bytes")
        return self.admit(scope) if self.admit is not None else None

    async def _bounded(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app, reading the body through a counter with a deadline. Over the limit or past the deadline,
        the refusal is sent from here and the app is told the client left (whatever it answers is dropped).
        Once the body is in, one task waits for the client to leave and sets `scope[CLIENT_GONE]`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout
        gone = scope[CLIENT_GONE] = asyncio.Event()
        seen = 0
        state = {"started": False, "refused": False}
        watcher: asyncio.Task[Message] | None = None

        async def watch() -> Message:
            message = await receive()  # after the body only http.disconnect comes (or the response is done)
            if message["type"] == "http.disconnect":
                gone.set()
            return message

        async def bounded() -> Message:
            nonlocal seen, watcher
            if state["refused"]:
                return {"type": "http.disconnect"}
            if watcher is not None:
                return await asyncio.shield(watcher)
            try:
                message = await asyncio.wait_for(receive(), timeout=max(deadline - loop.time(), 0.001))
            except TimeoutError:
                refusal = error(408, "body_timeout", f"the request body did not arrive within {self.body_timeout:g} s")
                return await refuse(refusal)
            if message["type"] == "http.disconnect":
                gone.set()
            elif message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    return await refuse(error(413, "body_too_large", f"request body over {self.max_body} bytes"))
                if not message.get("more_body", False):
                    watcher = asyncio.create_task(watch())
            return message

        async def refuse(response: JSONResponse) -> Message:
            state["refused"] = True
            if not state["started"]:
                response.headers["Connection"] = "close"
                await response(scope, receive, send)
            return {"type": "http.disconnect"}

        async def sending(message: Message) -> None:
            if state["refused"]:
                return
            state["started"] = True
            await send(message)

        try:
            await self.app(scope, bounded, sending)
        finally:
            if watcher is not None:
                watcher.cancel()


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's line and headers (slowloris)."""

    header_timeout = HEADER_TIMEOUT
    max_per_client = MAX_CONNECTIONS_PER_CLIENT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._opened = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._opened = self.loop.time()
        self._arm()
        self._bound_client()

    def _idle(self) -> bool:
        """No request in progress: waiting for (the rest of) a request line and headers, or kept alive."""
        return bool(self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete))

    def _bound_client(self) -> None:
        """Keep this client under its share, and all connections under the open-files limit (see the module doc)."""
        others = [c for c in self.connections if isinstance(c, GuardedH11Protocol) and c is not self
                  and not c.transport.is_closing()]  # fmt: skip
        total = max(16, _files_limit() - accept_backlog() - FILES_SPARE)
        address = self.client[0] if self.client else None
        mine = [c for c in others if c.client and c.client[0] == address]
        share = min(self.max_per_client, max(8, total // 2))
        crowd = mine if len(mine) >= share else others if len(others) >= total else None
        if crowd is None:
            return
        idle = [c for c in crowd if c._idle()]
        if idle:
            min(idle, key=lambda c: c._opened).transport.close()
        else:
            self.transport.write(_BUSY)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()  # a request is (still) arriving: its headers have until the deadline, not per byte
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def server_config(app: ASGIApp, **options: Any) -> uvicorn.Config:
    """How `serve` runs the app: the guarded h11 protocol, its accept backlog and the request-head bound."""
    return uvicorn.Config(
        app, log_level="warning", http=GuardedH11Protocol, backlog=accept_backlog(),
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD, **options,
    )  # fmt: skip


def _files_limit() -> int:
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return 1 << 20 if soft == resource.RLIM_INFINITY else int(soft)


def accept_backlog() -> int:
    """Connections `serve` accepts at once (and its listen queue): uvicorn's 2048, less when the open-files limit
    is low, so that a burst of accepts cannot exhaust the files before `GuardedH11Protocol` checks the bounds."""
    return min(2048, max(16, (_files_limit() - FILES_SPARE) // 2))


def raise_open_files_limit(wanted: int = 65536) -> int:
    """Raise this process's soft limit of open files towards the hard one (many idle connections must not
    exhaust it before their timeouts close them); returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return int(soft)
