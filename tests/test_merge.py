"""Several data folders at once: `--data A --data B`, `explorer merge`, conflicts, provenance.

The real case is the curated data plus a GDELT import of the real fixture (imported here,
into tmp_path); the conflict rules are checked on small hand-written folders.
"""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import TINY, write_dataset
from conftest_import import GDELT2_FIXTURE, fixture

from explorer.cli import cli
from explorer.details import edge_details, node_details
from explorer.errors import DataError
from explorer.graph import build_graph
from explorer.loader import check_datasets, load_dataset, load_datasets
from explorer.merge import folder_labels
from explorer.paths import bundled_data_dir
from explorer.pipeline import apply_view
from explorer.presenter import prepare_app_data
from explorer.viewstate import ViewState


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def gdelt(tmp_path_factory):
    """A GDELT import of the real fixture, made by the command a user runs."""
    source = fixture(GDELT2_FIXTURE)
    out = tmp_path_factory.mktemp("imports") / "gdelt"
    code, _, err = run("import", "gdelt", source, "--out", out)
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def both(gdelt):
    return load_datasets([bundled_data_dir(), gdelt])


# ---- the curated data and a GDELT import, opened together ------------------------------------


def test_shared_countries_are_counted_once(both, gdelt):
    curated, imported = load_dataset(bundled_data_dir()), load_dataset(gdelt)
    shared = set(curated.entities["id"]) & set(imported.entities["id"])
    assert {"CHN", "RUS", "USA"} <= shared
    assert len(both.entities) == len(set(curated.entities["id"]) | set(imported.entities["id"]))
    assert both.entities["id"].is_unique
    assert len(both.events) == len(curated.events) + len(imported.events)
    chn = both.entities.set_index("id").loc["CHN"]
    assert chn["name"] == "People's Republic of China" and "China" in chn["aliases"].split(";")
    assert chn["folder"] == "data;gdelt"


def test_every_fact_keeps_its_folder(both, gdelt):
    curated_ids = set(load_dataset(bundled_data_dir()).events["id"])
    folder_of = dict(zip(both.events["id"], both.events["folder"], strict=True))
    assert {folder_of[e] for e in curated_ids} == {"data"}
    assert {f for e, f in folder_of.items() if e not in curated_ids} == {"gdelt"}
    assert set(both.affiliations["folder"]) == {"data"}
    assert set(both.sources["folder"]) == {"data", "gdelt"}
    assert both.folders == ("data", "gdelt")
    # A folder is named by its directory name, never by a path.
    assert not any("/" in f for f in both.folders)


def test_info_counts_each_folder_and_graph_json_names_the_folder_of_each_fact(gdelt):
    code, out, _ = run("info", "--data", bundled_data_dir(), "--data", gdelt, "--json")
    assert code == 0
    info = json.loads(out)
    assert info["folders"]["data"]["events"] == len(load_dataset(bundled_data_dir()).events)
    assert info["folders"]["gdelt"]["events"] == len(load_dataset(gdelt).events)
    assert info["folders"]["gdelt"]["entities"] == len(load_dataset(gdelt).entities)

    code, out, _ = run("graph", "--data", bundled_data_dir(), "--data", gdelt, "--from", "2017-03", "--to", "2018-03")
    assert code == 0
    edges = json.loads(out)["edges"]
    assert {e["folder"] for e in edges} == {"data", "gdelt"}
    assert all(e["folder"] == "gdelt" for e in edges if e["key"].startswith("gdelt-"))


def test_data_given_twice_is_no_longer_the_last_one_only(gdelt):
    _, alone, _ = run("info", "--data", gdelt, "--json")
    _, together, _ = run("info", "--data", bundled_data_dir(), "--data", gdelt, "--json")
    assert json.loads(together)["sources"] > json.loads(alone)["sources"]
    code, out, _ = run(
        "metrics", "--data", bundled_data_dir(), "--data", gdelt, "--at", "2018-03-26", "--format", "csv"
    )
    assert code == 0
    ids = pd.read_csv(pd.io.common.StringIO(out))["id"].tolist()
    assert ids.count("CHN") <= 1 and "GBR" in ids  # GBR comes from the import only


def test_details_say_which_folder_each_fact_came_from(both):
    G = build_graph(both)
    view = apply_view(G, ViewState(date_from="2017-03-26", date_to="2018-03-26"))
    d = node_details(G, view, "CHN")
    assert d["folders"] == ["data", "gdelt"]
    assert d["events"] and all(e["folder"] in ("data", "gdelt") for e in d["events"])
    assert {e["folder"] for e in d["events"]} == {"gdelt"}
    assert d["affiliations"] and {a["folder"] for a in d["affiliations"]} == {"data"}
    assert all(s["folder"] == "data" for a in d["affiliations"] for s in a["sources"])
    u, v, k = next((u, v, k) for u, v, k, e in view.edges(keys=True, data=True) if e.get("folder") == "gdelt")
    tie = edge_details(G, view, f"edge|{u}|{v}|{k}")
    assert tie["events"][0]["folder"] == "gdelt"


def test_switching_a_folder_off_removes_its_facts(both):
    G = build_graph(both)
    state = ViewState(date_from="2017-03-26", date_to="2018-03-26")
    on = apply_view(G, state)
    off = apply_view(G, state.replace(hidden_folders=("gdelt",)))
    assert any(d.get("folder") == "gdelt" for *_, d in on.edges(data=True))
    assert not any(d.get("folder") == "gdelt" for *_, d in off.edges(data=True))
    assert "GBR" in on and "GBR" not in off  # only the import ties GBR in that year
    assert node_details(G, off, "CHN")["events"] == []  # no solo GDELT event either
    only_gdelt = apply_view(G, state.replace(hidden_folders=("data",)))
    assert {d.get("folder") for *_, d in only_gdelt.edges(data=True)} == {"gdelt"}
    # The link carries it.
    query = state.replace(hidden_folders=("gdelt",)).to_query()
    assert "hidefolders=gdelt" in query
    assert ViewState.from_query(query)[0].hidden_folders == ("gdelt",)


def test_the_bundled_data_alone_has_no_provenance():
    ds = load_datasets([bundled_data_dir()])
    assert ds.folders == () and "folders" not in ds.summary()
    G = build_graph(ds)
    assert G.graph["folders"] == ()
    assert not any("folder" in d for *_, d in G.edges(data=True))
    assert not any("folders" in a for a in G.graph["entities"].values())
    d = node_details(G, apply_view(G, ViewState(date_from="2024-01", date_to="2024-02")), "CHN")
    assert d["folders"] == [] and all(e["folder"] == "" for e in d["events"])


# ---- explorer merge ----------------------------------------------------------------------------


def test_merge_writes_a_folder_that_validates_and_round_trips(both, gdelt, tmp_path):
    out = tmp_path / "merged"
    code, _, err = run("merge", bundled_data_dir(), gdelt, "--out", out)
    assert code == 0, err
    assert "1 warning" in err and "CHN" in err
    code, stdout, _ = run("validate", "--data", out)
    assert code == 0 and "OK" in stdout
    again = load_dataset(out)
    assert again.folders == ("data", "gdelt")
    for part in ("entities", "affiliations", "events", "participants", "sources"):
        a, b = getattr(both, part), getattr(again, part)
        cols = [c for c in a.columns if c not in ("line", "start_date", "end_date")]
        key = (
            cols[:2]
            if part == "participants"
            else (["source", "target", "kind", "start"] if part == "affiliations" else ["id"])
        )
        left = a[cols].sort_values(key).reset_index(drop=True)
        right = b[cols].sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_dtype=False)
    # Opened alone, the merged folder still switches its folders on and off.
    G = build_graph(again)
    view = apply_view(G, ViewState(date_from="2017-03-26", date_to="2018-03-26", hidden_folders=("gdelt",)))
    assert not any(d.get("folder") == "gdelt" for *_, d in view.edges(data=True))


def test_merge_refuses_to_overwrite_its_inputs_and_existing_folders(gdelt, tmp_path):
    before = {p.name: p.read_bytes() for p in gdelt.iterdir()}
    code, _, err = run("merge", bundled_data_dir(), gdelt, "--out", gdelt, "--force")
    assert code == 2 and "input" in err
    assert {p.name: p.read_bytes() for p in gdelt.iterdir()} == before
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    code, _, err = run("merge", bundled_data_dir(), gdelt, "--out", tmp_path / "taken")
    assert code == 2 and "already exists" in err
    code, _, err = run("merge", bundled_data_dir(), gdelt, "--out", tmp_path / "taken", "--force")
    assert code == 2 and "notes.txt" in err
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"
    code, _, err = run("merge", bundled_data_dir(), "--out", tmp_path / "one")
    assert code == 2 and "two" in err


# ---- conflicts ---------------------------------------------------------------------------------


def test_conflicts_name_both_folders_files_and_lines(tmp_path):
    tables_a = copy.deepcopy(TINY)
    tables_a["entities"].append({"id": "ARE", "kind": "country", "name": "United Arab Emirates", "iso3": "ARE"})
    a = write_dataset(tmp_path / "curated", tables_a)
    tables_b = copy.deepcopy(TINY)
    tables_b["entities"].append({"id": "ARE", "kind": "organization", "name": "Arab Emirates Office"})
    next(e for e in tables_b["entities"] if e["id"] == "CHN")["name"] = "China (PRC)"
    b = write_dataset(tmp_path / "other", tables_b)
    ds, errors, warnings = check_datasets([a, b])
    assert ds is None
    # The header is line 1: ARE is the 7th entity (line 8), CHN the 1st (line 2), in both folders.
    assert [str(e) for e in errors] == [
        "other/entities.csv:8: column 'kind': 'organization' conflicts with curated/entities.csv:8, "
        "where ARE is a country; expected the same kind for an id in every folder"
    ]
    assert [str(w) for w in warnings if "'name'" in str(w)] == [
        "other/entities.csv:2: column 'name': 'China (PRC)' differs from curated/entities.csv:2, which names CHN "
        "'China': that name is kept, this one becomes an alias; expected the same name in every folder"
    ]
    code, out, _ = run("validate", "--data", a, "--data", b)
    assert code == 1
    assert "other/entities.csv:8" in out and "curated/entities.csv:8" in out and "warning: other/entities.csv:2" in out
    with pytest.raises(DataError, match="other/entities.csv:8"):
        load_datasets([a, b])
    code, _, err = run("metrics", "--data", a, "--data", b)
    assert code == 1 and "other/entities.csv:8" in err


def test_warnings_do_not_stop_a_merge_and_ids_merge_by_wikidata(tmp_path):
    tables = copy.deepcopy(TINY)
    lavrov = next(e for e in tables["entities"] if e["id"] == "sergey-lavrov")
    # The same man under another id, known by his Wikidata id.
    for part in ("affiliations", "participants"):
        for row in tables[part]:
            for col in ("source", "entity"):
                if row.get(col) == "sergey-lavrov":
                    row[col] = "lavrov"
    lavrov["id"] = "lavrov"
    lavrov["wikidata"] = "Q83420"
    tables_a = copy.deepcopy(TINY)
    next(e for e in tables_a["entities"] if e["id"] == "sergey-lavrov")["wikidata"] = "Q83420"
    a = write_dataset(tmp_path / "a", tables_a)
    # Its own event under the same id but about something else: renamed, not lost.
    tables["events"][0]["title"] = "Another meeting"
    b = write_dataset(tmp_path / "b", tables)
    ds, errors, warnings = check_datasets([a, b])
    assert errors == [] and ds is not None
    assert "lavrov" not in set(ds.entities["id"]) and "sergey-lavrov" in set(ds.entities["id"])
    assert set(ds.events["id"]) == {"e1", "b:e1"}
    assert set(ds.participants.loc[ds.participants["event"] == "b:e1", "entity"]) == {"ma-zhaoxu", "sergey-lavrov"}
    assert any("renamed b:ID" in str(w) for w in warnings)
    # Identical facts in both folders are kept once.
    assert len(ds.affiliations) == len(TINY["affiliations"])
    code, out, _ = run("validate", "--data", a, "--data", b)
    assert code == 0 and "2 folders merged" in out and "warning:" in out


def test_kinds_that_differ_for_a_shared_wikidata_id_are_kept_apart_with_a_warning(tmp_path):
    tables_a = copy.deepcopy(TINY)
    next(e for e in tables_a["entities"] if e["id"] == "BRICS")["wikidata"] = "Q10717"
    a = write_dataset(tmp_path / "a", tables_a)
    tables_b = copy.deepcopy(TINY)
    next(e for e in tables_b["entities"] if e["id"] == "ma-zhaoxu")["wikidata"] = "Q10717"
    b = write_dataset(tmp_path / "b", tables_b)
    ds, errors, warnings = check_datasets([a, b])
    assert errors == [] and ds is not None
    assert any("b/entities.csv" in str(w) and "Q10717" in str(w) and "a/entities.csv" in str(w) for w in warnings)


def test_folder_labels_are_directory_names():
    assert folder_labels(["/x/data", "/y/data/", "/z/GDELT 2018"]) == ["data", "data-2", "GDELT-2018"]


def test_the_dashboard_opens_several_folders(gdelt):
    data = prepare_app_data([bundled_data_dir(), gdelt])
    assert data.graph.graph["folders"] == ("data", "gdelt")
    assert data.path == bundled_data_dir()
    assert data.story is not None  # the first folder's story


def test_a_folder_value_that_is_not_a_folder_name_is_reported(tmp_path):
    folder = write_dataset(tmp_path / "merged")
    events = (folder / "events.csv").read_text().splitlines()
    events[0] += ",folder"
    events[1] += ",/home/me/data"
    (folder / "events.csv").write_text("\n".join(events) + "\n")
    code, out, _ = run("validate", "--data", folder)
    assert code == 1
    assert "events.csv:2: column 'folder': '/home/me/data' is not a folder name" in out
