"""The actor, side and act networks: the real graph matches the articles, the side rule holds on a hand-made graph."""

from __future__ import annotations

import pytest

from kg.analysis import networks

ID = "https://w3id.org/sanctions-kg/id/"


@pytest.fixture(scope="module")
def nets(dataset):
    return networks.read(dataset)


@pytest.fixture(scope="module")
def G(nets):
    return nets.actors


def test_sanction_edges_one_per_named_target(G):
    edges = [(u, v) for u, v, d in G.edges(data=True) if d["act"] == ID + "act/cn-2021-03-counter-sanction"]
    # Nine targets named in the article (five MEPs, Zenz, Jerden, MERICS, the Danish organisation).
    assert len(edges) == 9 and {u for u, _ in edges} == {ID + "actor/china"}


def test_counted_targets_are_weight_not_nodes(G):
    # Canada: eight officials in 2024 (two named) and four in 2021 (three named): 6 + 1 unnamed.
    assert G.nodes[ID + "actor/canada"]["unnamed_targets"] == 7
    # The US: 24 officials over Hong Kong, none named.
    assert G.nodes[ID + "actor/united-states"]["unnamed_targets"] == 24
    assert not any("unnamed" in n or "official" in n for n in G)


def test_layers_declared_once(G):
    assert {d["layer"] for _, _, d in G.edges(data=True)} == {layer.name for layer in networks.EDGE_LAYERS}


def test_threat_is_a_retaliation_edge_from_china_to_canada(G):
    found = [(u, v) for u, v, d in G.edges(data=True) if d["layer"] == "retaliation"]
    assert found == [(ID + "actor/china", ID + "actor/canada")]


def test_sides_roll_every_actor_up_the_same_way(nets):
    side_of = nets.side_of
    eu, cn = ID + "actor/european-union", ID + "actor/china"
    assert side_of[ID + "actor/reinhard-butikofer"] == eu  # MEP -> Parliament -> EU
    # Germany's institute and Germany itself count for the EU, as the MEPs do (curated memberships)
    for actor in ("mercator-institute-for-china-studies", "germany", "denmark", "sweden", "bjorn-jerden"):
        assert side_of[ID + "actor/" + actor] == eu, actor
    assert side_of[ID + "actor/zhu-hailun"] == cn  # post in the XUAR People's Congress
    assert nets.unplaced == (ID + "actor/adrian-zenz",)  # the article gives no affiliation for Zenz
    assert ID + "actor/adrian-zenz" not in nets.sides  # and he is no side
    assert set(nets.sides) <= set(side_of.values())


HAND = """
@prefix kg: <https://w3id.org/sanctions-kg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix a: <https://w3id.org/sanctions-kg/id/actor/> .
@prefix post: <https://w3id.org/sanctions-kg/id/post/> .

a:p a kg:Person ; rdfs:label "P, a member of the bloc's legislature" .
post:p a kg:Post ; org:member a:p ; org:organization a:b .
a:b a kg:Legislature ; rdfs:label "B, the bloc's legislature" ; org:subOrganizationOf a:k .
a:k a kg:Bloc ; rdfs:label "K, a bloc" .
a:s a kg:State ; rdfs:label "S, a member state of K" ; org:memberOf a:k .
a:o a kg:ThinkTank ; rdfs:label "O, based in S" ; kg:basedIn a:s .
a:t a kg:State ; rdfs:label "T, a state in no bloc" .
a:q a kg:Person ; rdfs:label "Q, national of T, affiliated with U" ; kg:nationality a:t ; kg:affiliatedWith a:u .
a:u a kg:Bloc ; rdfs:label "U, another bloc" .
a:z a kg:Person ; rdfs:label "Z, linked to nothing" .
"""


def _hand_dataset(engine: str):
    from rdflib import Dataset, URIRef

    from kg.paths import ontology_dir

    if engine == "oxigraph":
        from oxrdflib import OxigraphStore

        ds = Dataset(store=OxigraphStore(), default_union=True)
    else:
        ds = Dataset(default_union=True)
    ds.graph(URIRef("urn:x:ontology")).parse(ontology_dir() / "sanctions.ttl")
    ds.graph(URIRef("urn:x:hand")).parse(data=HAND, format="turtle")
    return ds


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_side_rule_on_a_hand_made_graph(engine):
    side_of, unplaced = networks.sides(_hand_dataset(engine))
    a = ID + "actor/"
    # Worked out by hand from the rule: follow the links as far as they go.
    assert side_of == {
        a + "p": a + "k",  # post -> B -> sub-organisation of K
        a + "b": a + "k",
        a + "k": a + "k",  # a bloc with no link further is its own side
        a + "s": a + "k",  # a member state counts for its bloc, as the bloc's own bodies do
        a + "o": a + "k",  # based in S, a member of K
        a + "t": a + "t",  # a state in no bloc is its own side
        a + "q": a + "t",  # two outermost sides (T and U): the first by IRI
        a + "u": a + "u",
    }
    assert unplaced == [a + "z"]


def test_the_rule_the_report_prints_is_the_rule_the_query_runs():
    from kg.paths import queries_dir

    text = (queries_dir() / "sides.rq").read_text()
    for link in ("affiliation", "nationality", "base", "sub-organisation", "post", "membership"):
        assert link in networks.SIDE_RULE, link
    for prop in ("kg:affiliatedWith", "kg:nationality", "kg:basedIn", "org:subOrganizationOf",
                 "^org:member/org:organization", "org:memberOf"):
        assert prop in text, prop


def test_networks_follow_a_changed_graph():
    """Regression: sides were cached per store, so a graph changed in place kept its old sides."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS

    from kg.namespace import KG

    ds = _hand_dataset("oxigraph")
    z = URIRef(ID + "actor/z")
    assert z not in networks.read(ds).side_of
    ds.graph(URIRef("urn:x:hand")).add((z, KG.nationality, URIRef(ID + "actor/t")))
    ds.graph(URIRef("urn:x:hand")).add((z, RDFS.comment, Literal("now a national of T")))
    assert networks.read(ds).side_of[str(z)] == ID + "actor/t"


def test_read_runs_each_query_once(dataset, monkeypatch):
    """One pass: every catalogue query the analyses need is run once, whatever reads the networks."""
    from kg.analysis import chain_analysis, centrality

    runs = []
    original = networks._rows

    def counting(graph, query):
        runs.append(query)
        return original(graph, query)

    monkeypatch.setattr(networks, "_rows", counting)
    nets = networks.read(dataset)
    chain_analysis(nets)
    centrality.centrality_table(nets.actors, side_of=nets.side_of)
    assert sorted(runs) == sorted(set(runs))
    assert set(runs) == {"actor-labels", "sides", "acts", "edges-respond", "act-targets", "edges-link",
                         *(layer.query for layer in networks.EDGE_LAYERS)}


def test_act_network_links(nets):
    D = nets.acts
    assert D.edges[ID + "act/cn-2021-03-counter-sanction", ID + "act/eu-2021-03-sanction"]["link"] == "responds to"
    assert D.edges[ID + "act/china-arrests-two-canadians-2018", ID + "act/meng-wanzhou-detention-2018"]["link"] == "follows"
    assert D.nodes[ID + "act/ca-2024-12-sanction"]["when"] == "2024-12-10"
    assert D.nodes[ID + "act/ca-2024-12-sanction"]["side"] == ID + "actor/canada"
    assert D.nodes[ID + "act/blinken-praises-eu-sanctions-2021-03"]["stance"].endswith("/Praise")


def test_every_query_that_rolls_actors_up_uses_the_one_rule():
    """One definition of a side: a catalogue query that rolls actors up to sides follows the links of
    sides.rq (memberships included) and keeps only the outermost state or bloc, as sides.rq does."""
    import re

    from kg.paths import queries_dir

    links = re.compile(r"\(([^()]*\^org:member/org:organization[^()]*)\)[*+]")
    rule = links.search((queries_dir() / "sides.rq").read_text()).group(1)
    for path in sorted(queries_dir().glob("*.rq")):
        text = path.read_text()
        for found in links.findall(text):
            assert found == rule, f"{path.name} rolls actors up along other links than sides.rq"
        if links.search(text):
            assert re.search(r"\(" + re.escape(rule) + r"\)\+", text), f"{path.name} does not keep the outermost side"
