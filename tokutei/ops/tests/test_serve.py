"""`tokutei serve` as shipped: a real gunicorn on loopback serving a styled sign-in page, hashed static
files, /healthz, a redacted access log, a graceful restart and a clean stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tokutei.ops.serve import TrustedProxyHeaders, default_workers

from .instance import REPO, Instance

pytestmark = pytest.mark.skipif(os.name == "nt", reason="gunicorn is POSIX-only; waitress serves on Windows")


def free_port() -> int:
    for port in range(18150, 18200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18150-18199")


def get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server stopped: {proc.stderr.read() if proc.stderr else ''}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer")


@pytest.mark.parametrize("server", ["gunicorn", "waitress"])
def test_tokutei_serve_serves_the_styled_sign_in_page_with_every_asset_from_static(tmp_path, server):
    """gunicorn (Linux) and waitress (what a Windows server runs) serve the same site the same way."""
    instance = Instance(tmp_path / "site", os.environ.get("TOKUTEI_TEST_DATABASE_URL"))
    try:
        instance.cli("init", "--profile", "sendai-kyosai")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(tmp_path / "serve.log", "w+")
        proc = subprocess.Popen([sys.executable, "-m", "tokutei.cli", "serve", "--bind", f"127.0.0.1:{port}",
                                 "--workers", "2", "--threads", "2", "--server", server], env=instance.env, cwd=REPO,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(f"{base}/healthz", proc)
            status, _headers, body = get(f"{base}/login/")
            page = body.decode()
            assert status == 200 and 'lang="ja"' in page
            assets = re.findall(r'(?:href|src)="([^"#]+\.(?:css|js|svg))"', page)
            assert assets and all(a.startswith("/static/") for a in assets), assets
            assert any(re.search(r"/static/css/app\.[0-9a-f]{12}\.css$", a) for a in assets), assets
            for asset in assets:
                status, headers, content = get(base + asset, **{"Accept-Encoding": "gzip"})
                assert status == 200 and content, asset
                assert "immutable" in headers.get("Cache-Control", ""), headers
            assert get(f"{base}/static/vendor/simplewebauthn-browser.umd.min.js")[0] in (200, 404)
            status, _headers, body = get(f"{base}/healthz")
            assert status == 200 and b'"status"' in body
            get(f"{base}/login/?q=4120-3456-7893")
            get(f"{base}/login/?q=412034567893")
            if server == "gunicorn":
                # A graceful restart (SIGHUP): new workers, the old ones finish; the site keeps answering.
                proc.send_signal(signal.SIGHUP)
                time.sleep(2)
                assert get(f"{base}/login/")[0] == 200 and proc.poll() is None
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) in (0, -signal.SIGTERM)
        log.seek(0)
        text = log.read()
        assert server in text.splitlines()[0], "the start line names the server"
        assert '"GET /login/ HTTP/1.1" status=200' in text
        assert "412034567893" not in text and "4120-3456-7893" not in text
        assert "[個人番号らしき数字を伏せました]" in text
    finally:
        instance.close()


def test_forwarded_headers_are_kept_only_from_the_configured_proxy():
    seen: list[dict] = []

    def app(environ, start_response):
        seen.append(dict(environ))
        return [b""]

    guard = TrustedProxyHeaders(app, ["10.0.0.5"])
    guard({"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, print)
    guard({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_PROTO": "https"}, print)
    assert "HTTP_X_FORWARDED_PROTO" not in seen[0] and "HTTP_X_FORWARDED_FOR" not in seen[0]
    assert seen[1]["HTTP_X_FORWARDED_PROTO"] == "https"


def test_workers_come_from_the_cores():
    assert default_workers(1) == 3 and default_workers(2) == 5 and default_workers(16) == 9
