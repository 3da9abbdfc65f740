"""`tokutei serve`: the production server around the project's WSGI application.

gunicorn on Linux / Unix (pre-forking, well known, graceful restart on SIGHUP, its own TLS for a small
site); waitress on Windows, where gunicorn does not run. Static files come from the application itself
(WhiteNoise: hashed, compressed names written by collectstatic). Every access-log line passes through
the My Number redaction (tokutei.core.logging). docs/operations.md explains the choices.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tokutei.core.logging import RedactMyNumbers

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT",
             "HTTP_X_FORWARDED_SSL", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


class TrustedProxyHeaders:
    """Drops X-Forwarded-* / Forwarded headers unless the request comes from a configured proxy address.

    Django reads X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) from whoever sent it; behind a proxy only the
    proxy may say a request came over TLS."""

    def __init__(self, app: Callable, trusted: Iterable[str]):
        self.app, self.trusted = app, frozenset(trusted)

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if "*" not in self.trusted and environ.get("REMOTE_ADDR", "") not in self.trusted:
            for name in FORWARDED:
                environ.pop(name, None)
        return self.app(environ, start_response)


class AccessLog:
    """A common-log-format line per request on the ``tokutei.access`` logger (waitress has none of its own).
    The logger's filter removes anything that looks like a My Number, as on every other handler."""

    def __init__(self, app: Callable):
        self.app = app
        self.log = logging.getLogger("tokutei.access")
        self.log.addFilter(RedactMyNumbers())

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        started = time.perf_counter()
        status: list[str] = ["-"]

        def recording_start_response(s: str, headers: list, exc_info: Any = None) -> Any:
            status[0] = s.split(" ", 1)[0]
            return start_response(s, headers, exc_info) if exc_info else start_response(s, headers)

        try:
            return self.app(environ, recording_start_response)
        finally:
            query = environ.get("QUERY_STRING", "")
            path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
            self.log.info('%s "%s %s %s" status=%s ms=%.1f', environ.get("REMOTE_ADDR", "-"),
                          environ.get("REQUEST_METHOD"), path, environ.get("SERVER_PROTOCOL", "-"), status[0],
                          (time.perf_counter() - started) * 1000)


def default_workers(cores: int | None = None) -> int:
    """2 × cores + 1 (gunicorn's rule of thumb), at most 9: each worker holds its own database connections."""
    cores = cores or os.cpu_count() or 1
    return min(2 * cores + 1, 9)


@dataclass
class ServeOptions:
    bind: list[str] = field(default_factory=lambda: ["127.0.0.1:8000"])
    workers: int = 0
    threads: int = 4
    timeout: int = 60
    keepalive: int = 5
    max_requests: int = 0
    forwarded_allow_ips: list[str] = field(default_factory=list)
    certfile: str = ""
    keyfile: str = ""
    pidfile: str = ""
    access_log: bool = True
    server: str = "auto"  # auto: gunicorn on Linux / Unix, waitress on Windows

    @classmethod
    def from_settings(cls) -> ServeOptions:
        from django.conf import settings

        return cls(bind=list(settings.SERVE_BIND), workers=settings.SERVE_WORKERS, threads=settings.SERVE_THREADS,
                   timeout=settings.SERVE_TIMEOUT, keepalive=settings.SERVE_KEEPALIVE,
                   max_requests=settings.SERVE_MAX_REQUESTS,
                   forwarded_allow_ips=list(settings.SERVE_FORWARDED_ALLOW_IPS), certfile=settings.SERVE_CERTFILE,
                   keyfile=settings.SERVE_KEYFILE, pidfile=settings.SERVE_PIDFILE, access_log=settings.SERVE_ACCESS_LOG,
                   server=settings.SERVE_SERVER)

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else default_workers()

    @property
    def server_name(self) -> str:
        if self.server != "auto":
            return self.server
        return "waitress" if os.name == "nt" else "gunicorn"


def application(trusted: Iterable[str], *, access_log: bool = False) -> Callable:
    from django.core.wsgi import get_wsgi_application

    app: Callable = TrustedProxyHeaders(get_wsgi_application(), trusted)
    return AccessLog(app) if access_log else app


def gunicorn_config(options: ServeOptions) -> dict[str, Any]:
    config: dict[str, Any] = {
        "bind": options.bind,
        "workers": options.worker_count(),
        "worker_class": "gthread",
        "threads": max(1, options.threads),
        "timeout": options.timeout,
        "graceful_timeout": 30,
        "keepalive": options.keepalive,
        "max_requests": options.max_requests,
        "max_requests_jitter": options.max_requests // 10 if options.max_requests else 0,
        # gunicorn's own view of the scheme / client address: the same trusted proxies (none when empty).
        "forwarded_allow_ips": ",".join(options.forwarded_allow_ips),
        "proxy_allow_ips": ",".join(options.forwarded_allow_ips),
        "accesslog": "-" if options.access_log else None,
        "errorlog": "-",
        # Fields joined by words, not bare spaces: "200 535 120012" would look like a 12-digit number
        # to the My Number filter.
        "access_log_format": '%(h)s "%(r)s" status=%(s)s bytes=%(b)s ms=%(M)s "%(a)s"',
        "proc_name": "tokutei",
        "control_socket_disable": True,
    }
    if options.pidfile:
        config["pidfile"] = options.pidfile
    if options.certfile:
        config["certfile"], config["keyfile"] = options.certfile, options.keyfile
    return config


def _gunicorn_classes() -> tuple[type, type]:
    from gunicorn import glogging
    from gunicorn.app.base import BaseApplication

    class Logger(glogging.Logger):
        """gunicorn's logger with the My Number filter on its error and access logs."""

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                if not any(isinstance(f, RedactMyNumbers) for f in log.filters):
                    log.addFilter(RedactMyNumbers())

    class Server(BaseApplication):
        def __init__(self, options: ServeOptions):
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            known = self.cfg.settings
            for key, value in gunicorn_config(self.options).items():
                if key in known:
                    self.cfg.set(key, value)
            self.cfg.set("logger_class", Logger)

        def load(self) -> Callable:  # in each worker, after the fork: new code on every graceful restart
            return application(self.options.forwarded_allow_ips)

    return Logger, Server


def _write_pidfile(path: str) -> None:
    if path:
        Path(path).write_text(f"{os.getpid()}\n", encoding="ascii")


def run(options: ServeOptions) -> None:
    """Serve until stopped (SIGTERM / Ctrl+C). gunicorn: SIGHUP restarts the workers gracefully."""
    if options.server_name == "waitress":
        # One process with threads (waitress has no workers to fork; on Windows a service restarts it).
        # TLS is not waitress's: on Windows a reverse proxy (IIS + ARR) terminates it (docs/operations.md).
        import waitress

        if options.certfile:
            raise ValueError("waitress は TLS を扱いません。リバースプロキシ（IIS など）で終端してください")
        _write_pidfile(options.pidfile)
        threads = options.worker_count() * max(1, options.threads)
        waitress.serve(application(options.forwarded_allow_ips, access_log=options.access_log),
                       listen=" ".join(options.bind), threads=threads, channel_timeout=options.timeout,
                       ident="tokutei")
        return
    _logger, server = _gunicorn_classes()
    server(options).run()
