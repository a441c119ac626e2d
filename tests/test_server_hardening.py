"""The production server's middleware, in process: security headers, the Host check, the request
gate (503 on overload), the shared response cache and the bounded export pool.

The same stack under a real multi-process server is in ``tests/test_serve.py``; the dashboard
under its Content-Security-Policy in a real browser is at the end of this file.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from conftest import write_dataset

from explorer.app import exports_menu
from explorer.app.server import make_server_app
from explorer.errors import ArgumentError
from explorer.server import DiskStore, RequestGate, ResponseCache, SecurityHeaders, ServerSettings

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = write_dataset(tmp_path_factory.mktemp("data") / "d")
    served = make_server_app(folder, ServerSettings(allowed_hosts=("explorer.example.org",)))
    yield served
    served.cleanup()


@pytest.fixture
def client(served):
    return served.wsgi.test_client()


def _assert_secure(response):
    for name in HEADERS:
        assert response.headers.get(name), f"{name} missing on {response.request.path}: {dict(response.headers)}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0], "inline scripts must need a hash"


def _callbacks(client) -> list[dict]:
    return json.loads(client.get("/_dash-dependencies").data)


def _body(dep: dict, value=None) -> bytes:
    """A Dash callback request for ``dep`` with every input and state set to ``value``."""

    def spec(item):
        return {"id": item["id"], "property": item["property"], "value": value}

    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")]
    return json.dumps(
        {
            "output": dep["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [spec(i) for i in dep["inputs"]],
            "state": [spec(s) for s in dep["state"]],
            "changedPropIds": [],
        }
    ).encode()


# --- headers and Host -----------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_security_headers(client):
    page = client.get("/")
    assert page.status_code == 200
    _assert_secure(page)
    csp = page.headers["Content-Security-Policy"]
    # Every inline script of the page is allowed by its hash, and only those.
    for script in page.get_data(as_text=True).split("<script")[1:]:
        if "src=" not in script.split(">", 1)[0] and 'type="application/json"' not in script.split(">", 1)[0]:
            assert "'sha256-" in csp
    asset = client.get("/assets/00-bootstrap.min.css")
    assert asset.status_code == 200
    _assert_secure(asset)
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    _assert_secure(layout)
    deps = _callbacks(client)
    answered = [client.post("/_dash-update-component", data=_body(d), content_type="application/json") for d in deps]
    assert answered and all(r.status_code in (200, 204, 500) for r in answered)
    for response in answered:
        _assert_secure(response)
    missing = client.get("/_dash-component-suites/nothing/here.js")
    _assert_secure(missing)


@pytest.mark.parametrize(
    "host,status",
    [
        ("127.0.0.1:8050", 200),
        ("localhost:8050", 200),
        ("[::1]:8050", 200),
        ("explorer.example.org", 200),
        ("EXPLORER.example.org.:443", 200),
        ("evil.example.com", 400),
        ("127.0.0.1.evil.example.com", 400),
        ("", 400),
    ],
)
def test_the_host_header_is_checked(client, host, status):
    response = client.get("/_dash-layout", headers={"Host": host})
    assert response.status_code == status
    _assert_secure(response)
    if status == 400:
        assert "does not answer for host" in response.get_data(as_text=True)


def test_a_star_allows_any_host():
    app = SecurityHeaders(lambda e, s: (s("200 OK", []), [b"ok"])[1], "default-src 'self'", {"*"})
    from werkzeug.test import Client

    assert Client(app).get("/", headers={"Host": "anything.example"}).status_code == 200


def test_bound_address_is_allowed_and_wildcards_are_not_names():
    assert "10.1.2.3" in ServerSettings(host="10.1.2.3").served_hosts()
    assert "0.0.0.0" not in ServerSettings(host="0.0.0.0").served_hosts()
    assert {"localhost", "127.0.0.1", "::1"} <= ServerSettings(host="0.0.0.0").served_hosts()


def test_settings_from_the_environment_name_the_bad_variable():
    s = ServerSettings.from_env({"EXPLORER_ALLOWED_HOSTS": "a.example, b.example", "EXPLORER_MAX_WAITING": "3"})
    assert s.allowed_hosts == ("a.example", "b.example") and s.max_waiting == 3
    with pytest.raises(ArgumentError, match=r"\$EXPLORER_MAX_WAITING: 'lots'"):
        ServerSettings.from_env({"EXPLORER_MAX_WAITING": "lots"})
    with pytest.raises(ArgumentError, match="threads must be at least 1"):
        ServerSettings.from_env({}, threads=0)


# --- overload ------------------------------------------------------------------------------------


def _blocking_app(release: threading.Event, entered: threading.Event):
    def app(environ, start_response):
        entered.set()
        release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]

    return app


def _call(app, results, path="/"):
    from werkzeug.test import Client

    r = Client(app).get(path)
    results.append((r.status_code, r.headers.get("Retry-After"), r.get_data(as_text=True)))


def test_overload_gets_503_with_retry_after_not_a_pile_up():
    release, entered = threading.Event(), threading.Event()
    gate = RequestGate(_blocking_app(release, entered), slots=1, max_waiting=0, queue_timeout=5)
    results: list = []
    first = threading.Thread(target=_call, args=(gate, results))
    first.start()
    assert entered.wait(5)
    started = time.monotonic()
    _call(gate, results)  # the slot is taken and nobody may wait: refused at once
    assert time.monotonic() - started < 1
    release.set()
    first.join(5)
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 503]
    refused = next(r for r in results if r[0] == 503)
    assert refused[1] == "5" and "busy" in refused[2]
    assert gate.rejected == 1
    # Once the slot is free again, requests are served.
    again: list = []
    release.set()
    _call(gate, again)
    assert again[0][0] == 200


def test_a_request_waits_for_a_slot_at_most_the_queue_timeout():
    release, entered = threading.Event(), threading.Event()
    gate = RequestGate(_blocking_app(release, entered), slots=1, max_waiting=4, queue_timeout=0.3)
    results: list = []
    first = threading.Thread(target=_call, args=(gate, results))
    first.start()
    assert entered.wait(5)
    started = time.monotonic()
    _call(gate, results)
    waited = time.monotonic() - started
    release.set()
    first.join(5)
    assert 0.25 <= waited < 3
    assert sorted(r[0] for r in results) == [200, 503]
    assert "no answer within 0.3 s" in next(r[2] for r in results if r[0] == 503)


def test_the_watchdog_reports_a_request_running_past_its_limit():
    release, entered = threading.Event(), threading.Event()
    gate = RequestGate(_blocking_app(release, entered), slots=2)
    fired: list = []
    gate.watch(0.2, lambda seconds, path: fired.append((seconds, path)), every=0.05)
    t = threading.Thread(target=_call, args=(gate, [], "/slow"))
    t.start()
    end = time.monotonic() + 5
    while not fired and time.monotonic() < end:
        time.sleep(0.05)
    release.set()
    t.join(5)
    assert fired and fired[0][1] == "/slow" and fired[0][0] > 0.2


# --- the response cache ---------------------------------------------------------------------------


class _Counting:
    def __init__(self, app):
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


def test_the_cache_answers_a_repeated_callback_without_recomputing(served, client, monkeypatch):
    counting = _Counting(served.gate.app)
    monkeypatch.setattr(served.gate, "app", counting)
    served.cache.store._open().clear()
    # Any pure callback of the dashboard will do; its answer must come from the cache the second time.
    for dep in _callbacks(client):
        if "download" in dep["output"]:
            continue
        body = _body(dep)
        first = client.post("/_dash-update-component?endId=page1", data=body, content_type="application/json")
        if first.status_code not in (200, 204):
            continue
        calls = counting.calls
        second = client.post("/_dash-update-component?endId=page2", data=body, content_type="application/json")
        assert second.status_code == first.status_code and second.data == first.data
        assert first.headers["X-Explorer-Cache"] == "miss" and second.headers["X-Explorer-Cache"] == "hit"
        assert counting.calls == calls, "a repeated request was computed again"
        break
    else:
        pytest.fail("no callback of the dashboard answered 200 or 204")


def test_a_different_request_or_encoding_is_a_different_entry():
    calls = []

    def app(environ, start_response):
        body = environ["wsgi.input"].read()
        calls.append(body)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"echo": %d}' % len(body)]

    import tempfile

    from werkzeug.test import Client

    with tempfile.TemporaryDirectory() as tmp:
        cache = ResponseCache(app, DiskStore(tmp, 8), "ns")
        c = Client(cache)
        for body in (b'{"a": 1}', b'{"a": 1}', b'{"a": 22}'):
            c.post("/_dash-update-component", data=body, content_type="application/json")
        assert calls == [b'{"a": 1}', b'{"a": 22}']
        c.post("/_dash-update-component", data=b'{"a": 1}', headers={"Accept-Encoding": "gzip"})
        assert len(calls) == 3
        # A cache kept by another data version or code version never answers.
        other = Client(ResponseCache(app, DiskStore(tmp, 8), "other-ns"))
        other.post("/_dash-update-component", data=b'{"a": 1}', content_type="application/json")
        assert len(calls) == 4
        # Background-callback requests (a job handle in the query) are never cached.
        c.post("/_dash-update-component?cacheKey=x", data=b'{"a": 1}', content_type="application/json")
        c.post("/_dash-update-component?cacheKey=x", data=b'{"a": 1}', content_type="application/json")
        assert len(calls) == 6


def test_errors_are_not_cached():
    calls = []

    def app(environ, start_response):
        calls.append(1)
        start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")])
        return [b"boom"]

    import tempfile

    from werkzeug.test import Client

    with tempfile.TemporaryDirectory() as tmp:
        c = Client(ResponseCache(app, DiskStore(tmp, 8), "ns"))
        for _ in range(2):
            assert c.post("/_dash-update-component", data=b"{}").status_code == 500
    assert len(calls) == 2


def test_a_broken_cache_folder_slows_down_but_never_fails(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    from werkzeug.test import Client

    app = ResponseCache(lambda e, s: (s("200 OK", []), [b"ok"])[1], DiskStore(blocker / "cache", 8), "ns")
    r = Client(app).get("/_dash-layout")
    assert r.status_code == 200 and r.data == b"ok"


def test_a_cache_folder_others_can_write_is_refused(tmp_path):
    from explorer.server import checked_cache_dir

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(ArgumentError, match="may be written by other users"):
        checked_cache_dir(shared)
    made = checked_cache_dir(tmp_path / "new" / "cache")
    assert made.is_dir() and made.stat().st_mode & 0o077 == 0


def test_a_cache_folder_left_by_a_killed_server_is_removed_by_the_next():
    import subprocess
    import sys
    import tempfile

    from explorer.server import CACHE_PREFIX, private_cache_dir

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = Path(tempfile.mkdtemp(prefix=f"{CACHE_PREFIX}{int(gone.stdout)}-"))
    (stale / "cache.db").write_bytes(b"x" * 100)
    alive = Path(tempfile.mkdtemp(prefix=f"{CACHE_PREFIX}{os.getpid()}-"))
    try:
        folder, remove = private_cache_dir()
        assert not stale.exists()
        assert alive.exists(), "a folder whose server still runs was removed"
        remove()
        assert not folder.exists()
    finally:
        shutil.rmtree(alive, ignore_errors=True)
        shutil.rmtree(stale, ignore_errors=True)


def test_downloads_are_never_cached(served, client, monkeypatch):
    counting = _Counting(served.gate.app)
    monkeypatch.setattr(served.gate, "app", counting)
    dep = next(d for d in _callbacks(client) if "export-download" in d["output"])
    for _ in range(2):
        r = client.post("/_dash-update-component", data=_body(dep), content_type="application/json")
        assert r.headers.get("X-Explorer-Cache") in (None, "off")
    assert counting.calls == 2


def test_responses_are_compressed(client):
    r = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("Content-Encoding") == "gzip"
    css = client.get("/assets/00-bootstrap.min.css", headers={"Accept-Encoding": "br, gzip"})
    assert css.headers.get("Content-Encoding") in ("br", "gzip")
    assert (
        len(css.data)
        < Path(exports_menu.__file__).resolve().parents[2].joinpath("assets", "00-bootstrap.min.css").stat().st_size / 3
    )


def test_the_page_files_are_compressed_once_and_callbacks_every_time(tmp_path, monkeypatch):
    import flask_compress.flask_compress as fc

    from explorer.app.server import _PAGE_FILE, warm_up

    folder = write_dataset(tmp_path / "d")
    served = make_server_app(folder, ServerSettings(cache_mb=0))  # no response cache: flask-compress's own
    try:
        compressed = []
        real = fc._compress_data
        monkeypatch.setattr(fc, "_compress_data", lambda app, data, alg: compressed.append(alg) or real(app, data, alg))
        warm_up(served)
        client = served.wsgi.test_client()
        files = _PAGE_FILE.findall(client.get("/").get_data(as_text=True))
        assert any("plotly" in f for f in files) and any(f.startswith("/assets/") for f in files)
        done = len(compressed)
        assert done >= len(files)  # warm-up compressed every file the page loads
        for f in files:  # a browser's first visit: every file comes compressed, none compressed again
            r = client.get(f.replace("&amp;", "&"), headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
            assert r.status_code == 200 and r.headers.get("Content-Encoding") == "br", f
        assert len(compressed) == done
        assert (
            client.get("/assets/explorer.js", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
        )
        assert len(compressed) == done + 1  # each encoding once
        dep = next(d for d in _callbacks(client) if "export-download" not in d["output"])
        before = len(compressed)
        for _ in range(2):
            client.post(
                "/_dash-update-component",
                data=_body(dep),
                content_type="application/json",
                headers={"Accept-Encoding": "br"},
            )
        assert len(compressed) - before == 2  # an answer is never taken from this store
    finally:
        served.cleanup()


def test_made_up_queries_do_not_fill_the_compressed_files_store():
    from explorer.app.server import StaticCompressed

    kept = StaticCompressed(limit=3)
    for i in range(10):
        kept.set(f"br;/assets/explorer.js?m={i}", b"x")
    kept.set("br;", b"a callback answer")
    assert [kept.get(f"br;/assets/explorer.js?m={i}") for i in range(5)] == [b"x", b"x", b"x", None, None]
    assert kept.get("br;") is None
    kept.set("br;/assets/explorer.js?m=0", b"y")  # a kept file may be replaced
    assert kept.get("br;/assets/explorer.js?m=0") == b"y"


# --- exports --------------------------------------------------------------------------------------


def test_an_export_finding_every_slot_taken_is_refused_at_once(served):
    exports_menu.set_export_slots(1)
    slots = exports_menu._slots
    assert slots.acquire(blocking=False)
    try:
        started = time.monotonic()
        payload, status = exports_menu.export_download(served.data, {}, "json")
        assert payload is None and status == exports_menu.BUSY
        assert time.monotonic() - started < 0.5
    finally:
        slots.release()
    payload, status = exports_menu.export_download(served.data, {}, "json")
    assert payload is not None and status.startswith("Downloaded")


def _export_click(fmt: str) -> bytes:
    item = {"format": fmt, "type": exports_menu.ITEM_TYPE}
    return json.dumps(
        {
            "output": "..export-download.data...export-status.children..",
            "outputs": [{"id": "export-download", "property": "data"}, {"id": "export-status", "property": "children"}],
            "inputs": [[{"id": item, "property": "n_clicks", "value": 1}]],
            "state": [{"id": "view-state", "property": "data", "value": {}}],
            "changedPropIds": [json.dumps(item, sort_keys=True, separators=(",", ":")) + ".n_clicks"],
        }
    ).encode()


def test_exports_can_be_turned_off(tmp_path):
    served = make_server_app(write_dataset(tmp_path / "d"), ServerSettings(exports=False, cache_mb=0))
    try:
        r = served.wsgi.test_client().post(
            "/_dash-update-component", data=_export_click("json"), content_type="application/json"
        )
        assert r.status_code == 200, r.get_data(as_text=True)[:500]
        answer = r.get_json()["response"]
        assert answer["export-status"]["children"] == exports_menu.DISABLED
        assert "export-download" not in answer
    finally:
        served.cleanup()


def test_an_export_click_downloads_when_exports_are_on(client):
    r = client.post("/_dash-update-component", data=_export_click("json"), content_type="application/json")
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    answer = r.get_json()["response"]
    assert answer["export-download"]["data"]["filename"].endswith(".json")


# --- the dashboard under its Content-Security-Policy, in a real browser ---------------------------

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
"""
# Chromium's notes about its software WebGL and canvas read-backs: neither an error nor the page's doing.
BROWSER_NOTES = ("GL Driver Message", "willReadFrequently", "GPU stall")


@pytest.fixture
def hardened_url(request):
    """Serve a folder through the production stack on 127.0.0.1; yields a function of a query string."""
    from werkzeug.serving import make_server

    servers = []

    def serve(folder) -> str:
        served = make_server_app(folder, ServerSettings())
        httpd = make_server("127.0.0.1", 0, served.wsgi, threaded=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append((httpd, served))
        return f"http://127.0.0.1:{httpd.server_port}"

    yield serve
    for httpd, served in servers:
        httpd.shutdown()
        served.cleanup()


def _browser_problems(driver) -> list[str]:
    logs = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    return [e["message"] for e in logs if not any(n in e["message"] for n in BROWSER_NOTES)]


def _load(driver, url: str, graph: str = "network") -> list[str]:
    """Open ``url``; wait until ``graph`` is drawn; return its trace types."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
    driver.get(url)
    js = (
        f"const g=document.querySelector('#{graph} .js-plotly-plot');"
        "return g && g.data && g.data.length && !document.querySelector('[data-dash-is-loading=true]')"
        " ? g.data.map(t => t.type) : null;"
    )
    end = time.time() + 60
    while time.time() < end:
        types = driver.execute_script(js)
        if types:
            return types
        time.sleep(0.2)
    raise AssertionError(f"{graph} was not drawn within 60 s at {url}")


def _big_folder(folder: Path, officials: int = 1100) -> Path:
    """A data folder whose whole-span view has more than WEBGL_ABOVE nodes: officials of one country."""
    from conftest import TINY

    from explorer.figures import WEBGL_ABOVE

    assert officials > WEBGL_ABOVE
    entities = [e for e in TINY["entities"] if e["kind"] != "official"]
    entities += [
        {"id": f"o{i}", "kind": "official", "name": f"Official {i}", "country": "CHN"} for i in range(officials)
    ]
    office = {
        "kind": "office",
        "title": "Envoy",
        "start": "2020-01-01",
        "start_precision": "day",
        "status": "confirmed",
        "confidence": "high",
        "sources": "S1",
    }
    affiliations = [a for a in TINY["affiliations"] if a["kind"] != "office"]
    affiliations += [{**office, "source": f"o{i}", "target": "CHN"} for i in range(officials)]
    return write_dataset(folder, {"entities": entities, "affiliations": affiliations, "events": [], "participants": []})


@pytest.mark.browser
def test_the_dashboard_runs_under_its_csp_with_an_empty_console(dash_duo, hardened_url):
    from explorer.paths import bundled_data_dir

    driver = dash_duo.driver
    driver.set_window_size(1600, 1100)
    base = hardened_url(bundled_data_dir())
    assert "scatter" in _load(driver, base + "/?from=2024-01&to=2024-02")
    assert driver.execute_script("return window.__cspViolations") == []
    # The map tab: local map data, drawn under the same policy.
    _load(driver, base + "/?from=2024-01&to=2024-02&tab=map", graph="map")
    end = time.time() + 30
    while time.time() < end and not driver.find_elements("css selector", "#map .geo path"):
        time.sleep(0.2)
    assert driver.find_elements("css selector", "#map .geo path"), "no country shapes on the map"
    assert driver.execute_script("return window.__cspViolations") == []
    assert _browser_problems(driver) == []


@pytest.mark.browser
def test_a_webgl_view_draws_under_the_csp(dash_duo, hardened_url, tmp_path):
    driver = dash_duo.driver
    driver.set_window_size(1600, 1100)
    base = hardened_url(_big_folder(tmp_path / "big"))
    types = _load(driver, base + "/?from=2019&to=2025")
    assert "scattergl" in types, f"expected a WebGL view, got {types}"
    end = time.time() + 30
    while time.time() < end and not driver.find_elements("css selector", "#network canvas.gl-canvas-context"):
        time.sleep(0.2)
    text = driver.find_element("css selector", "#network").text
    assert "WebGL is not supported" not in text
    assert driver.execute_script("return window.__cspViolations") == []
    assert _browser_problems(driver) == []
