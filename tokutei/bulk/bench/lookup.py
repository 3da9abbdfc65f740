"""My Number lookup over HTTP: a real server process, signed-in sessions on a registered terminal.

The server is the project's own WSGI application (every middleware: sessions, terminal, idle logoff,
CSRF, security headers) behind a small pre-forking HTTP/1.1 server (one process per core; one thread per
client connection, so each thread keeps its database connection). Loopback only. Each request runs the
vault's own services in one transaction: ``search_people(by="my_number")`` (policy, purpose, blind index,
log entry) then ``view_person`` (policy, decrypt, log entry) — the same calls the vault pages make.

Clients keep their connection open (HTTP/1.1 keep-alive), as a browser does: what is measured is the
application, not a TCP handshake per request on a 2-core machine that also runs the clients and the
database. Each client sends two untimed requests on its connection before the clock starts (the server
thread's database connection is then open), so the figures are the steady state.

The raw baseline, at the same concurrency on the same rows: a point lookup by blind index plus one
committed single-row insert per request, straight to the database without HTTP.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import sys
import threading
import time
from typing import Any
from urllib.parse import unquote_to_bytes

from .worker import BENCH_USER, TASK

_REASONS = {200: b"OK", 302: b"Found", 400: b"Bad Request", 403: b"Forbidden", 404: b"Not Found",
            500: b"Internal Server Error"}


class KeepAliveServer:
    """A minimal HTTP/1.1 server for a WSGI application: keep-alive, no chunked requests, one thread per
    connection (benchmark use only: loopback, trusted clients)."""

    def __init__(self, sock: socket.socket, app: Any):
        self.sock, self.app = sock, app
        port = sock.getsockname()[1]
        self.base_environ: dict[str, Any] = {
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(port), "SERVER_PROTOCOL": "HTTP/1.1",
            "SCRIPT_NAME": "", "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }

    def serve_forever(self) -> None:
        while True:
            conn, addr = self.sock.accept()
            # Headers and body go out in one write; NODELAY anyway (Nagle + delayed ACK add ~40 ms).
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._connection, args=(conn, addr), daemon=True).start()

    def _connection(self, conn: socket.socket, addr: Any) -> None:
        from django.db import connections

        try:
            with conn, conn.makefile("rb") as rfile:
                while self._one(conn, rfile, addr):
                    pass
        except OSError:
            pass
        finally:
            connections.close_all()

    def _one(self, conn: socket.socket, rfile: Any, addr: Any) -> bool:
        line = rfile.readline(65537)
        if not line:
            return False
        method, target, version = line.decode("latin-1").split()
        environ = dict(self.base_environ)
        keep_alive = version == "HTTP/1.1"
        while True:
            header = rfile.readline(65537)
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            name, value = name.strip().upper().replace("-", "_"), value.strip()
            if name == "CONNECTION":
                keep_alive = value.lower() != "close" and (keep_alive or value.lower() == "keep-alive")
            if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[name] = value
            else:
                environ["HTTP_" + name] = value
        path, _, query = target.partition("?")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        from io import BytesIO

        environ.update({"REQUEST_METHOD": method, "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
                        "QUERY_STRING": query, "REMOTE_ADDR": addr[0], "wsgi.input": BytesIO(rfile.read(length))})
        started: list = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return lambda data: None

        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = started
        head = [f"HTTP/1.1 {status}".encode("latin-1")]
        head += [f"{k}: {v}".encode("latin-1") for k, v in headers if k.lower() not in ("content-length", "connection")]
        head += [b"Content-Length: %d" % len(body), b"Connection: keep-alive" if keep_alive else b"Connection: close"]
        conn.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        return keep_alive


def bench_view(request):
    """POST /bench/lookup/ with ``n=<12 digits>`` (never in the URL, like the vault's search page; CSRF
    checked): find and open one person, as the vault pages do."""
    from django.db import transaction
    from django.http import JsonResponse

    from tokutei.policy import Actor
    from tokutei.vault.services import search_people, view_person

    actor = Actor(user=request.user, terminal=request.terminal, purpose=TASK)
    with transaction.atomic():
        found = search_people(actor=actor, by="my_number", value=request.POST.get("n", ""))
        if not found:
            return JsonResponse({"found": 0}, status=404)
        shown = view_person(actor=actor, person=found[0], reveal=True)
    return JsonResponse({"found": 1, "id": shown.person.pk, "fields": len(shown.fields)})


def _serve(sock: socket.socket) -> None:
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = "tokutei.bulk.bench.urls"
    clear_url_caches()
    connections.close_all()
    server = KeepAliveServer(sock, get_wsgi_application())
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.serve_forever()


class _Client:
    """One keep-alive connection that POSTs forms and reads the responses (Content-Length framed), with
    a session cookie, the terminal credential and a CSRF token (cookie and header, as a browser page)."""

    def __init__(self, port: int, cookie: str, terminal: str):
        import secrets
        import string

        self.port, self.buffer = port, b""
        self.sock: socket.socket | None = None
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.headers = (f"Host: 127.0.0.1\r\nCookie: {cookie}; csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n"
                        f"X-Tokutei-Terminal: {terminal}\r\nContent-Type: application/x-www-form-urlencoded\r\n")

    def post(self, path: str, form: str) -> tuple[bool, bytes]:
        try:
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.buffer = b""
            body = form.encode()
            sock = self.sock
            sock.sendall(f"POST {path} HTTP/1.1\r\n{self.headers}Content-Length: {len(body)}\r\n\r\n".encode()
                              + body)
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
            return head[9:12] == b"200", head + b"\r\n\r\n" + body
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


def _http_clients(port: int, cookies: list[str], terminal: str, form_for, warm: int = 2):
    """``work`` for ``_run_clients``: client ``i`` opens its connection and sends ``warm`` untimed requests
    before the clock starts, then ``count`` timed ones."""
    clients: dict[int, _Client] = {}

    def prepare(i: int) -> None:
        client = clients[i] = _Client(port, cookies[i], terminal)
        for k in range(warm):
            client.post("/bench/lookup/", form_for(i, -1 - k))

    def work(i: int, count: int, out: list, errors: list) -> None:
        client = clients[i]
        try:
            for k in range(count):
                t0 = time.perf_counter()
                ok, response = client.post("/bench/lookup/", form_for(i, k))
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


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) < 2:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def task_lookup(args: dict[str, Any]) -> dict[str, Any]:
    import tempfile

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
    user = User.objects.get(username=BENCH_USER)
    specific_file = SpecificFile.objects.create(name=f"lookup {time.time()}", tasks=[TASK])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "people.csv")
        synthetic.generate(path, rows=people, bad=0, seed=99)
        import_jlis(path=path, specific_file=specific_file, actor=Actor.console(user, purpose=TASK),
                    report_path=os.path.join(tmp, "r.csv"))
    numbers = [synthetic.my_number(i) for i in range(people)]
    credential = f"bench-terminal-{time.time_ns()}"
    Terminal.objects.create(name=f"ベンチ端末 {time.time_ns()}", location="ループバック",
                            credential_digest=credential_digest(credential), enrolled_at=timezone.now())
    cookies = []
    for _ in range(max(levels)):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[IDLE_KEY] = time.time()
        store.create()
        cookies.append(f"sessionid={store.session_key}")

    workers = max(1, int(args.get("server_processes") or os.cpu_count() or 1))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    connections.close_all()
    pids = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                _serve(sock)
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(0)
        pids.append(pid)
    sock.close()
    results = []
    try:
        # Warm up every server process (imports, connections, key unwrapping).
        prepare, work = _http_clients(port, cookies, credential,
                                      lambda i, k: f"n={numbers[(i * 7 + k) % people]}", warm=0)
        _run_clients(min(8, max(levels)), 4, work, prepare)
        for clients in levels:
            per_client = max(1, per_level // clients)
            prepare, work = _http_clients(
                port, cookies, credential, lambda i, k: f"n={numbers[(i * 9973 + k * 31) % people]}")
            seconds, lat, errors = _run_clients(clients, per_client, work, prepare)
            results.append({"clients": clients, "requests": len(lat), "seconds": seconds,
                            "rate": len(lat) / seconds, "p50_ms": _pct(lat, 50), "p99_ms": _pct(lat, 99),
                            "errors": len(errors), "first_error": errors[0].decode(errors="replace") if errors else ""})
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
        for pid in pids:
            os.waitpid(pid, 0)

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
                        cur.execute(f"SELECT id, data FROM {table} WHERE bi_my_number = %s",  # noqa: S608
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
    return {"results": results, "server_processes": workers, "people": people, "http": "HTTP/1.1 keep-alive"}
