"""Builders: records to named graphs, IRIs, evidence, resolution across documents, curation, determinism."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from rdf_helpers import assert_isomorphic, graphs_of, union
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import ORG, PROV, RDF, SKOS, VOID, XSD

import hfkg
from hfkg.builders import build
from hfkg.builders.iri import Minter, SlugRegistry, decimal_text, entity_key, h, resolve_base
from hfkg.builders.ns import CPSV, CV, FT, HFKG, OA, SCHEMA
from hfkg.errors import BuildError, HfkgError, RecordError

RECORDS = Path(__file__).parent / "data" / "records"
BASE = "https://example.org/hfkg/"
ALPHA_TEXT = (RECORDS / "alpha.txt").read_text(encoding="utf-8")
BETA_TEXT = (RECORDS / "beta.txt").read_text(encoding="utf-8")


def doc_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("build")
    return build([str(RECORDS)], out=out, base=BASE)


def by_label(g: Graph, label: str) -> URIRef:
    found = {s for s in g.subjects(SKOS.prefLabel, Literal(label, lang="zh")) if isinstance(s, URIRef)}
    assert len(found) == 1, f"{label}: {found}"
    return found.pop()


# ----------------------------------------------------------------------------- structure


def test_build_conforms_and_counts(built) -> None:  # type: ignore[no-untyped-def]
    assert built.conforms is True, built.validation.text
    assert built.validation.warnings == 0, built.validation.text
    s = built.summary
    assert s["documents"] == 2
    assert s["entities"] == {"Agency": 2, "FamilyType": 3, "Person": 1, "Program": 2, "Region": 2}
    assert s["benefits"] == 4
    names = set(graphs_of(built.dataset))
    assert names == {f"{BASE}graph/doc/{doc_id(ALPHA_TEXT)}", f"{BASE}graph/doc/{doc_id(BETA_TEXT)}",
                     f"{BASE}graph/vocab", f"{BASE}graph/gazetteer", f"{BASE}graph/meta"}


def test_one_node_per_entity_across_documents(built) -> None:  # type: ignore[no-untyped-def]
    g = union(built.dataset)
    agency = by_label(g, "苏州市人口和计划生育委员会")
    program = by_label(g, "暖心计划")
    graphs = graphs_of(built.dataset)
    docs = [graphs[f"{BASE}graph/doc/{doc_id(t)}"] for t in (ALPHA_TEXT, BETA_TEXT)]
    for dg in docs:  # both documents assert the same nodes
        assert (agency, RDF.type, ORG.Organization) in dg
        assert (program, RDF.type, HFKG.Initiative) in dg
    # surface forms from both documents as altLabels of the one node
    assert set(g.objects(agency, SKOS.altLabel)) == {Literal("苏州市人口计生委", lang="zh")}
    assert Literal("“暖心计划”", lang="zh") in set(g.objects(program, SKOS.altLabel))
    # benefits of both documents hang off the one initiative
    assert len(set(g.objects(program, CPSV.produces))) == 2


def test_iris_ascii_deterministic_and_keyed(built) -> None:  # type: ignore[no-untyped-def]
    g = union(built.dataset)
    for term in {t for triple in g for t in triple if isinstance(t, URIRef)}:
        assert str(term).isascii(), term
    region = by_label(g, "苏州市")
    assert str(region) == f"{BASE}id/region/320500"
    assert (region, SCHEMA.containedInPlace, URIRef(f"{BASE}id/region/320000")) in g
    program = by_label(g, "暖心计划")
    key = entity_key("initiative", "暖心计划", "id/region/320500")
    assert str(program).startswith(f"{BASE}id/initiative/nuan-xin-ji-hua-")
    assert str(program).endswith("-" + h(key))
    assert (URIRef(f"{BASE}id/doc/{doc_id(ALPHA_TEXT)}"), RDF.type, HFKG.SourceDocument) in g


def test_every_annotation_quotes_the_raw_text(built) -> None:  # type: ignore[no-untyped-def]
    g = union(built.dataset)
    texts = {URIRef(f"{BASE}id/doc/{doc_id(t)}"): t for t in (ALPHA_TEXT, BETA_TEXT)}
    anns = list(g.subjects(RDF.type, OA.Annotation))
    assert len(anns) > 20
    for ann in anns:
        span = g.value(ann, OA.hasTarget)
        text = texts[g.value(span, OA.hasSource)]
        sels = list(g.objects(span, OA.hasSelector))
        pos = next(s for s in sels if (s, RDF.type, OA.TextPositionSelector) in g)
        quote = next(s for s in sels if (s, RDF.type, OA.TextQuoteSelector) in g)
        start, end = g.value(pos, OA.start), g.value(pos, OA.end)
        assert start.datatype == XSD.nonNegativeInteger
        assert str(g.value(quote, OA.exact)) == text[int(start):int(end)]
        assert (g.value(ann, PROV.wasGeneratedBy), RDF.type, HFKG.ExtractionRun) in g
    run = next(g.subjects(RDF.type, HFKG.ExtractionRun))
    software = g.value(run, PROV.wasAssociatedWith)
    assert str(g.value(software, SCHEMA.softwareVersion)) == hfkg.__version__
    assert g.value(run, PROV.startedAtTime) is None  # no clock without --stamp


def test_facts_modelled(built) -> None:  # type: ignore[no-untyped-def]
    g = union(built.dataset)
    program = by_label(g, "暖心计划")
    commission, association = by_label(g, "苏州市人口和计划生育委员会"), by_label(g, "苏州市计划生育协会")
    assert (commission, RDF.type, CV.PublicOrganisation) in g
    assert (association, RDF.type, CV.PublicOrganisation) not in g
    assert Literal("Suzhou Population and Family Planning Commission", lang="en") in set(
        g.objects(commission, SKOS.prefLabel))
    assert not [lab for lab in g.objects(program, SKOS.prefLabel) if lab.language == "en"]
    roles = {(g.value(p, CV.hasParticipant), g.value(p, CV.role)) for p in g.objects(program, CV.hasParticipation)}
    assert {str(r).rsplit("/", 1)[1] for _, r in roles} == {"lead", "partner"}
    assert (program, DCT.audience, FT["bereaved-only-child"]) in g
    assert (program, HFKG.partOfInitiative, by_label(g, "幸福家庭工程")) in g
    # the raised standard: 960 replaces 720, same frequency and basis
    amounts = {str(g.value(a, SCHEMA.value)): a for a in g.subjects(RDF.type, SCHEMA.MonetaryAmount)}
    prev = g.value(amounts["960"], HFKG.previousAmount)
    assert prev == amounts["720"]
    assert g.value(prev, HFKG.paymentFrequency) == g.value(amounts["960"], HFKG.paymentFrequency)
    assert str(g.value(amounts["1000"], HFKG.valueQualifier)).endswith("/at-least")
    assert str(g.value(amounts["200"], SCHEMA.currency)) == "CNY"
    assert g.value(amounts["200"], SCHEMA.value).datatype == XSD.decimal
    person = by_label(g, "李四")
    assert set(g.objects(person, SCHEMA.jobTitle)) == {Literal("副市长", lang="zh")}


def test_benefit_without_program_belongs_to_region_measures(built) -> None:  # type: ignore[no-untyped-def]
    g = union(built.dataset)
    benefit = by_label(g, "奖励扶助金")
    owners = list(g.subjects(CPSV.produces, benefit))
    assert len(owners) == 1
    assert (owners[0], DCT.spatial, URIRef(f"{BASE}id/region/320500")) in g
    assert g.value(owners[0], DCT.description) is not None


def test_family_types_from_vocab_and_new_ones(built) -> None:  # type: ignore[no-untyped-def]
    g = union(built.dataset)
    assert (FT["empty-nest"], SKOS.prefLabel, Literal("空巢家庭", lang="zh")) in g  # synonym 空巢老人家庭
    new = by_label(g, "失独老人困难家庭")
    assert str(new).startswith(f"{BASE}id/family-type/")
    assert (new, SKOS.inScheme, URIRef("https://w3id.org/hfkg/vocab/family-type")) in g
    assert (new, SKOS.broader, FT["fp-hardship"]) in g  # ends with 困难家庭


def test_meta_graph_describes_dataset(built) -> None:  # type: ignore[no-untyped-def]
    meta = graphs_of(built.dataset)[f"{BASE}graph/meta"]
    dataset = URIRef(f"{BASE}id/dataset/hfkg")
    subsets = set(meta.objects(dataset, VOID.subset))
    assert URIRef(f"{BASE}graph/doc/{doc_id(ALPHA_TEXT)}") in subsets
    described = Graph()
    for gi in subsets:
        described += graphs_of(built.dataset)[str(gi)]
        assert int(meta.value(gi, VOID.triples)) == len(graphs_of(built.dataset)[str(gi)])
    assert int(meta.value(dataset, VOID.triples)) == len(described)
    assert meta.value(dataset, DCT.license) is None


# ----------------------------------------------------------------------------- options


def test_base_option_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HFKG_BASE", "https://data.example.net/kg#")
    assert resolve_base(None) == "https://data.example.net/kg#"
    res = build([str(RECORDS / "beta.json")], out=tmp_path, base="http://localhost:8080/x/", validate=False)
    iris = {str(t) for q in res.dataset.quads((None, None, None, None)) for t in q[:3] if isinstance(t, URIRef)}
    assert any(i.startswith("http://localhost:8080/x/id/initiative/nuan-xin-ji-hua-") for i in iris)
    assert not any(i.startswith(BASE) for i in iris)


@pytest.mark.parametrize("bad", ["ftp://x.org/", "https://x.org/a b/", "example.org/", "https://x.org/a", "", "https://"])
def test_invalid_base(bad: str, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="invalid base IRI"):
        build([str(RECORDS / "beta.json")], out=tmp_path, base=bad)


def test_stamp_and_license(tmp_path: Path) -> None:
    res = build([str(RECORDS / "beta.json")], out=tmp_path, stamp=True, license="https://creativecommons.org/licenses/by/4.0/",
                validate=False)
    meta = graphs_of(res.dataset)[f"{BASE}graph/meta"]
    run = next(meta.subjects(RDF.type, HFKG.ExtractionRun))
    assert meta.value(run, PROV.startedAtTime).datatype == XSD.dateTime
    assert (URIRef(f"{BASE}id/dataset/hfkg"), DCT.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in meta


def test_decimal_normaliser() -> None:
    assert decimal_text(200) == decimal_text(200.0) == decimal_text("200") == "200"
    assert decimal_text(0.50) == "0.5"
    assert decimal_text(12000.0) == "12000"


def test_registry_freezes_slugs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build([str(RECORDS / "beta.json")], out=tmp_path, validate=False)
    registry = json.loads((tmp_path / "iri_registry.json").read_text(encoding="utf-8"))
    assert registry["slugs"][entity_key("initiative", "暖心计划", "id/region/320500")] == "nuan-xin-ji-hua"
    # a different pinyin library must not change IRIs already minted for this output folder ...
    monkeypatch.setattr("hfkg.builders.iri.pinyin_slug", lambda name, maxlen=40: "changed")
    again = build([str(RECORDS / "beta.json")], out=tmp_path, validate=False)
    assert_isomorphic(union(first.dataset), union(again.dataset))
    # ... while a fresh folder without the registry would mint new slugs
    fresh = build([str(RECORDS / "beta.json")], out=tmp_path / "fresh", validate=False)
    assert any("/changed-" in str(s) for s in union(fresh.dataset).subjects())


def test_update_registry_writes_committed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    committed = tmp_path / "committed.json"
    monkeypatch.setattr("hfkg.builders.iri.committed_registry_path", lambda: committed)
    build([str(RECORDS / "beta.json")], out=tmp_path / "o", update_registry=True, validate=False)
    slugs = json.loads(committed.read_text(encoding="utf-8"))["slugs"]
    assert slugs[entity_key("initiative", "幸福家庭工程", "id/region/320500")] == "xing-fu-jia-ting-gong-cheng"


def test_minter_keys_do_not_depend_on_base() -> None:
    a = Minter("https://a.org/", SlugRegistry()).entity("agent", "某局", "https://a.org/id/region/110000")
    b = Minter("https://b.org/kg/", SlugRegistry()).entity("agent", "某局", "https://b.org/kg/id/region/110000")
    assert a.removeprefix("https://a.org/") == b.removeprefix("https://b.org/kg/")


# ----------------------------------------------------------------------------- input handling


def test_json_without_text_still_builds_positions(tmp_path: Path) -> None:
    shutil.copy(RECORDS / "beta.json", tmp_path / "beta.json")
    res = build([str(tmp_path / "beta.json")], out=tmp_path / "out", validate=True)
    g = union(res.dataset)
    assert any("not found" in w for w in res.warnings)
    assert not list(g.subjects(RDF.type, OA.TextQuoteSelector))
    assert list(g.subjects(RDF.type, OA.TextPositionSelector))
    assert res.conforms is True, res.validation.text


def test_wrong_format_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "something-else/2"}), encoding="utf-8")
    with pytest.raises(RecordError, match="expected 'hfkg-extraction/1'"):
        build([str(bad)], out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_offsets_outside_text(tmp_path: Path) -> None:
    data = json.loads((RECORDS / "beta.json").read_text(encoding="utf-8"))
    data["benefits"][0]["end"] = 10_000
    (tmp_path / "beta.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shutil.copy(RECORDS / "beta.txt", tmp_path / "beta.txt")
    with pytest.raises(RecordError, match="outside the text"):
        build([str(tmp_path / "beta.json")], out=tmp_path / "out")
    assert not (tmp_path / "out" / "graph.trig").exists()


def test_output_folder_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    for out in (blocker, blocker / "sub"):
        with pytest.raises(BuildError, match=r"file|not a folder"):
            build([str(RECORDS / "beta.json")], out=out)


def test_failed_write_leaves_only_complete_files(tmp_path: Path) -> None:
    build([str(RECORDS)], out=tmp_path, validate=False)
    before = (tmp_path / "graph.trig").read_bytes()
    (tmp_path / "graph.ttl").unlink()
    (tmp_path / "graph.ttl").mkdir()  # the rename onto it will fail
    with pytest.raises(HfkgError, match=r"cannot write .*graph\.ttl"):
        build([str(RECORDS / "beta.json")], out=tmp_path, validate=False)
    # every file is complete (the old or the new dump, never a part of one), and no temporary file is left
    assert not list(tmp_path.rglob(".*.tmp"))
    after = (tmp_path / "graph.trig").read_bytes()
    assert after != before  # the new TriG was complete and renamed into place before graph.ttl failed
    assert len(Dataset().parse(data=after.decode("utf-8"), format="trig")) > 0


def test_two_builds_identical(tmp_path: Path) -> None:
    build([str(RECORDS)], out=tmp_path / "a", validate=False)
    build([str(RECORDS)], out=tmp_path / "b", validate=False)
    for name in ("graph.trig", "graph.ttl", "iri_registry.json", "extractions/alpha.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_rebuild_from_extractions_folder(tmp_path: Path) -> None:
    first = build([str(RECORDS)], out=tmp_path / "a", validate=False)
    second = build([str(tmp_path / "a" / "extractions")], out=tmp_path / "b", validate=False)
    assert (tmp_path / "a" / "graph.trig").read_bytes() == (tmp_path / "b" / "graph.trig").read_bytes()
    assert first.summary == second.summary


def test_committed_registry_is_well_formed() -> None:
    from hfkg.builders.iri import committed_registry_path

    data = json.loads(committed_registry_path().read_text(encoding="utf-8"))
    assert data["format"] == "hfkg-iri-registry/1"
    for key, slug in data["slugs"].items():
        assert len(key.split("\x1f")) == 3, key
        assert slug.isascii() and len(slug) <= 40 and all(p.isalnum() for p in slug.split("-")), slug


def test_committed_registry_protects_registered_iris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A different pinyin library changes no IRI whose key the committed registry holds."""
    monkeypatch.setattr("hfkg.builders.POST_BUILD", [])
    committed = tmp_path / "committed.json"
    committed.write_text('{"format": "hfkg-iri-registry/1", "slugs": {}}\n', encoding="utf-8")
    monkeypatch.setattr("hfkg.builders.iri.committed_registry_path", lambda: committed)
    normal = union(build(None, out=tmp_path / "a", validate=False, update_registry=True).dataset)
    assert json.loads(committed.read_text(encoding="utf-8"))["slugs"]
    monkeypatch.setattr("hfkg.builders.iri.pinyin_slug", lambda name, maxlen=40: "changed")
    patched = union(build(None, out=tmp_path / "b", validate=False).dataset)
    local = json.loads((tmp_path / "b" / "iri_registry.json").read_text(encoding="utf-8"))["slugs"]
    changed = {s for s in patched.subjects() if "/changed-" in str(s)}
    assert len(changed) == len(local)  # only keys the committed registry does not know got the new slug
    kept = {s for s in normal.subjects() if isinstance(s, URIRef)} & {s for s in patched.subjects()}
    assert len({s for s in kept if "/id/agent/" in str(s) or "/id/initiative/" in str(s)}) >= 10


def test_relations_to_unknown_entities_are_reported(tmp_path: Path) -> None:
    data = json.loads((RECORDS / "beta.json").read_text(encoding="utf-8"))
    data["relations"].append({"type": "leads", "subject": "某不存在的局", "object": "暖心计划"})
    (tmp_path / "beta.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shutil.copy(RECORDS / "beta.txt", tmp_path / "beta.txt")
    res = build([str(tmp_path / "beta.json")], out=tmp_path / "out", validate=False)
    assert any("1 relation(s) name entities the record does not define" in w and "某不存在的局" in w
               for w in res.warnings), res.warnings
    assert res.summary["relations"] == 2


def test_same_benefit_in_two_regions_is_two_nodes(tmp_path: Path) -> None:
    data = json.loads((RECORDS / "beta.json").read_text(encoding="utf-8"))
    other = {**data["benefits"][0], "region": "姑苏区", "amount": 1500}
    data["benefits"].append(other)
    (tmp_path / "beta.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shutil.copy(RECORDS / "beta.txt", tmp_path / "beta.txt")
    res = build([str(tmp_path / "beta.json")], out=tmp_path / "out")
    g = union(res.dataset)
    benefits = set(g.subjects(SKOS.prefLabel, Literal("慰问金", lang="zh")))
    assert len(benefits) == 2
    spatial = {b: g.value(b, DCT.spatial) for b in benefits}
    assert sorted(str(v) for v in spatial.values() if v is not None) == [f"{BASE}id/region/320508"]
    assert all(len(set(g.objects(b, SCHEMA.amount))) == 1 for b in benefits)
    assert res.conforms, res.validation.text
