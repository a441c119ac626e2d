"""`explorer serve` and the production WSGI entry point."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import TINY, free_port, write_dataset


def _wait(url: str, proc, timeout: float = 30) -> bytes:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read().decode()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url}")


def test_waitress_serves_the_dashboard(tmp_path):
    port = free_port()
    env = {**os.environ, "EXPLORER_DATA": str(write_dataset(tmp_path / "d"))}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "waitress",
            "--host",
            "127.0.0.1",
            f"--port={port}",
            "--threads",
            "4",
            "explorer.wsgi:server",
        ],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    try:
        page = _wait(f"http://127.0.0.1:{port}/", proc)
        assert b"explorer" in page
        layout = json.loads(_wait(f"http://127.0.0.1:{port}/_dash-layout", proc))
        assert "Ma Zhaoxu" in json.dumps(layout)
        # Every asset the page asks for is served from this machine.
        assert b"cdn" not in page.lower()
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_refuses_invalid_data_and_prints_the_report(tmp_path):
    entities = [dict(e) for e in TINY["entities"]]
    entities[0]["kind"] = "contry"
    folder = write_dataset(tmp_path / "bad", {"entities": entities})
    out = subprocess.run(
        [sys.executable, "-m", "explorer", "serve", "--data", str(folder), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "entities.csv:2" in out.stderr and "contry" in out.stderr


@pytest.mark.parametrize("args,words", [(["--port", "0"], "port"), (["--data", "/nonexistent"], "not a folder")])
def test_serve_bad_arguments_exit_2(args, words):
    out = subprocess.run([sys.executable, "-m", "explorer", "serve", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and words in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


# --- the production server: explorer serve --workers N ---------------------------------------------

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def _request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _serve(args: list[str], env: dict | None = None):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "explorer", "serve", "--port", str(port), *args],
        env={**os.environ, **(env or {})},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    return proc, f"http://127.0.0.1:{port}"


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def test_serve_with_two_workers_answers_on_localhost_with_security_headers(tmp_path):
    import psutil

    proc, base = _serve(["--workers", "2", "--threads", "4", "--data", str(write_dataset(tmp_path / "d"))])
    try:
        started = time.monotonic()
        page = _wait(base + "/", proc, timeout=120)
        assert b"explorer" in page
        first = time.monotonic() - started
        end = time.monotonic() + 60
        while len(psutil.Process(proc.pid).children()) != 2 and time.monotonic() < end:
            time.sleep(0.2)  # the first worker may answer before the second has forked
        workers = psutil.Process(proc.pid).children()
        assert len(workers) == 2, f"expected 2 gunicorn workers, found {len(workers)}"
        listening = {c.laddr.ip for c in psutil.Process(proc.pid).net_connections() if c.status == "LISTEN"}
        assert listening == {"127.0.0.1"}
        deps = json.loads(_request(base + "/_dash-dependencies")[2])
        dep = next(d for d in deps if "download" not in d["output"])
        body = json.dumps(
            {
                "output": dep["output"],
                "outputs": [
                    {"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")
                ],
                "inputs": [{**i, "value": None} for i in dep["inputs"]],
                "state": [{**s, "value": None} for s in dep["state"]],
                "changedPropIds": [],
            }
        ).encode()
        answers = {
            "page": _request(base + "/"),
            "asset": _request(base + "/assets/00-bootstrap.min.css"),
            "layout": _request(base + "/_dash-layout", headers={"Accept-Encoding": "gzip"}),
            "callback": _request(base + "/_dash-update-component", "POST", body, {"Content-Type": "application/json"}),
            "bad host": _request(base + "/", headers={"Host": "attacker.example"}),
        }
        for what, (_, headers, _) in answers.items():
            missing = [h for h in SECURITY_HEADERS if h not in headers]
            assert not missing, f"{what}: {missing} missing"
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert answers["page"][0] == answers["asset"][0] == answers["layout"][0] == 200
        assert answers["layout"][1].get("Content-Encoding") == "gzip"
        assert answers["bad host"][0] == 400
        print(f"first page from 2 workers {first:.2f} s after start")
    finally:
        _stop(proc)
    assert proc.returncode in (0, -15)
    import tempfile
    from pathlib import Path

    left = list(Path(tempfile.gettempdir()).glob(f"explorer-cache-{proc.pid}-*"))
    assert not left, f"the private cache folder outlived the server: {left}"


def test_overload_gets_503_with_retry_after(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    proc, base = _serve(
        ["--threads", "16", "--max-waiting", "0", "--cache-size", "0", "--data", str(write_dataset(tmp_path / "d"))]
    )
    try:
        _wait(base + "/", proc, timeout=120)
        refused = []
        for attempt in range(5):
            urls = [f"{base}/_dash-layout?n={attempt}-{i}" for i in range(64)]
            with ThreadPoolExecutor(32) as pool:
                answers = list(pool.map(_request, urls))
            assert {a[0] for a in answers} <= {200, 503}
            refused = [a for a in answers if a[0] == 503]
            if refused:
                break
        assert refused, "64 requests at once with no waiting allowed were all served"
        status, headers, text = refused[0]
        assert headers["Retry-After"].isdigit() and b"busy" in text
        assert all(h in headers for h in SECURITY_HEADERS)
        # The server is still there once the burst is over.
        assert _request(base + "/_dash-layout")[0] == 200
    finally:
        _stop(proc)


WRONG = "/nonexistent/path/to/data"


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "explorer", "serve"],
        ["-m", "waitress", "--host", "127.0.0.1", "--port", "PORT", "explorer.wsgi:server"],
        ["-m", "gunicorn", "--preload", "-k", "gthread", "-w", "2", "-b", "127.0.0.1:PORT", "explorer.wsgi:server"],
        ["-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:PORT", "explorer.wsgi:server"],
    ],
    ids=["explorer-serve", "waitress", "gunicorn-preload", "gunicorn"],
)
def test_a_wrong_data_path_gives_one_line_and_a_nonzero_exit(command):
    port = str(free_port())
    out = subprocess.run(
        [sys.executable, *[c.replace("PORT", port) for c in command]],
        env={**os.environ, "EXPLORER_DATA": WRONG},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0
    if "--preload" in command or "gunicorn" not in command[1]:
        # Without --preload (not the documented form), every gunicorn worker fails at once and
        # gunicorn's arbiter may print its own HaltServer traceback (benoitc/gunicorn#2186).
        assert "Traceback" not in out.stderr
    ours = [line for line in out.stderr.splitlines() if WRONG in line]
    assert ours and all("is not" in line for line in ours), out.stderr
    assert len(set(ours)) == 1, out.stderr
    if "gunicorn" not in command[1]:
        assert out.stderr.strip().splitlines() == ours[:1]


def test_every_serve_option_is_in_the_readme():
    from pathlib import Path

    from explorer.cli import cli

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    options = [o for p in cli.commands["serve"].params for o in p.opts if o.startswith("--")]
    assert options
    missing = [o for o in options if not re.search(rf"[`\[]{re.escape(o)}\b", readme)]
    assert not missing, f"explorer serve options missing from README.md: {missing}"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_gives_one_line_before_loading_anything(workers):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "explorer", "serve", "--workers", workers, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"explorer: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
