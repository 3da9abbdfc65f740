"""My Number lookup over HTTP through ``tokutei serve`` as shipped: signed-in sessions on a registered terminal.

The server is the production server the project ships (``python -m tokutei.cli serve``: gunicorn, its
worker and thread counts from the cores, WhiteNoise, the access log on) started against the bench
database on a loopback port, and the requests go to the shipped JSON API, as a client program of a
municipality would send them: ``POST /api/v1/vault/lookup`` with ``reveal`` (by 個人番号, the number in
the body, never in the URL; CSRF token and session cookie; the terminal credential header) — policy,
purpose, blind index, decrypt and two committed log entries (the search, the reveal). With ``api:
"search+view"``, the two-request form: ``POST /api/v1/vault/search`` then
``GET /api/v1/vault/people/<id>?reveal=true``; its latency is the time of both.

Clients keep their connection open (HTTP/1.1 keep-alive), as a browser does, all on one event loop in this
process (``client: "threads"``: one thread each, as before 2026-12-06); each client sends two untimed
lookups on its connection before the clock starts, so the figures are the steady state.

The raw baseline, at the same concurrency on the same rows: a point lookup by blind index plus one
committed single-row insert per lookup, straight to the database without HTTP.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from .worker import BENCH_USER, TASK, _settle_database

PORTS = range(18100, 18200)  # loopback ports the bench may use for its server
LOOKUP_START = 900_000_000  # the lookup's own synthetic people: no other measurement imports these


def _headers(cookie: str, terminal: str) -> str:
    """A client's request headers: the session cookie, the terminal credential and a CSRF token (cookie and
    header, as a browser page)."""
    import secrets
    import string

    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    return (f"Host: 127.0.0.1\r\nCookie: {cookie}; csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n"
            f"X-Tokutei-Terminal: {terminal}\r\n")


class _Client:
    """One keep-alive connection that POSTs forms and reads the responses (Content-Length framed), with
    ``_headers``."""

    def __init__(self, port: int, cookie: str, terminal: str):
        self.port, self.buffer = port, b""
        self.sock: socket.socket | None = None
        self.headers = _headers(cookie, terminal)

    def post(self, path: str, body_text: str) -> tuple[bool, bytes]:
        return self.request("POST", path, body_text)

    def get(self, path: str) -> tuple[bool, bytes]:
        return self.request("GET", path, None)

    def request(self, method: str, path: str, body_text: str | None) -> tuple[bool, bytes]:
        try:
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.buffer = b""
            body = (body_text or "").encode()
            extra = f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if body_text is not None else ""
            self.sock.sendall(f"{method} {path} HTTP/1.1\r\n{self.headers}{extra}\r\n".encode() + body)
            while (end := self.buffer.find(b"\r\n\r\n")) < 0:
                self._recv()
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            while len(self.buffer) < length:
                self._recv()
            body, self.buffer = self.buffer[:length], self.buffer[length:]
            if b"connection: close" in head.lower():
                self.close()
            return head[9:12] == b"200", body if head[9:12] == b"200" else head + b"\r\n\r\n" + body
        except OSError as exc:
            self.close()
            return False, repr(exc).encode()

    def _recv(self) -> None:
        if self.sock is None:
            raise ConnectionError("not connected")
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed by the server")
        self.buffer += data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _not_one(found: list) -> bytes:
    """The error of a lookup that found other than exactly one person: the raw baseline reads one row, so
    anything else is not the lookup being measured."""
    return f"found {len(found)} people, not one".encode()


def lookup_once(client: _Client, number: str) -> tuple[bool, bytes]:
    """One lookup as a client program does it: search by 個人番号, then open the person (revealed)."""
    ok, body = client.post("/api/v1/vault/search", json.dumps({"purpose": TASK, "by": "my_number", "value": number}))
    if not ok:
        return ok, body
    found = json.loads(body)
    if len(found) != 1:
        return False, _not_one(found)
    return client.get(f"/api/v1/vault/people/{found[0]['id']}?purpose={TASK}&reveal=true")


def _http_clients(port: int, cookies: list[str], terminal: str, number_for, warm: int = 2):
    """``work`` for ``_run_clients``: client ``i`` opens its connection and makes ``warm`` untimed lookups
    before the clock starts, then ``count`` timed ones."""
    clients: dict[int, _Client] = {}

    def prepare(i: int) -> None:
        client = clients[i] = _Client(port, cookies[i], terminal)
        for k in range(warm):
            lookup_once(client, number_for(i, -1 - k))

    def work(i: int, count: int, out: list, errors: list) -> None:
        client = clients[i]
        try:
            for k in range(count):
                t0 = time.perf_counter()
                ok, response = lookup_once(client, number_for(i, k))
                if ok:
                    out.append(time.perf_counter() - t0)
                else:
                    errors.append(response[:300])
        finally:
            client.close()

    return prepare, work


def _run_clients(clients: int, per_client: int, work, prepare=None) -> tuple[float, list[float], list]:
    latencies: list[float] = []
    errors: list = []
    barrier = threading.Barrier(clients + 1)

    def run(i: int) -> None:
        if prepare is not None:
            prepare(i)
        barrier.wait()
        work(i, per_client, latencies, errors)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, errors


class _AsyncClient:
    """One keep-alive connection driven by an event loop: the same requests as ``_Client``."""

    def __init__(self, port: int, cookie: str, terminal: str):
        self.port = port
        self.headers = _headers(cookie, terminal)
        self.reader: Any = None
        self.writer: Any = None

    async def request(self, method: str, path: str, body_text: str | None) -> tuple[bool, bytes]:
        import asyncio

        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            body = (body_text or "").encode()
            extra = f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if body_text is not None else ""
            self.writer.write(f"{method} {path} HTTP/1.1\r\n{self.headers}{extra}\r\n".encode() + body)
            head = await self.reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            data = await self.reader.readexactly(length)
            if b"connection: close" in head.lower():
                self.close()
            ok = head[9:12] == b"200"
            return ok, data if ok else head + data
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            self.close()
            return False, repr(exc).encode()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def _lookup_async(client: _AsyncClient, number: str, two_calls: bool = False) -> tuple[bool, bytes]:
    """One lookup on an event loop: ``POST /api/v1/vault/lookup`` (search and reveal in one call), or, with
    ``two_calls``, what ``lookup_once`` sends (search, then view)."""
    if not two_calls:
        ok, body = await client.request("POST", "/api/v1/vault/lookup", json.dumps(
            {"purpose": TASK, "by": "my_number", "value": number, "reveal": True}))
        if not ok:
            return ok, body
        found = json.loads(body)
        return (True, body) if len(found) == 1 else (False, _not_one(found))
    ok, body = await client.request("POST", "/api/v1/vault/search",
                                    json.dumps({"purpose": TASK, "by": "my_number", "value": number}))
    if not ok:
        return ok, body
    found = json.loads(body)
    if len(found) != 1:
        return False, _not_one(found)
    return await client.request("GET", f"/api/v1/vault/people/{found[0]['id']}?purpose={TASK}&reveal=true", None)


def _run_async_clients(port: int, cookies: list[str], terminal: str, number_for, clients: int, per_client: int,
                       warm: int = 2, two_calls: bool = False) -> tuple[float, list[float], list]:
    """``clients`` connections on one event loop in this thread: the load generator costs the machine a
    fraction of what 32 Python threads contending for the interpreter lock cost (and adds none of their
    waits to the measured latency), so the cores go to the server and the database being measured."""
    import asyncio

    latencies: list[float] = []
    errors: list = []

    async def one(i: int, start: asyncio.Event, ready: list) -> None:
        client = _AsyncClient(port, cookies[i], terminal)
        try:
            for k in range(warm):
                await _lookup_async(client, number_for(i, -1 - k), two_calls)
            ready.append(i)
            await start.wait()
            for k in range(per_client):
                t0 = time.perf_counter()
                ok, response = await _lookup_async(client, number_for(i, k), two_calls)
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors.append(response[:300])
        finally:
            client.close()

    async def main() -> float:
        start, ready = asyncio.Event(), list[int]()
        tasks = [asyncio.create_task(one(i, start, ready)) for i in range(clients)]
        while len(ready) < clients and not any(t.done() for t in tasks):
            await asyncio.sleep(0.01)
        t0 = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        return time.perf_counter() - t0

    return asyncio.run(main()), latencies, errors


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) < 2:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {PORTS.start}-{PORTS.stop - 1}")


class Server:
    """``tokutei serve`` in its own process group, on a loopback port, against the bench database."""

    def __init__(self, *, workers: int | None = None, threads: int | None = None, log_path: str | None = None):
        self.port = _free_port()
        repo = Path(__file__).resolve().parents[2]
        args = [sys.executable, "-m", "tokutei.cli", "serve", "--bind", f"127.0.0.1:{self.port}", "--no-collectstatic"]
        if workers:
            args += ["--workers", str(workers)]
        if threads:
            args += ["--threads", str(threads)]
        env = {**os.environ, "TOKUTEI_PIDFILE": os.path.join(os.environ.get("TOKUTEI_DATA_DIR", "."), "bench-serve.pid")}
        self.log = open(log_path or os.devnull, "w")
        self.proc = subprocess.Popen(args, env=env, cwd=str(repo), stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        # On a loaded machine the workers take a while to import Django: one slow request at a time.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tokutei serve exited with {self.proc.returncode} (log: {log_path})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=120):
                    return
            except urllib.error.HTTPError:
                return  # it answers (503 would still be a running server)
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("tokutei serve did not answer within 600 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def task_lookup(args: dict[str, Any]) -> dict[str, Any]:
    """``people`` synthetic people (imported here unless ``existing``: then people 0..people-1 of the files
    already imported), ``clients`` levels, ``requests`` lookups per level; the raw baseline after."""
    import tempfile

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from tokutei.bulk import synthetic
    from tokutei.bulk.services import import_jlis
    from tokutei.policy import Actor
    from tokutei.staff.middleware import IDLE_KEY
    from tokutei.staff.models import Terminal, User
    from tokutei.staff.selectors import credential_digest
    from tokutei.vault.models import Person, SpecificFile

    people, per_level, levels = args.get("people", 2000), args.get("requests", 2000), args.get("clients", [1, 8, 32])
    # People of their own: the import and memory figures before this one imported synthetic people 0, 1, …
    # into files of the same task, and a lookup of one of them found the person in each of those files —
    # four people opened and logged per lookup, against the raw baseline's one row (until 2026-12-07).
    first = 0 if args.get("existing") else LOOKUP_START
    user = User.objects.get(username=BENCH_USER)
    if not args.get("existing"):
        specific_file = SpecificFile.objects.create(name=f"lookup {time.time()}", tasks=[TASK])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "people.csv")
            synthetic.generate(path, rows=people, bad=0, seed=99, start=first)
            import_jlis(path=path, specific_file=specific_file, actor=Actor.console(user, purpose=TASK),
                        report_path=os.path.join(tmp, "r.csv"))
    numbers = [synthetic.my_number(first + i) for i in range(people)]
    credential = f"bench-terminal-{time.time_ns()}"
    Terminal.objects.create(name=f"ベンチ端末 {time.time_ns()}", location="ループバック",
                            credential_digest=credential_digest(credential), enrolled_at=timezone.now())
    cookies = []
    for _ in range(max(levels)):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[IDLE_KEY] = time.time()
        store.create()
        cookies.append(f"sessionid={store.session_key}")
    _settle_database()  # the import above and earlier measurements: statistics up to date, buffers written
    connections.close_all()
    server = Server(workers=args.get("server_workers"), threads=args.get("server_threads"),
                    log_path=args.get("server_log"))
    port = server.port
    results = []
    try:
        # Warm up every server process (imports, connections, key unwrapping).
        prepare, work = _http_clients(port, cookies, credential, lambda i, k: numbers[(i * 7 + k) % people], warm=0)
        _run_clients(min(8, max(levels)), 4, work, prepare)
        for clients in levels:
            per_client = max(1, per_level // clients)
            number_for = lambda i, k: numbers[(i * 9973 + k * 31) % people]  # noqa: E731
            if args.get("client") == "threads":
                prepare, work = _http_clients(port, cookies, credential, number_for)
                seconds, lat, errors = _run_clients(clients, per_client, work, prepare)
            else:
                seconds, lat, errors = _run_async_clients(port, cookies, credential, number_for, clients, per_client,
                                                          two_calls=args.get("api") == "search+view")
            results.append({"clients": clients, "requests": len(lat), "seconds": seconds,
                            "rate": len(lat) / seconds, "p50_ms": _pct(lat, 50), "p99_ms": _pct(lat, 99),
                            "errors": len(errors), "first_error": errors[0].decode(errors="replace") if errors else ""})
    finally:
        server.stop()
    # Raw: point lookup by blind index + one committed single-row insert, same concurrency, no HTTP.
    from tokutei.vault.codec import lookup_digests

    digests = [lookup_digests("my_number", n)[0] for n in numbers]
    table = Person._meta.db_table
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw_lookup")
        cur.execute("CREATE TABLE bench_raw_lookup (id "
                    f"{'bigserial' if connection.vendor == 'postgresql' else 'integer'} PRIMARY KEY, "
                    "person_id bigint, at double precision)")
    connection.close()
    for r in results:
        clients = r["clients"]
        per_client = max(1, per_level // clients)

        def raw(i: int, n: int, lat: list, err: list) -> None:
            from django.db import connection as conn

            try:
                for k in range(n):
                    t0 = time.perf_counter()
                    with conn.cursor() as cur:
                        cur.execute(f"SELECT id, data FROM {table} WHERE bi_my_number = %s",
                                    [digests[(i * 9973 + k * 31) % people]])
                        rows = cur.fetchall()  # fetch all: an open SQLite statement would block the insert
                        row = rows[0] if rows else None
                        with transaction.atomic():
                            cur.execute("INSERT INTO bench_raw_lookup (person_id, at) VALUES (%s, %s)",
                                        [row[0] if row else None, time.time()])
                    lat.append(time.perf_counter() - t0)
            finally:
                conn.close()

        seconds, lat, _errors = _run_clients(clients, per_client, raw)
        r.update({"raw_rate": len(lat) / seconds, "raw_p50_ms": _pct(lat, 50), "raw_p99_ms": _pct(lat, 99)})
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_raw_lookup")
    from tokutei.ops.serve import default_workers

    return {"results": results, "server": "tokutei serve (gunicorn gthread)", "http": "HTTP/1.1 keep-alive",
            "server_workers": args.get("server_workers") or default_workers(),
            "server_threads": args.get("server_threads") or 4, "people": people,
            "requests_per_lookup": 2}

