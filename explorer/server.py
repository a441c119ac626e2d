"""Serving the dashboard to several users: WSGI middleware and the production servers.

The dashboard's callbacks are pure functions of their request body and the
read-only data, so the server can be made cheap and safe around them, without
knowing what the callbacks are:

- :class:`SecurityHeaders` refuses requests whose ``Host`` header names a host
  this server does not serve (400), and adds the security headers
  (Content-Security-Policy, X-Content-Type-Options, X-Frame-Options,
  Referrer-Policy) to every response, including the errors below.
- :class:`ResponseCache` answers a request it has answered before from a
  bounded disk cache shared by every worker process, before the gate, Flask
  or Dash do any work. The key is the whole request, normalised: the data's
  fingerprint, the code's version, the path, the content type, the encoding
  the answer is compressed with, and the SHA-256 of the body in canonical
  JSON (keys sorted, no spaces), which holds the callback's outputs, inputs,
  state and trigger; so a view computed once by any worker is a file read
  for every other user. Responses are stored compressed, as sent.
- :class:`RequestGate` lets a bounded number of requests compute at once in a
  process, queues a bounded number more for a bounded time, and answers the
  rest at once with 503 and ``Retry-After``: overload is refused, not piled up.
  Under gunicorn, a request that runs past the hard limit makes its worker
  stop gracefully, so the arbiter replaces it.

:func:`run_gunicorn` (Linux, macOS; several processes) and :func:`run_waitress`
(one process, any system) serve a WSGI application with these settings. Nothing
here imports Dash: :mod:`explorer.app.server` puts the dashboard together.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs

from .errors import ArgumentError

__all__ = [
    "ServerSettings",
    "SecurityHeaders",
    "ResponseCache",
    "canonical_json",
    "accepted_encodings",
    "RequestGate",
    "DiskStore",
    "host_name",
    "security_headers",
    "run_gunicorn",
    "run_waitress",
    "private_cache_dir",
    "checked_cache_dir",
    "check_port",
]

log = logging.getLogger("explorer.server")

DASH_UPDATE = "/_dash-update-component"
# GET responses that are a pure function of the URL (static files, the component tree, the callback
# table); the page itself is cheap and varies with nothing either, but is one small response.
CACHED_GET_PREFIXES = ("/_dash-layout", "/_dash-dependencies", "/_dash-component-suites/", "/assets/")
MAX_CACHED_BODY = 4 * 1024 * 1024  # request bodies above this are served, never cached
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_FORK_LOCK = threading.Lock()


@dataclass(frozen=True)
class ServerSettings:
    """How the dashboard is served; the command line and ``$EXPLORER_*`` variables set it.

    ``slots`` requests compute at once in each process (the work holds the GIL,
    so more would only share one core); up to ``max_waiting`` more wait for a
    slot, each at most ``queue_timeout`` seconds; beyond that, 503. A request
    running longer than ``request_timeout`` seconds makes a gunicorn worker
    restart. ``cache_mb`` bounds the shared response cache (0 turns it off).
    """

    host: str = "127.0.0.1"
    port: int = 8050
    workers: int = 1
    threads: int = 32
    slots: int = 1
    max_waiting: int = 32
    queue_timeout: float = 10.0
    request_timeout: float = 60.0
    backlog: int = 128
    allowed_hosts: tuple[str, ...] = ()
    cache_dir: str | None = None
    cache_mb: int = 512
    exports: bool = True
    export_slots: int = 1

    ENV: ClassVar[dict[str, str]] = {
        "allowed_hosts": "EXPLORER_ALLOWED_HOSTS",
        "cache_dir": "EXPLORER_CACHE_DIR",
        "cache_mb": "EXPLORER_CACHE_MB",
        "slots": "EXPLORER_SLOTS",
        "max_waiting": "EXPLORER_MAX_WAITING",
        "queue_timeout": "EXPLORER_QUEUE_TIMEOUT",
        "request_timeout": "EXPLORER_TIMEOUT",
        "exports": "EXPLORER_EXPORTS",
        "export_slots": "EXPLORER_EXPORT_SLOTS",
    }

    @classmethod
    def from_env(cls, environ: dict | None = None, **given) -> ServerSettings:
        """Settings from ``$EXPLORER_*`` variables (see :attr:`ENV`), overridden by ``given``.

        A malformed value raises :class:`~explorer.errors.ArgumentError` naming the variable.
        """
        environ = os.environ if environ is None else environ
        values: dict = {}
        for name, var in cls.ENV.items():
            raw = environ.get(var, "").strip()
            if not raw:
                continue
            kind = cls.__dataclass_fields__[name].type
            try:
                if name == "allowed_hosts":
                    values[name] = tuple(h.strip() for h in raw.split(",") if h.strip())
                elif name == "exports":
                    if raw.lower() not in ("1", "0", "on", "off", "true", "false", "yes", "no"):
                        raise ValueError(raw)
                    values[name] = raw.lower() in ("1", "on", "true", "yes")
                elif "float" in str(kind):
                    values[name] = float(raw)
                elif "int" in str(kind):
                    values[name] = int(raw)
                else:
                    values[name] = raw
            except ValueError:
                raise ArgumentError(f"${var}: {raw!r} is not a valid {name.replace('_', ' ')}") from None
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values).checked()

    def checked(self) -> ServerSettings:
        """These settings, or :class:`~explorer.errors.ArgumentError` naming the first bad one."""
        for name, low in (("workers", 1), ("threads", 1), ("slots", 1), ("export_slots", 1), ("backlog", 1)):
            if getattr(self, name) < low:
                raise ArgumentError(f"{name.replace('_', ' ')} must be at least {low}, not {getattr(self, name)}")
        for name in ("max_waiting", "cache_mb"):
            if getattr(self, name) < 0:
                raise ArgumentError(f"{name.replace('_', ' ')} must be 0 or more, not {getattr(self, name)}")
        for name in ("queue_timeout", "request_timeout"):
            if not getattr(self, name) > 0:
                raise ArgumentError(f"{name.replace('_', ' ')} must be above 0 seconds, not {getattr(self, name)}")
        return self

    def served_hosts(self) -> frozenset[str]:
        """The host names a request may name: this machine's loopback names, the bound
        address (unless it is a wildcard) and the allowed hosts; ``*`` allows any."""
        names = {*LOCAL_HOSTS, *(h.lower().rstrip(".") for h in self.allowed_hosts)}
        if self.host not in ("0.0.0.0", "::", ""):
            names.add(self.host.lower().strip("[]"))
        return frozenset(names)


def host_name(header: str) -> str:
    """The host part of a ``Host`` header, lower case, without port or brackets.

    >>> host_name("Example.org:8050"), host_name("[::1]:8050"), host_name("127.0.0.1")
    ('example.org', '::1', '127.0.0.1')
    """
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else ""
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def security_headers(csp: str) -> list[tuple[str, str]]:
    """The headers added to every response."""
    return [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # The page's own requests say which view it shows (the layout is drawn for it); no other
        # host is ever told.
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]


def _plain(start_response, status: str, text: str, extra: Iterable[tuple[str, str]] = ()) -> list[bytes]:
    body = (text.rstrip("\n") + "\n").encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *extra,
    ]
    start_response(status, headers)
    return [body]


class SecurityHeaders:
    """WSGI middleware: 400 for a ``Host`` this server does not serve; security headers on every response."""

    def __init__(self, app, csp: str, hosts: Iterable[str]):
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)
        self.headers = security_headers(csp)
        self._names = {k.lower() for k, _ in self.headers}

    def __call__(self, environ, start_response):
        def with_headers(status, headers, exc_info=None):
            kept = [(k, v) for k, v in headers if k.lower() not in self._names]
            return start_response(status, kept + self.headers, exc_info)

        name = host_name(environ.get("HTTP_HOST", ""))
        if "*" not in self.hosts and name not in self.hosts:
            shown = name[:80] if name.isprintable() else repr(name[:80])
            return _plain(
                with_headers,
                "400 Bad Request",
                f"Bad Request: this server does not answer for host {shown!r} "
                "(start it with --allowed-host NAME, or set EXPLORER_ALLOWED_HOSTS).",
            )
        return self.app(environ, with_headers)


class RequestGate:
    """WSGI middleware: at most ``slots`` requests run at once; ``max_waiting`` more wait, each at
    most ``queue_timeout`` seconds; any other request gets 503 with ``Retry-After`` at once.

    :meth:`watch` starts a watchdog that calls ``on_timeout`` (once) when a request
    has run longer than its limit; gunicorn workers use it to restart themselves.
    """

    def __init__(self, app, slots: int = 1, max_waiting: int = 12, queue_timeout: float = 10.0, retry_after: int = 5):
        self.app = app
        self.slots = slots
        self.max_waiting = max_waiting
        self.queue_timeout = queue_timeout
        self.retry_after = retry_after
        self._watchdog: threading.Thread | None = None
        self.rejected = 0
        self._reset()

    def _reset(self) -> None:
        # A forked worker starts with free slots, whatever its parent was doing.
        self._pid = os.getpid()
        self._slots = threading.BoundedSemaphore(self.slots)
        self._lock = threading.Lock()
        self.waiting = 0
        self._running: dict[int, tuple[float, str]] = {}

    def _busy(self, start_response, why: str):
        with self._lock:
            self.rejected += 1
        return _plain(
            start_response,
            "503 Service Unavailable",
            f"Service Unavailable: the server is busy ({why}); try again in a few seconds.",
            [("Retry-After", str(self.retry_after))],
        )

    def __call__(self, environ, start_response):
        if self._pid != os.getpid():
            with _FORK_LOCK:
                if self._pid != os.getpid():
                    self._reset()
        if not self._slots.acquire(blocking=False):
            with self._lock:
                full = self.waiting >= self.max_waiting
                if not full:
                    self.waiting += 1
            if full:
                return self._busy(start_response, f"{self.max_waiting} requests already waiting")
            try:
                got = self._slots.acquire(timeout=self.queue_timeout)
            finally:
                with self._lock:
                    self.waiting -= 1
            if not got:
                return self._busy(start_response, f"no answer within {self.queue_timeout:g} s")
        token = object()
        with self._lock:
            self._running[id(token)] = (time.monotonic(), environ.get("PATH_INFO", ""))
        try:
            # The whole answer is made while the slot is held, and the slot is free before it is
            # sent: a slow client holds a thread, never a slot.
            status, headers, content = _collect(self.app, environ)
        finally:
            with self._lock:
                self._running.pop(id(token), None)
            self._slots.release()
        start_response(status, headers)
        return [content]

    def overdue(self, limit: float) -> list[tuple[float, str]]:
        """(seconds running, path) of the requests running longer than ``limit`` seconds."""
        now = time.monotonic()
        with self._lock:
            return [(now - t, p) for t, p in self._running.values() if now - t > limit]

    def watch(self, limit: float, on_timeout: Callable[[float, str], None], every: float = 1.0) -> None:
        """Call ``on_timeout(seconds, path)`` once, from a daemon thread, when a request overruns ``limit``."""

        def loop():
            while True:
                time.sleep(every)
                late = self.overdue(limit)
                if late:
                    on_timeout(*max(late))
                    return

        self._watchdog = threading.Thread(target=loop, name="explorer-watchdog", daemon=True)
        self._watchdog.start()


class DiskStore:
    """A bounded (LRU) disk cache shared by processes: :mod:`diskcache` on a local folder.

    Opened lazily in each process (SQLite connections must not cross a fork);
    any error of the store is logged once and treated as a miss, so a full
    disk slows the server down but never fails a request.
    """

    def __init__(self, directory: str | Path, size_mb: int):
        self.directory = str(directory)
        self.size_mb = size_mb
        self._cache = None
        self._pid = None
        self._lock = threading.Lock()
        self._warned = False

    def _open(self):
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    import diskcache

                    self._cache = diskcache.Cache(
                        self.directory,
                        timeout=1,
                        size_limit=self.size_mb * 1024 * 1024,
                        eviction_policy="least-recently-used",
                        cull_limit=10,
                    )
                    self._pid = os.getpid()
        return self._cache

    def _failed(self, exc: Exception) -> None:
        if not self._warned:
            self._warned = True
            log.warning("explorer: response cache at %s disabled after an error: %s", self.directory, exc)

    def get(self, key: str):
        try:
            return self._open().get(key)
        except Exception as exc:  # sqlite timeouts, a full or read-only disk
            self._failed(exc)
            return None

    def set(self, key: str, value) -> None:
        try:
            self._open().set(key, value)
        except Exception as exc:
            self._failed(exc)

    def __len__(self) -> int:
        try:
            return len(self._open())
        except Exception:
            return 0

    def close(self) -> None:
        if self._cache is not None and self._pid == os.getpid():
            self._cache.close()


def canonical_json(body: bytes) -> tuple[bytes, object]:
    r"""``body`` as canonical JSON (keys sorted, no spaces), and the value it holds; a body
    that is not JSON is returned as it is, with ``None``.

    Two bodies with the same canonical form are the same request to any JSON reader
    (Flask's included: a repeated key keeps its last value in both).

    >>> canonical_json(b'{"b": [1, 2.0], "a": "\\u00e9"}')[0].decode()
    '{"a":"é","b":[1,2.0]}'
    """
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body, None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(), value


def accepted_encodings(header: str) -> str:
    """The ``Accept-Encoding`` header, normalised: lower case, without spaces."""
    return header.replace(" ", "").lower()


@dataclass
class ResponseCache:
    """WSGI middleware: answer a pure request from ``store`` when it was answered before.

    A request is cached when it is a Dash callback (``POST /_dash-update-component``)
    whose outputs are not in ``uncacheable`` (component ids, as JSON, of the
    callbacks that are not pure: downloads), or a GET of a static resource
    (``get_prefixes``, by default :data:`CACHED_GET_PREFIXES`). Only 200 and 204 responses without cookies are
    stored, as sent (compressed). The key is ``namespace`` (the data fingerprint
    and the code version), the method, path, query (none for callbacks: Dash's
    per-page ``endId`` concerns background callbacks only), the media type of the
    body, the encoding the answer is compressed with (``encoding_of`` the
    ``Accept-Encoding`` header: by default the header itself, normalised; the
    dashboard passes the compressor's own choice, so every browser that gets
    Brotli shares one entry) and the SHA-256 of the body in canonical JSON
    (:func:`canonical_json`). Responses carry ``X-Explorer-Cache: hit`` or ``miss``.
    """

    app: Callable
    store: DiskStore
    namespace: str
    uncacheable: frozenset[str] = frozenset()
    get_prefixes: tuple[str, ...] = CACHED_GET_PREFIXES
    encoding_of: Callable[[str], str] = accepted_encodings
    hits: int = 0
    misses: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _body(self, environ) -> bytes | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            return None
        if length < 0 or length > MAX_CACHED_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body

    def pure_callback(self, body: bytes | dict) -> bool:
        """Whether a callback request body (bytes, or its decoded JSON) asks for outputs whose callback is pure."""
        if not self.uncacheable:
            return True
        try:
            outputs = (json.loads(body) if isinstance(body, bytes) else body).get("outputs")
        except (ValueError, AttributeError):
            return False
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for out in outputs:
            for o in out if isinstance(out, list) else [out]:
                cid = o.get("id") if isinstance(o, dict) else None
                if _canonical_id(cid) in self.uncacheable:
                    return False
        return True

    def key(self, environ, query: str, body: bytes) -> str:
        """The cache key of a request whose (canonical) body is ``body``."""
        parts = [
            self.namespace,
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", ""),
            query,
            environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower() if body else "",
            str(self.encoding_of(environ.get("HTTP_ACCEPT_ENCODING", ""))),
            hashlib.sha256(body).hexdigest(),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        if method == "POST" and path == DASH_UPDATE:
            # Dash signs each page load (``endId``) for background callbacks only; any other
            # parameter belongs to a background callback, whose answer is not pure.
            if any(k != "endId" for k in parse_qs(query, keep_blank_values=True)):
                return self.app(environ, start_response)
            body = self._body(environ)
            if body is None:
                return self.app(environ, start_response)
            body, value = canonical_json(body)
            if value is None or not self.pure_callback(value):
                return self.app(environ, start_response)
            query = ""
        elif method == "GET" and path.startswith(self.get_prefixes):
            body = b""
        else:
            return self.app(environ, start_response)
        key = self.key(environ, query, body)
        hit = self.store.get(key)
        if hit is not None:
            status, headers, content = hit
            with self._lock:
                self.hits += 1
            start_response(status, [*headers, ("X-Explorer-Cache", "hit")])
            return [content]
        with self._lock:
            self.misses += 1
        status, headers, content = _collect(self.app, environ)
        cacheable = status[:3] in ("200", "204") and not any(k.lower() == "set-cookie" for k, _ in headers)
        if cacheable:
            self.store.set(key, (status, headers, content))
        start_response(status, [*headers, ("X-Explorer-Cache", "miss" if cacheable else "off")])
        return [content]


def _canonical_id(cid) -> str:
    return json.dumps(cid, sort_keys=True, separators=(",", ":")) if isinstance(cid, dict) else str(cid)


def _collect(app, environ) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI app to completion: its status, headers and whole body."""
    captured: dict = {}
    chunks: list[bytes] = []

    def start_response(status, headers, exc_info=None):
        if exc_info and captured:
            raise exc_info[1].with_traceback(exc_info[2])
        captured["status"], captured["headers"] = status, list(headers)
        return chunks.append

    result = app(environ, start_response)
    try:
        for chunk in result:
            chunks.append(chunk)
    finally:
        if hasattr(result, "close"):
            result.close()
    return captured["status"], captured["headers"], b"".join(chunks)


CACHE_PREFIX = "explorer-cache-"


def private_cache_dir() -> tuple[Path, Callable[[], None]]:
    """A new private folder for the response cache, and the function that removes it; the
    function does nothing in any other process than this one (forked workers exit too).

    The folder's name carries this process's id, so folders left by a server that was killed
    (``kill -9``, a machine reset) are found and removed here, when their process is gone.
    """
    owner = os.getpid()
    _remove_stale_cache_dirs()
    path = Path(tempfile.mkdtemp(prefix=f"{CACHE_PREFIX}{owner}-"))

    def remove() -> None:
        if os.getpid() == owner:
            shutil.rmtree(path, ignore_errors=True)

    return path, remove


def _remove_stale_cache_dirs() -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{CACHE_PREFIX}*-*"):
        pid = folder.name[len(CACHE_PREFIX) :].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, AttributeError):  # not ours to judge, or no getuid (Windows)
            continue


def checked_cache_dir(folder: str | Path) -> Path:
    """``folder``, created private if missing; refused when users other than this one may write
    in it (the cache holds pickles, so whoever writes there could run code in the server)."""
    path = Path(folder)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except OSError as exc:
        raise ArgumentError(f"--cache-dir {str(path)!r}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise ArgumentError(f"--cache-dir {str(path)!r} is not a folder")
    if info.st_mode & 0o022 or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise ArgumentError(
            f"--cache-dir {str(path)!r} may be written by other users; use a folder only you can write (chmod 700)"
        )
    return path


def check_port(host: str, port: int) -> None:
    """Raise :class:`~explorer.errors.ArgumentError` at once when ``host:port`` cannot be listened on
    (taken, or an address this machine does not have), before any data is loaded."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), port))
        except OSError as exc:
            raise ArgumentError(f"cannot listen on {_bind(host, port)}: {exc.strerror or exc}") from None


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _fewer_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas (``MALLOC_ARENA_MAX``) in this process and the workers it forks.

    glibc gives each thread that allocates its own arena, up to eight per core; with 32 threads a
    worker's memory kept growing under load (freed blocks stranded in many arenas) although every
    cache is bounded by count. No effect where the C library is not glibc.
    """
    if os.environ.get("MALLOC_ARENA_MAX"):
        return  # the operator's choice
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8: M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def run_gunicorn(wsgi, settings: ServerSettings, gate: RequestGate | None = None, ready: Callable | None = None):
    """Serve ``wsgi`` with gunicorn: ``settings.workers`` processes forked after the data is
    loaded (so they share it), each with ``settings.threads`` threads (gthread).

    gunicorn's ``timeout`` is a heartbeat (a gthread worker stays alive while one
    of its threads computes), so the ``gate``'s watchdog enforces the request
    limit: an overrunning request makes its worker exit gracefully, and the
    arbiter starts a fresh one (killing it after ``timeout`` if it still hangs).
    Returns when the server stops (Ctrl+C or SIGTERM).
    """
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError as exc:  # Windows, or gunicorn not installed
        raise ArgumentError(
            f"--workers {settings.workers} needs gunicorn, which is not available here ({exc}); "
            "use --workers 1 (waitress) instead"
        ) from None

    _fewer_malloc_arenas()

    def post_worker_init(worker):
        if gate is None:
            return

        def restart(seconds: float, path: str) -> None:
            worker.log.warning(
                "request %s ran %.0f s (limit %g s): restarting worker %s",
                path,
                seconds,
                settings.request_timeout,
                os.getpid(),
            )
            os.kill(os.getpid(), signal.SIGTERM)

        gate.watch(settings.request_timeout, restart)

    def when_ready(server):
        if ready:
            ready()

    options = {
        "bind": [_bind(settings.host, settings.port)],
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": settings.threads,
        "timeout": max(10, int(settings.request_timeout)),
        "graceful_timeout": min(30, max(5, int(settings.request_timeout))),
        "keepalive": 5,
        # A worker is replaced (forked again from the loaded master) after this many requests, so
        # whatever its allocator holds cannot grow without end. The caches are bounded by count,
        # and a fresh worker starts with cold caches: at 5,000 a busy server (150 requests/s over
        # two workers) replaced a worker every minute and its p95 tripled while it warmed up.
        "max_requests": 100_000,
        "max_requests_jitter": 10_000,
        "backlog": settings.backlog,
        "worker_connections": max(64, 4 * settings.threads),
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "post_worker_init": post_worker_init,
        "when_ready": when_ready,
        "proc_name": "explorer",
        "limit_request_line": 8190,
    }

    class _Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn 24+ opens a control socket at a fixed path in $HOME: two servers
                # on one machine would fight over it, and nothing here uses it.
                self.cfg.set("control_socket_disable", True)

        def load(self):
            return wsgi

    # Objects made before the fork are shared copy-on-write; frozen, the collector never touches them.
    gc.collect()
    gc.freeze()
    try:
        _Server().run()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise


def run_waitress(wsgi, settings: ServerSettings, ready: Callable | None = None) -> None:
    """Serve ``wsgi`` in this one process with waitress (any system)."""
    from waitress import create_server

    try:
        server = create_server(
            wsgi,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            backlog=settings.backlog,
            connection_limit=max(100, 4 * settings.threads),
            channel_timeout=max(30, int(settings.request_timeout)),
            ident="explorer",
        )
    except OSError as exc:
        raise ArgumentError(f"cannot listen on {_bind(settings.host, settings.port)}: {exc.strerror or exc}") from None
    if ready:
        ready()

    def stop(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
        # Stopped like any service (SIGTERM): unwind, so the private cache folder is removed.
        signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
