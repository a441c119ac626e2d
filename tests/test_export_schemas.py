"""The graph exports other tools read without loss (issue 12, item 4).

- GraphML validates against the GraphML XSD and GEXF against the GEXF 1.3 RelaxNG grammar
  (``tests/schemas/``, sources in its README), for the bundled data at each level;
- edge ids are XML name tokens, unique and the same in every export of a view;
- GEXF dates survive a reader that keeps attributes but drops GEXF's own dates (graphology-gexf,
  hence Gephi Lite), and a country-level tie lives in one spell per event, not from its first
  event to its last;
- no export carries the data folder's absolute path;
- the networkx readers docs/exports.md names read the files the way it says.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import textwrap
import zipfile
import zlib
from datetime import date, timedelta
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from explorer.exports import FORMATS, ExportOptions, export_view, unavailable_reason
from explorer.exports.tables import GEXF_NS, GEXF_VIZ_NS, GRAPHML_NS, edge_id, edge_rows, xml_token
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = Path(__file__).resolve().parent / "schemas"
G = f"{{{GEXF_NS}}}"
GM = f"{{{GRAPHML_NS}}}"
LEVELS = ("officials", "countries")
# xs:NMTOKEN as every XML tool agrees on it (ASCII name characters).
NMTOKEN = re.compile(r"[A-Za-z0-9._:-]+")


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    """The bundled data, copied under a path that no export may mention."""
    folder = tmp_path_factory.mktemp("analyst-private-place") / "brics-folder"
    shutil.copytree(bundled_data_dir(), folder)
    return folder


@pytest.fixture(scope="module")
def app_data(data_folder):
    return prepare_app_data(data_folder)


@pytest.fixture(scope="module")
def exports(app_data, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """GEXF, GraphML, CSV and JSON of the whole span at each level, written once."""
    out = tmp_path_factory.mktemp("exports")
    paths = {}
    for level in LEVELS:
        for fmt, suffix in (("gexf", ".gexf"), ("graphml", ".graphml"), ("csv", ".zip"), ("json", ".json")):
            paths[level, fmt] = export_view(app_data, ViewState(level=level), fmt, out / f"{level}{suffix}")
    return paths


@pytest.fixture(scope="module")
def graphml_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "graphml" / "graphml.xsd")))


@pytest.fixture(scope="module")
def gexf_schema():
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "gexf-1.3" / "gexf.rng")))


def _errors(schema) -> str:
    return "\n".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:10])


# ---- the schemas themselves ---------------------------------------------------------------


def test_the_schemas_reject_what_they_should(graphml_schema, gexf_schema):
    """The schema files are the real thing: they catch the faults the issue found."""
    twice = f"""<graphml xmlns="{GRAPHML_NS}"><key id="kind" for="node" attr.name="kind" attr.type="string"/>
      <key id="kind" for="edge" attr.name="kind" attr.type="string"/><graph edgedefault="undirected">
      <node id="a"/><node id="b"/><edge id="a.b.e" source="a" target="b"/></graph></graphml>"""
    assert not graphml_schema.validate(etree.fromstring(twice)) and "Duplicate key-sequence" in _errors(graphml_schema)
    bar = f"""<graphml xmlns="{GRAPHML_NS}"><graph edgedefault="undirected"><node id="a"/><node id="b"/>
      <edge id="a|b|aff:member:a>b" source="a" target="b"/></graph></graphml>"""
    assert not graphml_schema.validate(etree.fromstring(bar)) and "NMTOKEN" in _errors(graphml_schema)
    gexf = f"""<gexf xmlns="{GEXF_NS}" xmlns:viz="{GEXF_VIZ_NS}" version="1.3"><graph mode="dynamic" timeformat="date">
      <nodes><node id="a" start="2024-01-01"><viz:color r="{{r}}" g="0" b="0"/></node></nodes>
      <edges><edge id="e" source="a" target="a"><spells><spell start="2024-01-01" end="2024-01-02"/></spells></edge>
      </edges></graph></gexf>"""
    assert gexf_schema.validate(etree.fromstring(gexf.replace("{r}", "12"))), _errors(gexf_schema)
    assert not gexf_schema.validate(etree.fromstring(gexf.replace("{r}", "300")))  # a colour channel is 0-255


def test_the_schemas_name_their_source_and_licence():
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    for name in ("graphml/graphml.xsd", "graphml/xlink.xsd", "gexf-1.3/gexf.rng", "gexf-1.3/dynamics.rng"):
        assert (SCHEMAS / name).is_file() and name in readme
    assert "gexf-1.3/viz.rng" in readme
    assert "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd" in readme and "https://gexf.net/1.3/" in readme
    assert "CC BY 4.0" in readme and "EPL-2.0" in readme


# ---- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_graphml_validates_against_the_graphml_xsd(exports, graphml_schema, level):
    doc = etree.parse(str(exports[level, "graphml"]))
    assert graphml_schema.validate(doc), _errors(graphml_schema)
    keys = doc.getroot().findall(f"{GM}key")
    ids = [k.get("id") for k in keys]
    assert len(ids) == len(set(ids))
    # A node and an edge attribute of the same name keep that name, under two ids.
    by_name = {(k.get("for"), k.get("attr.name")): k.get("id") for k in keys}
    for name in ("kind", "start", "end", "note"):
        assert by_name[("node", name)] != by_name[("edge", name)]


@pytest.mark.parametrize("level", LEVELS)
def test_gexf_validates_against_the_gexf_13_grammar(exports, gexf_schema, level):
    doc = etree.parse(str(exports[level, "gexf"]))
    assert gexf_schema.validate(doc), _errors(gexf_schema)
    assert doc.getroot().get("version") == "1.3"


def test_graphml_reads_back_with_the_names_readers_show(app_data, exports):
    state = ViewState(level="countries")
    view = render_view(app_data, state).view
    H = nx.read_graphml(exports["countries", "graphml"], force_multigraph=True)
    assert H.nodes["CHN"]["kind"] == "country" and H.nodes["CHN"]["name"] == view.nodes["CHN"]["name"]
    assert isinstance(H.nodes["CHN"]["pagerank"], float) and isinstance(H.nodes["CHN"]["degree_rank"], int)
    kinds = {d["kind"] for *_, d in H.edges(data=True)}
    assert {"meeting", "founding_member"} <= kinds
    assert H.graph["view"] == state.to_query() and H.graph["data"] == app_data.path.name


# ---- edge ids -----------------------------------------------------------------------------


def _csv_edges(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as zf:
        return list(csv.DictReader(io.StringIO(zf.read("edges.csv").decode("utf-8"))))


@pytest.mark.parametrize("level", LEVELS)
def test_edge_ids_are_name_tokens_unique_and_the_same_in_every_format(exports, level):
    graphml = [e.get("id") for e in etree.parse(str(exports[level, "graphml"])).iter(f"{GM}edge")]
    gexf = [e.get("id") for e in etree.parse(str(exports[level, "gexf"])).iter(f"{G}edge")]
    rows = _csv_edges(exports[level, "csv"])
    assert graphml and all(NMTOKEN.fullmatch(i) for i in graphml)
    assert len(set(graphml)) == len(graphml)
    assert set(graphml) == set(gexf) == {r["id"] for r in rows}
    # The id says which edge it is: its endpoints and its key, which the key attribute keeps as it was.
    for r in rows:
        assert r["id"] == edge_id(r["source"], r["target"], r["key"])
        assert r["id"].startswith(f"{r['source']}.{r['target']}.")


def test_edge_ids_do_not_depend_on_the_order_the_graph_was_built_in(app_data):
    view = render_view(app_data, ViewState(level="countries")).view
    rebuilt = nx.MultiGraph()
    rebuilt.graph.update(view.graph)
    rebuilt.add_nodes_from(reversed(list(view.nodes(data=True))))
    rebuilt.add_edges_from(reversed([(v, u, k, d) for u, v, k, d in view.edges(keys=True, data=True)]))
    assert {r["id"] for r in edge_rows(rebuilt)} == {r["id"] for r in edge_rows(view)}


@pytest.mark.parametrize(
    "text",
    ["CHN", "aff:member:ARE>BRICS:2024-01-01", "a|b", "a b", "_x003E_", "_x0041_", "Ωmega", "emoji\U0001f600", ""],
)
def test_xml_token_is_a_valid_token_and_tells_texts_apart(text):
    token = xml_token(text)
    assert NMTOKEN.fullmatch(token)
    others = ["CHN", "aff:member:ARE_x003E_BRICS:2024-01-01", "a_x007C_b", ">", "A", "a_b"]
    assert all(xml_token(o) != token for o in others if o != text)


# ---- dates --------------------------------------------------------------------------------


def _attvalues(el) -> dict[str, str]:
    """What graphology-gexf (Gephi Lite) keeps of an element: its attvalues, not start/end/spells."""
    return {a.get("for"): a.get("value") for a in el.iter(f"{G}attvalue")}


@pytest.mark.parametrize("level", LEVELS)
def test_gexf_dates_are_also_plain_attributes(app_data, exports, level):
    root = etree.parse(str(exports[level, "gexf"])).getroot()
    rows = {r["id"]: r for r in edge_rows(render_view(app_data, ViewState(level=level)).view)}
    edges = list(root.iter(f"{G}edge"))
    assert len(edges) == len(rows)
    for el in edges:
        plain, row = _attvalues(el), rows[el.get("id")]
        assert plain["start_date"] == row["start"]
        assert plain.get("end_date", "") == row["end"]
        assert plain.get("dates", "") == row["dates"]
        if row["relation"] == "event":  # one date per event: the events of a country tie, else its own
            assert len(plain["dates"].split(";")) == (len(row["events"].split(";")) if row["events"] else 1)
    for el in root.iter(f"{G}node"):
        plain = _attvalues(el)
        assert plain.get("start_date") == el.get("start") and plain.get("end_date") == el.get("end")


def test_country_ties_live_in_one_spell_per_event(app_data, exports):
    view = render_view(app_data, ViewState(level="countries")).view
    events = view.graph["events"]
    root = etree.parse(str(exports["countries", "gexf"])).getroot()
    ties = {el.get("id"): el for el in root.iter(f"{G}edge")}
    several = 0
    for u, v, k, d in view.edges(keys=True, data=True):
        if k != "events":
            continue
        el = ties[edge_id(min(u, v), max(u, v), k)]
        spells = [(s.get("start"), s.get("end")) for s in el.iter(f"{G}spell")]
        expected = [
            (events[e]["start"].isoformat(), (events[e]["end"] or events[e]["start"]).isoformat()) for e in d["events"]
        ]
        if len(d["events"]) > 1:
            several += 1
            assert spells == expected and float(el.get("weight")) == len(spells)
            assert el.get("start") is None and el.get("end") is None  # no interval from the first event to the last
        else:
            assert not spells and (el.get("start"), el.get("end")) == expected[0]
    assert several > 10

    # Brazil and India: many events over two decades, and a day between two of them when the tie is not there.
    bra_ind = ties[edge_id("BRA", "IND", "events")]
    spells = [(date.fromisoformat(s.get("start")), date.fromisoformat(s.get("end"))) for s in bra_ind.iter(f"{G}spell")]
    assert len(spells) == len(view.edges["BRA", "IND", "events"]["events"]) > 5
    gap = next(
        a_end + timedelta(days=1)
        for (_, a_end), (b_start, _) in zip(spells, spells[1:])
        if b_start - a_end > timedelta(days=1)
    )
    assert not any(s <= gap <= e for s, e in spells)


def test_networkx_reads_the_spells_and_the_json_dates(exports):
    H = nx.read_gexf(exports["countries", "gexf"])
    d = H.edges["BRA", "IND", "events"]
    assert len(d["spells"]) == len(d["events"].split(";")) == len(d["dates"].split(";"))
    doc = json.loads(exports["countries", "json"].read_text(encoding="utf-8"))
    tie = next(e for e in doc["edges"] if {e["source"], e["target"]} == {"BRA", "IND"} and e["key"] == "events")
    assert len(tie["dates"]) == len(tie["events"]) and tie["dates"] == d["dates"].split(";")


# ---- networkx versions (docs/exports.md) --------------------------------------------------


def _docs_snippet(name: str) -> dict:
    """Run the Python block of docs/exports.md that defines ``name`` and return its namespace."""
    text = (REPO / "docs" / "exports.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if f"def {name}(" in b)
    namespace: dict = {}
    exec(compile(textwrap.dedent(block), "docs/exports.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def test_the_documented_reader_for_older_networkx_reads_the_same_graph(exports):
    read_gexf_13 = _docs_snippet("read_gexf_13")["read_gexf_13"]
    for level in LEVELS:
        old, new = read_gexf_13(exports[level, "gexf"]), nx.read_gexf(exports[level, "gexf"])
        assert set(old.nodes) == set(new.nodes)
        assert sorted((min(u, v), max(u, v), k) for u, v, k in old.edges(keys=True)) == sorted(
            (min(u, v), max(u, v), k) for u, v, k in new.edges(keys=True)
        )
    assert old.edges["BRA", "IND", "events"]["spells"] == new.edges["BRA", "IND", "events"]["spells"]


def test_the_docs_say_which_networkx_reads_what():
    text = (REPO / "docs" / "exports.md").read_text(encoding="utf-8")
    assert f"networkx {nx.__version__}" in text  # the version installed, as checked by this suite
    for version in ("3.2", "3.3", "3.4", "3.5"):
        assert version in text
    assert 'link="edges"' in text and 'edges="edges"' in text


# ---- no local path ------------------------------------------------------------------------


def _texts(path: Path) -> list[bytes]:
    """The bytes of an export, with a zip's members and a PDF's deflated streams opened."""
    if path.is_dir():
        return [p.read_bytes() for p in sorted(path.iterdir())]
    raw = path.read_bytes()
    out = [raw]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            out += [zf.read(n) for n in zf.namelist()]
    if raw.startswith(b"%PDF"):
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
            try:
                out.append(zlib.decompress(stream))
            except zlib.error:
                pass
    return out


def _assert_no_local_path(path: Path, data_folder: Path) -> None:
    forbidden = {str(data_folder), str(data_folder.resolve()), str(data_folder.parent), data_folder.parent.name}
    for blob in _texts(path):
        for text in forbidden:
            for encoded in {text.encode("utf-8"), text.encode("utf-16-be"), json.dumps(text)[1:-1].encode()}:
                assert encoded not in blob, f"{path.name} holds {text!r}"


_DATA_AND_PAGE = ("gexf", "graphml", "csv", "json", "html")
JAN_FEB = ViewState(date_from="2024-01", date_to="2024-02", level="countries")


def test_the_format_lists_here_cover_every_format():
    pictures = [f for f in FORMATS.values() if f.browser]
    assert {f.id for f in pictures} | set(_DATA_AND_PAGE) == set(FORMATS)


@pytest.mark.parametrize(
    "fmt, name",
    [
        ("gexf", "v.gexf"),
        ("graphml", "v.graphml"),
        ("csv", "t.zip"),
        ("csv", "tables"),
        ("json", "v.json"),
        ("html", "v.html"),
    ],
)
def test_no_export_carries_the_data_folders_path(app_data, data_folder, tmp_path, fmt, name):
    _assert_no_local_path(export_view(app_data, JAN_FEB, fmt, tmp_path / name), data_folder)


def test_the_path_check_finds_a_path(data_folder, tmp_path):
    leaky = tmp_path / "leaky.zip"
    with zipfile.ZipFile(leaky, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("view.json", json.dumps({"data": str(data_folder)}))
    with pytest.raises(AssertionError, match="leaky.zip holds"):
        _assert_no_local_path(leaky, data_folder)


@pytest.mark.browser
def test_no_picture_or_animation_carries_the_data_folders_path(app_data, data_folder, tmp_path):
    from explorer.exports.render import kaleido_server

    pictures = [f for f in FORMATS.values() if f.browser and unavailable_reason(f) is None]
    assert {"png", "svg", "pdf", "gif"} <= {f.id for f in pictures}
    options = ExportOptions(width=500, height=400, step="month")
    with kaleido_server():
        for f in pictures:
            _assert_no_local_path(export_view(app_data, JAN_FEB, f, tmp_path / f"v{f.suffix}", options), data_folder)
