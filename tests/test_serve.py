"""`explorer serve` and the production WSGI entry point."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import TINY, write_dataset


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
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
        [sys.executable, "-m", "explorer", "serve", "--data", str(folder), "--port", str(_free_port())],
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
