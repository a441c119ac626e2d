"""What makes the production server hold its load: a cached answer is found for every way of
writing the same request and never for another one; label placement stays cheap; an update
refused with 503 is visible in the dashboard.

The load itself is measured by ``bench/bench_server.py``, not here.
"""

from __future__ import annotations

import gzip
import json
import random
import tempfile
import threading
import time

import pytest
from conftest import write_dataset
from werkzeug.test import Client

from explorer import figures
from explorer.app.server import compressed_with, make_server_app
from explorer.server import DiskStore, ResponseCache, ServerSettings, canonical_json

UPDATE = "/_dash-update-component"


def _echo_app(calls: list):
    def app(environ, start_response):
        body = environ["wsgi.input"].read()
        calls.append(body)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"n": %d}' % len(calls)]

    return app


def test_the_same_request_written_differently_is_answered_from_the_cache():
    calls: list = []
    with tempfile.TemporaryDirectory() as tmp:
        c = Client(ResponseCache(_echo_app(calls), DiskStore(tmp, 8), "ns"))
        same = [
            b'{"output": "a.b", "inputs": [{"id": "x", "value": 1}]}',
            b'{ "inputs" : [ { "value" : 1, "id" : "x" } ], "output" : "a.b" }',
            b'{"inputs":[{"id":"x","value":1}],"output":"a.b"}',
        ]
        answers = [c.post(UPDATE, data=b, content_type="application/json").data for b in same]
        assert len(calls) == 1 and answers == [b'{"n": 1}'] * 3
        # The computed request is the one the browser sent, not the canonical form.
        assert calls == [same[0]]


@pytest.mark.parametrize(
    "other",
    [
        b'{"output": "a.b", "inputs": [{"id": "x", "value": 2}]}',  # another input value
        b'{"output": "a.b", "inputs": [{"id": "x", "value": 1.0}]}',  # 1.0 is not 1 to Python
        b'{"output": "a.c", "inputs": [{"id": "x", "value": 1}]}',  # another output
        b'{"output": "a.b", "inputs": [{"id": "x", "value": 1}], "state": [{"id": "s", "value": 1}]}',
        b'{"output": "a.b", "inputs": [{"id": "x", "value": 1}], "changedPropIds": ["x.value"]}',
        b'{"output": "a.b", "inputs": [{"value": 1, "id": "y"}]}',
    ],
)
def test_any_difference_in_outputs_inputs_state_or_trigger_is_another_entry(other):
    calls: list = []
    with tempfile.TemporaryDirectory() as tmp:
        c = Client(ResponseCache(_echo_app(calls), DiskStore(tmp, 8), "ns"))
        first = c.post(
            UPDATE, data=b'{"output": "a.b", "inputs": [{"id": "x", "value": 1}]}', content_type="application/json"
        )
        second = c.post(UPDATE, data=other, content_type="application/json")
        assert len(calls) == 2 and first.data != second.data
        assert second.headers["X-Explorer-Cache"] == "miss"


def test_another_content_type_or_data_version_is_another_entry():
    calls: list = []
    body = b'{"a": 1}'
    with tempfile.TemporaryDirectory() as tmp:
        c = Client(ResponseCache(_echo_app(calls), DiskStore(tmp, 8), "data1:code1"))
        c.post(UPDATE, data=body, content_type="application/json")
        c.post(UPDATE, data=body, content_type="text/plain")
        assert len(calls) == 2
        Client(ResponseCache(_echo_app(calls), DiskStore(tmp, 8), "data2:code1")).post(
            UPDATE, data=body, content_type="application/json"
        )
        assert len(calls) == 3


def test_a_body_that_is_not_json_is_never_cached():
    assert canonical_json(b"\xff{") == (b"\xff{", None)
    calls: list = []
    with tempfile.TemporaryDirectory() as tmp:
        c = Client(ResponseCache(_echo_app(calls), DiskStore(tmp, 8), "ns"))
        for _ in range(2):
            assert (
                c.post(UPDATE, data=b"not json", content_type="application/json").headers.get("X-Explorer-Cache")
                is None
            )
        assert len(calls) == 2


@pytest.mark.parametrize(
    "header, expected",
    [
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("", "identity"),
        ("deflate", "identity"),
    ],
)
def test_the_cache_keeps_one_entry_per_encoding_the_server_answers_with(header, expected):
    assert compressed_with()(header) == expected


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = write_dataset(tmp_path_factory.mktemp("data") / "d")
    served = make_server_app(folder, ServerSettings())
    yield served
    served.cleanup()


def _main_callback_body(client) -> bytes:
    """The dashboard's main callback as the page's first load asks for it."""
    deps = json.loads(client.get("/_dash-dependencies").data)
    dep = max(deps, key=lambda d: len(d["inputs"]))

    def spec(item):
        value = "?from=2020-01-01&to=2024-12-31" if item["id"] == "url" and item["property"] == "search" else None
        return {"id": item["id"], "property": item["property"], "value": value}

    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")]
    return json.dumps(
        {
            "output": dep["output"],
            "outputs": outputs,
            "inputs": [spec(i) for i in dep["inputs"]],
            "state": [spec(s) for s in dep["state"]],
            "changedPropIds": [],
        }
    ).encode()


def test_every_client_gets_an_answer_it_can_decode_from_the_shared_cache(served):
    client = served.wsgi.test_client()
    body = _main_callback_body(client)
    answers = {}
    # Browsers that write the header differently share an entry; a client without Brotli never gets it.
    for header in ("gzip, deflate, br, zstd", "br, gzip", "gzip", "gzip, deflate", ""):
        r = client.post(UPDATE, data=body, content_type="application/json", headers={"Accept-Encoding": header})
        assert r.status_code == 200, r.data[:300]
        encoding = r.headers.get("Content-Encoding", "identity")
        assert encoding in (header or "identity"), f"{encoding} sent to a client accepting {header!r}"
        if encoding == "br":
            import brotli

            plain = brotli.decompress(r.data)
        elif encoding == "gzip":
            plain = gzip.decompress(r.data)
        else:
            plain = r.data
        answers[header] = (r.headers["X-Explorer-Cache"], json.loads(plain))
    assert answers["br, gzip"][0] == "hit", "a second Brotli client should share the first one's entry"
    assert answers["gzip, deflate"][0] == "hit"
    assert len({json.dumps(a[1], sort_keys=True) for a in answers.values()}) == 1


# --- label placement -------------------------------------------------------------------------------


def test_label_placement_gives_the_same_labels_with_or_without_the_pixel_grid(monkeypatch):
    rng = random.Random(5)
    for _ in range(150):
        n = rng.choice([2, 10, 40, 150])
        positions = {f"n{i}": (rng.uniform(-1, 1), rng.uniform(-1, 1)) for i in range(n)}
        sizes = {k: rng.choice([0, 4, 8, 14, 30]) for k in positions}
        texts = {k: "x" * rng.randint(1, 18) for k in positions if rng.random() < 0.8}
        must = rng.sample(sorted(texts), min(2, len(texts)))
        kw = {"x_range": (-1.1, 1.1), "y_range": (-1.1, 1.1), "must": must}
        kw["plot_size"] = rng.choice([(820, 600), (300, 200)])
        monkeypatch.setattr(figures, "LABEL_GRID_ABOVE", 10**12)
        direct = figures.place_labels(positions, sizes, texts, **kw)
        monkeypatch.setattr(figures, "LABEL_GRID_ABOVE", -1)
        grid = figures.place_labels(positions, sizes, texts, **kw)
        assert direct == grid
        assert len(direct) >= min(len(texts), 1)


# --- 503 in the dashboard --------------------------------------------------------------------------


@pytest.fixture
def busy_server():
    from werkzeug.serving import make_server

    from explorer.paths import bundled_data_dir

    served = make_server_app(bundled_data_dir(), ServerSettings())
    httpd = make_server("127.0.0.1", 0, served.wsgi, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    served.cleanup()


def _wait(driver, script: str, timeout: float = 60):
    end = time.time() + timeout
    while time.time() < end:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not true within {timeout} s: {script}")


NOTICE = (
    "const n = document.getElementById('explorer-overload-notice');"
    "return n && !n.hidden && n.getAttribute('role') === 'alert' ? n.textContent : null;"
)
IDLE = "return !document.querySelector('[data-dash-is-loading=true]') && document.querySelector('#network .js-plotly-plot')"


def _follow(driver, query: str) -> None:
    """A link followed inside the page, as the back button or a shared link changes the view."""
    driver.execute_script(
        "window.history.pushState({}, '', arguments[0]);"
        "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));",
        query,
    )


@pytest.mark.browser
def test_an_update_refused_with_503_shows_a_notice_until_one_is_answered(dash_duo, busy_server):
    served, base = busy_server
    driver = dash_duo.driver
    driver.get(base + "/?from=2024-01&to=2024-02")
    _wait(driver, IDLE)
    # Every slot taken and no room to wait: the server refuses the next update with 503.
    waiting, served.gate.max_waiting = served.gate.max_waiting, 0
    assert served.gate._slots.acquire(timeout=5)
    try:
        _follow(driver, "?from=2023-01&to=2023-06&level=countries")
        text = _wait(driver, NOTICE)
        assert "server is busy" in text and "not applied" in text and "5 s" in text
    finally:
        served.gate._slots.release()
        served.gate.max_waiting = waiting
    assert served.gate.rejected >= 1
    _follow(driver, "?from=2022-01&to=2022-06&level=countries")
    _wait(driver, "return document.getElementById('explorer-overload-notice').hidden")
    _wait(driver, IDLE)


# --- encoding answers ------------------------------------------------------------------------------


def test_callback_answers_are_encoded_to_the_same_text_as_dash_does(served, monkeypatch):
    import dash._callback as dash_callback
    from dash._utils import to_json as dash_to_json

    assert getattr(dash_callback.to_json, "explorer_fast", False), "the fast encoder is not installed"
    seen = []
    fast = dash_callback.to_json

    def spy(value):
        seen.append(value)
        return fast(value)

    monkeypatch.setattr(dash_callback, "to_json", spy)
    served.cache.store._open().clear()  # every answer computed, none from the cache
    client = served.wsgi.test_client()
    base = json.loads(_main_callback_body(client))
    searches = [
        "?from=2020-01-01&to=2024-12-31",
        "?from=2023-01-01&to=2024-12-31&level=countries&tab=map",
        "?from=2020&to=2024&tab=changes",
        "?from=2020&to=2024&tab=path&pfrom=CHN&pto=RUS",
        "?from=2020&to=2024&tab=metrics&sel=CHN",
        "?from=2099&to=2100",
    ]
    for search in searches:
        body = dict(base, inputs=[dict(i, value=search) if i["id"] == "url" else i for i in base["inputs"]])
        r = client.post(UPDATE, data=json.dumps(body), content_type="application/json")
        assert r.status_code == 200, r.data[:300]
    assert len(seen) == len(searches)
    for value in seen:
        assert fast(value) == dash_to_json(value)
    # Answers that hold Dash components (details, notices) are the ones the fast path is for.
    assert any('"namespace"' in dash_to_json(v) for v in seen)
