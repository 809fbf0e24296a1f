"""Similarity maths on small hand-made graphs, the networkx views, and the RDF write-back."""

from __future__ import annotations

import math
import random
from importlib import resources
from pathlib import Path

import pyoxigraph
import pytest

from hfkg.graph.networks import annotate, communities, program_graph, region_graph
from hfkg.graph.similarity import (
    DEFAULT_WEIGHTS,
    HIERARCHY_DECAY,
    BenefitFact,
    ProgramRecord,
    SimilarityError,
    Vocabulary,
    build_features,
    char_ngram_tfidf,
    compute_similarity,
    open_source,
    read_features,
    similarity,
    similarity_graph_iri,
    similarity_quads,
    similarity_trig,
)

DATA = Path(__file__).parent / "data" / "similarity"
SMALL = DATA / "small.trig"
ID = "https://example.org/hfkg/id/"
JIA, YI, BING, DING = (f"{ID}initiative/{n}" for n in ("jia", "yi", "bing", "ding"))


def _pairs(sim):
    return {frozenset((a.iri, b.iri)): (score, expl) for a, b, score, expl in sim.edges()}


def _score_of(sim, a, b):
    return _pairs(sim)[frozenset((a, b))][0]


def test_features_are_read_from_the_graph():
    f = read_features(SMALL)
    by_iri = {p.iri: (p, f.items[i]) for i, p in enumerate(f.programs)}
    jia, items = by_iri[JIA]
    assert (jia.name, jia.name_en, jia.region_label, jia.region_code) == ("甲市暖家计划", "Warm Home Plan", "甲市", "900100")
    assert jia.pinyin.startswith("jiǎ shì")
    assert jia.evidence == ["甲市为失独家庭每月发放扶助金并开展心理咨询"]
    ft = "https://w3id.org/hfkg/vocab/family-type/"
    # the hierarchy: the target itself at 1, its ancestors with decaying weight
    assert items[f"family:{ft}bereaved-only-child"] == 1.0
    assert items[f"family:{ft}special-fp"] == HIERARCHY_DECAY
    assert items[f"family:{ft}fp-family"] == HIERARCHY_DECAY ** 2
    assert "agency:https://w3id.org/hfkg/vocab/org-type/fp-association" in items
    assert any(k.startswith("payment:monthly|") for k in items)
    assert any(k.startswith("amount:year") for k in items)


def test_pair_sharing_everything_scores_one_and_is_explained():
    sim = similarity(SMALL, min_score=0.0)
    score, explanation = _pairs(sim)[frozenset((JIA, YI))]
    assert score == pytest.approx(1.0)
    assert explanation.startswith("shared: 失独家庭")
    for part in ("monthly cash allowance", "counselling", "lead: family planning association", "similar wording"):
        assert part in explanation
    # ancestors implied by the shared 失独家庭 are not repeated, nor is the type of the shared payment
    assert "计划生育特殊家庭" not in explanation and ", cash allowance" not in explanation


def test_pair_sharing_nothing_gets_no_edge():
    sim = similarity(SMALL, min_score=0.0, within_region=True)
    assert not any(DING in pair for pair in _pairs(sim))


def test_hierarchy_gives_a_partial_match():
    sim = similarity(SMALL, min_score=0.0)
    score = _score_of(sim, JIA, BING)
    # family vectors: 失独 (1, 1/2, 1/4 on itself, 特殊, 计划生育) against 伤残 (1, 1/2, 1/4): cosine over the shared ancestors
    d = HIERARCHY_DECAY
    cos = (d * d + d ** 4) / (1 + d * d + d ** 4)
    jia_groups = sum(w for g, w in DEFAULT_WEIGHTS.items() if g != "theme")  # 甲 has every group but themes
    expected = DEFAULT_WEIGHTS["family"] * cos / math.sqrt(DEFAULT_WEIGHTS["family"] * jia_groups)
    assert score == pytest.approx(expected, abs=1e-6)
    assert 0 < score < _score_of(sim, JIA, YI)
    i = next(k for k, (s, t) in enumerate(zip(sim.source, sim.target, strict=True))
         if {sim.features.programs[s].iri, sim.features.programs[t].iri} == {JIA, BING})
    assert set(sim.group_contributions(i)) == {"family"}
    assert sim.explanation[i] == "shared: 计划生育特殊家庭 (related)"


def _records(n: int, regions: int, seed: int = 7) -> tuple[list[ProgramRecord], Vocabulary]:
    rng = random.Random(seed)
    fts = [f"ft:{i}" for i in range(12)]
    broader = {fts[i]: {fts[i // 3]} for i in range(3, 12)}
    words = "家庭计划失独空巢扶助金服务心理慰藉关爱保险养老"
    recs = []
    for i in range(n):
        recs.append(ProgramRecord(
            f"p:{i:04d}", name=f"项目{i}", region=f"r:{rng.randrange(regions)}",
            family_types=rng.sample(fts, rng.randint(1, 2)),
            benefits=[BenefitFact(f"bt:{rng.randrange(5)}", "", rng.choice([None, 100.0, 500.0]), "pf:monthly")],
            themes=rng.sample(["th:a", "th:b", "th:c"], rng.randint(0, 1)),
            evidence=["".join(rng.choice(words) for _ in range(30))]))
    return recs, Vocabulary(broader=broader)


def test_cross_region_by_default_and_within_region_on_request():
    recs = [ProgramRecord(f"p:{i}", region=r, family_types=["ft:x"]) for i, r in enumerate("aab")]
    f = build_features(recs)
    cross = compute_similarity(f, min_score=0.1)
    assert {frozenset((a.iri, b.iri)) for a, b, _, _ in cross.edges()} == {
        frozenset(("p:0", "p:2")), frozenset(("p:1", "p:2"))}
    within = compute_similarity(f, min_score=0.1, within_region=True)
    assert frozenset(("p:0", "p:1")) in {frozenset((a.iri, b.iri)) for a, b, _, _ in within.edges()}


def test_top_k_and_threshold_limit_the_edges():
    recs, vocab = _records(120, 6)
    f = build_features(recs, vocab)
    sim = compute_similarity(f, top_k=2, min_score=0.3)
    assert len(sim) > 0 and float(sim.score.min()) >= 0.3
    # each program keeps at most its 2 best partners; an edge may come from either end
    assert len(sim) <= 2 * len(f)
    for s, t in zip(sim.source.tolist(), sim.target.tolist(), strict=True):
        assert f.programs[s].region != f.programs[t].region
    wider = compute_similarity(f, top_k=8, min_score=0.3)
    assert len(wider) > len(sim)


def test_blocking_and_projection_give_consistent_edges():
    recs, vocab = _records(300, 10)
    f = build_features(recs, vocab)
    whole = compute_similarity(f, top_k=5, min_score=0.35, block=1000)
    blocked = compute_similarity(f, top_k=5, min_score=0.35, block=7)
    assert _pairs(whole) == _pairs(blocked)
    projected = compute_similarity(f, top_k=5, min_score=0.35, exact_text_limit=0)
    exact = {pair: s for pair, (s, _) in _pairs(whole).items()}
    overlap = [pair for pair in _pairs(projected) if pair in exact]
    assert len(overlap) >= 0.8 * len(exact)
    for pair in overlap:  # kept edges are always rescored exactly
        assert _pairs(projected)[pair][0] == pytest.approx(exact[pair], abs=1e-6)


def test_char_ngram_tfidf():
    x = char_ngram_tfidf(["失独家庭扶助金", "失独家庭扶助金", "空巢老人", "老人，空巢"])
    sims = (x @ x.T).toarray()
    assert sims[0, 1] == pytest.approx(1.0)
    assert sims[0, 2] == pytest.approx(0.0)
    # punctuation breaks n-grams: "人，空" yields no n-gram, so the shared ones are 空巢 and 老人
    assert 0 < sims[2, 3] < 1


def test_networks_carry_attributes_and_aggregate_regions():
    sim = similarity(SMALL, min_score=0.05)
    g = annotate(program_graph(sim))
    assert g.number_of_nodes() == 4 and g.number_of_edges() == len(sim)
    node = g.nodes[JIA]
    assert node["family_types"] == ["失独家庭"] and node["region_label"] == "甲市"
    assert any("300" in b and "monthly" in b for b in node["benefits"])
    assert {"community", "degree", "strength", "betweenness"} <= set(node)
    edge = g.edges[JIA, YI]
    assert edge["weight"] == pytest.approx(1.0) and "失独家庭" in edge["explanation"]
    r = region_graph(g)
    a, b = f"{ID}region/A", f"{ID}region/B"
    assert r.nodes[a]["programs"] == 2 and r.edges[a, b]["pairs"] == 1
    assert r.edges[a, b]["shared"][0] == "失独家庭"
    assert communities(g) == communities(g)


def test_similarity_written_back_as_rdf_and_saved_query_finds_it():
    sim = similarity(SMALL, min_score=0.05)
    quads = similarity_quads(sim)
    graph = similarity_graph_iri("https://example.org/hfkg/")
    assert {q.graph_name.value for q in quads} == {graph}
    assert similarity_trig(sim) == similarity_trig(similarity(SMALL, min_score=0.05))
    store = pyoxigraph.Store()
    store.load(path=str(SMALL), format=pyoxigraph.RdfFormat.TRIG)
    store.extend(quads)
    text = resources.files("hfkg.ontology").joinpath("queries").joinpath("similar-programs.rq").read_text("utf-8")
    rows = list(store.query(text, use_default_graph_as_union=True,
                            substitutions={pyoxigraph.Variable("program"): pyoxigraph.NamedNode(JIA)}))
    assert [r["similarName"].value for r in rows] == ["乙市连心工程", "丙市助残计划"]
    assert float(rows[0]["score"].value) == pytest.approx(1.0)
    assert "失独家庭" in rows[0]["sharedFeatures"].value
    assert rows[0]["region"].value == "乙市"


def test_bad_input_raises_one_line_errors(tmp_path):
    with pytest.raises(SimilarityError, match="no such folder or file"):
        similarity(tmp_path / "missing")
    bad = tmp_path / "bad.trig"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(SimilarityError, match="cannot parse"):
        similarity(bad)
    with pytest.raises(SimilarityError, match="top-k"):
        compute_similarity(read_features(SMALL), top_k=0)
    with pytest.raises(SimilarityError, match="minimum score"):
        compute_similarity(read_features(SMALL), min_score=2)
    with pytest.raises(SimilarityError, match="holds no graph"):
        similarity(tmp_path)
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "CURRENT").write_text("junk\n", encoding="utf-8")
    with pytest.raises(SimilarityError, match="cannot open the store"):
        similarity(tmp_path)


def test_empty_graph_has_no_programs_and_no_edges(tmp_path):
    empty = tmp_path / "empty.trig"
    empty.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n", encoding="utf-8")
    sim = similarity(empty)
    assert len(sim.features) == 0 and len(sim) == 0
    assert b"Similarity" not in similarity_trig(sim)


def test_facts_repeated_in_many_document_graphs_are_read_once():
    """Features come from the deduplicated union: a fact said by 12 documents is one fact, not 12**k rows."""
    single = pyoxigraph.Store()
    single.bulk_load(path=str(SMALL), format=pyoxigraph.RdfFormat.TRIG)
    repeated = pyoxigraph.Store()
    triples = list(single.quads_for_pattern(None, None, None))
    repeated.bulk_extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, pyoxigraph.NamedNode(f"{ID}graph/doc{i}"))
                         for i in range(12) for q in triples)
    assert not repeated.query("ASK { ?s ?p ?o }")  # no union in the default graph: open_source makes one
    assert read_features(repeated).items == read_features(SMALL).items
    assert open_source(repeated) is not repeated
    assert sum(1 for _ in open_source(repeated).query("SELECT * { ?s ?p ?o }")) == len({q.triple for q in triples})
