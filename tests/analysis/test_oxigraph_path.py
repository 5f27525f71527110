"""On an Oxigraph store the analyses read the queries straight from pyoxigraph: same answers as rdflib's
own SPARQL engine gives on the same graph in memory."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis import chain_analysis, chains, networks


@pytest.fixture(scope="module")
def stored(dataset, tmp_path_factory):
    from kg.io import trig_bytes
    from kg.store import load_oxigraph, open_dataset

    folder = tmp_path_factory.mktemp("oxigraph")
    trig = folder / "kg.trig"
    trig.write_bytes(trig_bytes(dataset))
    load_oxigraph(trig, folder / "store")
    return open_dataset(f"oxigraph:{folder / 'store'}")


QUERIES = [layer.query for layer in networks.EDGE_LAYERS] + ["sides", "actor-labels", "edges-respond", "acts", "act-targets"]


@pytest.mark.parametrize("where", ["in-memory copy", "on disk"])
@pytest.mark.parametrize("name", QUERIES)
def test_rows_read_off_pyoxigraph_as_rdflib_answers(stored, dataset, name, where, monkeypatch):
    import kg.store
    from kg.query import run_query

    if where == "on disk":  # a store too big to copy
        monkeypatch.setattr(kg.store, "SNAPSHOT_LIMIT", 0)
    result = run_query(dataset, name)  # rdflib's engine, on the graph in memory
    names = [str(v) for v in result.vars]
    by_rdflib = [{n: None if row[i] is None else str(row[i]) for i, n in enumerate(names)} for row in result]
    assert by_rdflib
    assert _sorted(_measures_sorted(networks._rows(stored, name))) == _sorted(_measures_sorted(by_rdflib))
    copy = kg.store.analysis_store(stored)
    assert (copy is kg.store.oxigraph_store(stored)) == (where == "on disk")
    assert len(copy) == len(kg.store.oxigraph_store(stored))


def _sorted(rows):
    return sorted(rows, key=lambda row: sorted((k, v or "") for k, v in row.items()))


def _measures_sorted(rows):
    """The rows, with GROUP_CONCAT's list of measures (in the engine's order) sorted."""
    rows = [dict(row) for row in rows]
    for row in rows:
        if row.get("measures"):
            row["measures"] = "; ".join(sorted(row["measures"].split("; ")))
    return rows


def test_chain_analysis_on_oxigraph_same_as_on_rdflib(stored, dataset):
    # the store read straight from pyoxigraph, against rdflib's engine on the same graph in memory
    direct = chain_analysis(stored)
    assert chain_analysis(dataset) == direct


def _all_pairs_candidates(acts, act_sides, D, window_days):
    """The definition: every ordered pair of acts, checked one by one."""
    from itertools import combinations

    rows = []
    for a, b in combinations(sorted(act_sides), 2):
        for first, later in ((a, b), (b, a)):
            side_f, targets_f = act_sides[first]
            side_l, targets_l = act_sides[later]
            if side_f == side_l or side_l not in targets_f or side_f not in targets_l:
                continue
            if any(D.has_edge(u, v) and D.edges[u, v].get("link") in chains.ANSWER_LINKS
                   for u, v in ((first, later), (later, first))):
                continue
            follows = D.has_edge(later, first) and D.edges[later, first].get("link") == "follows"
            lag = chains.lag_days(acts[first], acts[later])
            if not follows and (lag is None or not 0 < lag <= window_days):
                continue
            rows.append((first, later, lag, follows))
    return rows


@pytest.mark.parametrize("window", [0, 1, 5, 30, 400])
def test_candidates_match_all_pairs(window):
    import random

    rng = random.Random(window)
    sides = ["A", "B", "C", "D"]
    acts, act_sides = {}, {}
    for i in range(120):
        act = f"act{i:03d}"
        day = rng.choice([None, "2020-01-%02d" % rng.randint(1, 28), "2020-02-%02d" % rng.randint(1, 28), "2020-03"])
        acts[act] = {"label": act.upper(), **({"date": day} if day else {})}
        side = rng.choice(sides)
        act_sides[act] = (side, frozenset(rng.sample(sides, rng.randint(1, 3))))
    D = nx.DiGraph()
    names = sorted(acts)
    for _ in range(80):
        u, v = rng.sample(names, 2)
        D.add_edge(u, v, link=rng.choice(["responds to", "reacts to", "follows"]))
    found = [(r["first"], r["candidate"], r["lag"], r["basis"] == "follows")
             for r in chains.tit_for_tat_candidates(acts, act_sides, D, window)]
    assert found == _all_pairs_candidates(acts, act_sides, D, window)


def test_every_edge_quote_is_evidence_from_its_article(dataset, stored):
    """An edge's quote and article come from one evidence node, whichever engine ran the query."""
    from kg.namespace import KG

    pairs = {(str(q), str(a)) for ev in dataset.subjects(KG.quote, None)
             for q in dataset.objects(ev, KG.quote) for a in dataset.objects(ev, KG.inArticle)}
    for graph in (dataset, stored):
        G = networks.actor_network(graph)
        quoted = [(d["quote"], d["article"]) for _, _, d in G.edges(data=True) if "quote" in d]
        assert len(quoted) == G.number_of_edges() > 30
        assert set(quoted) <= pairs


def _networks_as_data(nets):
    return (sorted(nets.actors.nodes(data=True)), sorted((u, v, k, sorted(d.items())) for u, v, k, d in
                                                         nets.actors.edges(keys=True, data=True)),
            sorted(nets.acts.nodes(data=True)), sorted(nets.acts.edges(data=True)), dict(nets.labels),
            dict(nets.side_of), dict(nets.act_targets), nets.unplaced)


def test_a_store_too_large_to_copy_is_projected_onto_what_the_analyses_read(stored, monkeypatch):
    """Above the snapshot limit the analyses read the store on disk, six times slower than in memory (BENCHMARKS.md);
    they now copy only the quads of the predicates their queries read, and answer as on the whole store."""
    import kg.store
    from kg.dossier import dossier_lines

    whole = networks.read(stored)  # the store copied into memory, as a small store is
    assert whole.source.predicates is None
    monkeypatch.setattr(kg.store, "SNAPSHOT_LIMIT", 0)
    projected = networks.read(stored)
    full = kg.store.oxigraph_store(stored)
    assert projected.source.predicates and projected.source.full is full
    assert 0 < len(projected.source.store) < len(full)  # a part of the store: the seed's text and notes are left out
    kept = {q.predicate.value for q in projected.source.store.quads_for_pattern(None, None, None, None)}
    assert kept <= projected.source.predicates
    assert _networks_as_data(projected) == _networks_as_data(whole)
    # a query that reads more than the projection holds runs on the whole store: a dossier reads any predicate
    actor = "https://w3id.org/sanctions-kg/id/actor/chen-quanguo"
    assert dossier_lines(projected.source, [actor]) == dossier_lines(whole.source, [actor])
    assert dossier_lines(projected.source, [actor])[actor]


def test_a_projection_larger_than_its_limit_is_not_made(stored, monkeypatch):
    import kg.store

    monkeypatch.setattr(kg.store, "SNAPSHOT_LIMIT", 0)
    monkeypatch.setattr(kg.store, "PROJECTION_LIMIT", 10)
    assert networks.read(stored).source.store is kg.store.oxigraph_store(stored)  # on disk
