"""My Number lookup over HTTP: a real server process, signed-in sessions on a registered terminal.

The server is the project's own WSGI application (every middleware: sessions, terminal, idle logoff,
CSRF, security headers) behind a small pre-forking stdlib server (one process per core, a fixed pool of
threads in each, so each thread keeps its database connection). Loopback only. Each request runs the
vault's own services in one transaction: ``search_people(by="my_number")`` (policy, purpose, blind index,
log entry) then ``view_person`` (policy, decrypt, log entry) — the same calls the vault pages make.

The raw baseline, at the same concurrency on the same rows: a point lookup by blind index plus one
committed single-row insert per request, straight to the database without HTTP.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import statistics
import threading
import time
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from .worker import BENCH_USER, TASK


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class PooledWSGIServer(ThreadingMixIn, WSGIServer):
    """A WSGI server whose requests are served by a fixed pool of threads (kept database connections)."""

    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, sock: socket.socket, app: Any, threads: int):
        WSGIServer.__init__(self, sock.getsockname(), _QuietHandler, bind_and_activate=False)
        self.socket = sock
        self.server_address = sock.getsockname()
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]
        self.setup_environ()
        self.set_app(app)
        self._queue: queue.Queue = queue.Queue()
        for _ in range(threads):
            threading.Thread(target=self._work, daemon=True).start()

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = self.socket.accept()
        # wsgiref writes the headers and the body separately: without NODELAY, Nagle + delayed ACK add ~40 ms.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr

    def process_request(self, request: Any, client_address: Any) -> None:
        self._queue.put((request, client_address))

    def _work(self) -> None:
        while True:
            request, client_address = self._queue.get()
            self.process_request_thread(request, client_address)


def bench_view(request):
    """GET /bench/lookup/?n=<12 digits>: find and open one person, as the vault pages do."""
    from django.db import transaction
    from django.http import JsonResponse

    from tokutei.vault.services import search_people, view_person

    with transaction.atomic():
        found = search_people(actor=request.user, terminal=request.terminal, purpose=TASK, by="my_number",
                              value=request.GET.get("n", ""))
        if not found:
            return JsonResponse({"found": 0}, status=404)
        shown = view_person(actor=request.user, terminal=request.terminal, purpose=TASK, person=found[0],
                            reveal=True)
    return JsonResponse({"found": 1, "id": shown.person.pk, "fields": len(shown.fields)})


def _serve(sock: socket.socket, threads: int) -> None:
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = "tokutei.bulk.bench.urls"
    clear_url_caches()
    connections.close_all()
    server = PooledWSGIServer(sock, get_wsgi_application(), threads)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.serve_forever()


def _client(port: int, path_for, count: int, cookie: str, terminal: str, out: list, errors: list) -> None:
    for k in range(count):
        body = (f"GET {path_for(k)} HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                f"X-Tokutei-Terminal: {terminal}\r\n\r\n").encode()
        t0 = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(body)
                chunks = []
                while data := s.recv(65536):
                    chunks.append(data)
            response = b"".join(chunks)
            ok = response[9:12] == b"200"
        except OSError as exc:
            ok, response = False, repr(exc).encode()
        if ok:
            out.append(time.perf_counter() - t0)
        else:
            errors.append(response[:300])


def _run_clients(clients: int, per_client: int, work) -> tuple[float, list[float], list]:
    latencies: list[float] = []
    errors: list = []
    barrier = threading.Barrier(clients + 1)

    def run(i: int) -> None:
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
        import_jlis(path=path, specific_file=specific_file, purpose=TASK, actor=user,
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

    workers = max(1, os.cpu_count() or 1)
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
                _serve(sock, threads=max(4, max(levels) // workers + 2))
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
        _run_clients(min(8, max(levels)), 4, lambda i, n, lat, err: _client(
            port, lambda k: f"/bench/lookup/?n={numbers[(i * 7 + k) % people]}", n, cookies[i], credential, lat, err))
        for clients in levels:
            per_client = max(1, per_level // clients)
            seconds, lat, errors = _run_clients(clients, per_client, lambda i, n, lat, err, c=clients: _client(
                port, lambda k: f"/bench/lookup/?n={numbers[(i * 9973 + k * 31) % people]}", n, cookies[i],
                credential, lat, err))
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
    return {"results": results, "server_processes": workers, "people": people}
