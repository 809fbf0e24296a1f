"""The curation file: each kind of entry changes exactly what it says, with provenance saying so."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdf_helpers import graphs_of
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, SKOS

from hfkg.builders import build
from hfkg.builders.curation import load_curation
from hfkg.builders.ns import CV, OA, SCHEMA
from hfkg.errors import BuildError

DATA = Path(__file__).parent / "data"
RECORDS = DATA / "records"
BASE = "https://example.org/hfkg/"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return build([str(RECORDS)], out=tmp_path_factory.mktemp("base"), validate=False)


def content(result) -> Graph:  # type: ignore[no-untyped-def]
    """Union of every graph except meta, minus the description of the curation file itself."""
    g = Graph()
    for name, graph in graphs_of(result.dataset).items():
        if name != f"{BASE}graph/meta":
            g += graph
    for s in [s for s in g.subjects() if "/id/curation/" in str(s) or str(s).endswith("/id/agent/curator")]:
        g.remove((s, None, None))
    return g


def curated(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "curation.yaml"
    path.write_text(text, encoding="utf-8")
    return build([str(RECORDS)], out=tmp_path / "out", curation=path, validate=True)


def label(g: Graph, name: str) -> URIRef:
    (node,) = set(g.subjects(SKOS.prefLabel, Literal(name, lang="zh")))
    return node


def test_alias_adds_exactly_one_label(baseline, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = curated(tmp_path, "alias:\n  - {type: Agency, region: 苏州市, name: 苏州市计划生育协会, add: [苏州市计生协]}\n")
    before, after = content(baseline), content(res)
    assoc = label(after, "苏州市计划生育协会")
    source = URIRef(f"{BASE}id/curation/{load_curation(tmp_path / 'curation.yaml').sha256[:16]}")
    assert set(after - before) == {(assoc, SKOS.altLabel, Literal("苏州市计生协", lang="zh")),
                                   (assoc, DCT.source, source)}
    assert not set(before - after)
    assert (assoc, SKOS.altLabel, Literal("苏州市计生协", lang="zh")) in graphs_of(res.dataset)[f"{BASE}graph/curated"]
    assert res.conforms, res.validation.text


def test_benefit_correction_replaces_the_amount(baseline, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = curated(tmp_path, "benefits:\n  - match: {program: 暖心计划, description: 慰问金}\n    set: {amount: 1200}\n")
    before, after = content(baseline), content(res)
    values = {str(o) for o in after.objects(None, SCHEMA.value)}
    assert "1200" in values and "1000" not in values
    cg = graphs_of(res.dataset)[f"{BASE}graph/curated"]
    (amount,) = set(cg.subjects(SCHEMA.value, Literal("1200", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#decimal"))))
    assert cg.value(amount, DCT.source) is not None
    removed = set(before - after)
    # only the old amount node and its evidence went away
    old_amounts = {s for s, _, o in removed if str(o) == "1000"}
    assert len(old_amounts) == 1
    assert all(s in old_amounts or o in old_amounts or (s, RDF.type, OA.Annotation) in before
               or "/id/span/" in str(s) for s, _, o in removed)
    assert res.conforms, res.validation.text


def test_drop_removes_the_entity_and_its_evidence(baseline, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = curated(tmp_path, "drop:\n  - {type: Person, name: 李四}\n")
    before, after = content(baseline), content(res)
    person = label(before, "李四")
    assert not set(after - before)
    assert (person, None, None) not in after
    for s, _, o in before - after:
        assert person in (s, o) or (s, OA.hasBody, person) in before or "/id/span/" in str(s)


def test_rename_moves_the_name_and_keeps_the_old_one(tmp_path: Path) -> None:
    res = curated(tmp_path, "rename:\n  - {type: Program, region: 苏州市, name: 幸福家庭工程, to: 幸福家庭建设工程}\n")
    after = content(res)
    new = label(after, "幸福家庭建设工程")
    assert "/id/initiative/xing-fu-jia-ting-jian-she-gong-cheng-" in str(new)
    assert (new, SKOS.altLabel, Literal("幸福家庭工程", lang="zh")) in after
    assert not set(after.subjects(SKOS.prefLabel, Literal("幸福家庭工程", lang="zh")))
    cg = graphs_of(res.dataset)[f"{BASE}graph/curated"]
    assert (new, SKOS.prefLabel, Literal("幸福家庭建设工程", lang="zh")) in cg
    ini = label(after, "暖心计划")
    assert (ini, URIRef("https://w3id.org/hfkg/ont#partOfInitiative"), new) in after
    assert res.conforms, res.validation.text


def test_merge_makes_one_node(tmp_path: Path) -> None:
    res = curated(tmp_path, "merge:\n  - type: Agency\n    region: 苏州市\n    into: 苏州市人口和计划生育委员会\n"
                            "    from: [苏州市计划生育协会]\n")
    after = content(res)
    assert not set(after.subjects(SKOS.prefLabel, Literal("苏州市计划生育协会", lang="zh")))
    commission = label(after, "苏州市人口和计划生育委员会")
    assert (commission, SKOS.altLabel, Literal("苏州市计划生育协会", lang="zh")) in after
    participants = set(after.objects(None, CV.hasParticipant))
    assert participants == {commission}


def test_unknown_names_warn_and_build_goes_on(tmp_path: Path) -> None:
    res = build([str(RECORDS)], out=tmp_path, curation=DATA / "curation.yaml", validate=False)
    assert res.warnings == ["curation merge: no Agency ['苏州市人口计生委办公室'] -> 苏州市人口和计划生育委员会 in 苏州市 "
                            "in the extractions"]
    assert res.summary["curation_changes"] == 4
    meta = graphs_of(res.dataset)[f"{BASE}graph/meta"]
    assert str(meta.value(URIRef(f"{BASE}id/dataset/hfkg"), DCT.license)) == \
        "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.parametrize(("text", "message"), [
    ("merge: [\n", "not valid YAML"),
    ("- a\n- b\n", "top level must be a mapping"),
    ("renames: []\n", "unknown key"),
    ("drop:\n  - {type: Town, name: x}\n", "unknown type"),
    ("rename:\n  - {type: Program, name: x}\n", "missing to"),
    ("benefits:\n  - match: {description: x}\n    set: {period: weekly}\n", "period 'weekly'"),
    ("format: hfkg-curation/9\n", "expected 'hfkg-curation/1'"),
])
def test_bad_curation_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BuildError, match=message) as info:
        build([str(RECORDS)], out=tmp_path / "out", curation=path)
    assert "\n" not in info.value.message
    assert not (tmp_path / "out").exists()


def test_readme_example_is_a_valid_curation_file(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Curation file", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "readme.yaml"
    path.write_text(example, encoding="utf-8")
    cur = load_curation(path)
    assert [len(cur.merge), len(cur.rename), len(cur.drop), len(cur.alias), len(cur.benefits)] == [1, 1, 1, 1, 2]
    res = build([str(RECORDS)], out=tmp_path / "out", curation=path, validate=False)
    # only the README's benefit correction (暖心计划 / 慰问金) matches the test records; the five other
    # entries name things they do not contain, and each is reported while the build goes on
    assert res.summary["curation_changes"] == 1
    assert len(res.warnings) == 5 and all(w.startswith("curation ") for w in res.warnings)
