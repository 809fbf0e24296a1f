"""Tests of the shipped ontology: lint, generated files in step, SKOS schemes, SHACL shapes, loaders."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, Namespace, URIRef

from hfkg.errors import OntologyError
from hfkg.ontology import family_types, ontology_graph, shapes_graph, validate, vocab_graph
from hfkg.ontology.generate import SCHEMES, family_types_turtle, namespace_source
from hfkg.ontology.namespace import (
    CPSV,
    CV,
    HFKG,
    OA,
    PF,
    PREFIXES,
    PU,
    ROLE,
    VOCAB_SLUGS,
    VQ,
    scheme_iri,
    vocab,
)
from hfkg.ontology.resources import (
    FAMILY_TYPES_TSV,
    VOCAB_BASE,
    family_type_index,
    jsonld_context,
    parse_family_types,
    read_text,
)

TTL_FILES = ("hfkg.ttl", "vocab.ttl", "family-types.ttl", "shapes.ttl")
HFKG_NS = "https://w3id.org/hfkg/ont#"
FT = Namespace(VOCAB_BASE + "family-type/")
SCHEMA = Namespace("https://schema.org/")
DCT = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ID = Namespace("https://example.org/hfkg/id/")


# ---------------------------------------------------------------- files parse


@pytest.mark.parametrize("name", TTL_FILES)
def test_turtle_parses_with_rdflib_and_pyoxigraph(name: str) -> None:
    text = read_text("ontology", name)
    g = Graph().parse(data=text, format="turtle")
    quads = list(pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(g) > 20
    assert len(quads) == len(g)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_jsonld_context_parses_and_agrees_with_prefixes() -> None:
    ctx = jsonld_context()
    for prefix, ns in ctx.items():
        assert PREFIXES[prefix] == ns, prefix
    doc = json.dumps({"@context": ctx, "@id": "ft:bereaved-only-child", "@type": "skos:Concept",
                      "skos:prefLabel": {"@value": "失独家庭", "@language": "zh"}}, ensure_ascii=False)
    g = Graph().parse(data=doc, format="json-ld")
    assert (FT["bereaved-only-child"], RDF.type, SKOS.Concept) in g
    assert (FT["bereaved-only-child"], SKOS.prefLabel, Literal("失独家庭", lang="zh")) in g
    quads = list(pyoxigraph.parse(doc.encode("utf-8"), format=pyoxigraph.RdfFormat.JSON_LD))
    assert {(q.subject.value, q.predicate.value) for q in quads} == {
        (str(FT["bereaved-only-child"]), str(RDF.type)), (str(FT["bereaved-only-child"]), str(SKOS.prefLabel))}


# ---------------------------------------------------------------- ontology lint


def _hfkg_terms(g: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted({s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(HFKG_NS)})


def _langs(g: Graph, s: URIRef, p: URIRef) -> list[str | None]:
    return sorted((o.language or "") for o in g.objects(s, p) if isinstance(o, Literal))


def test_ontology_terms_are_labelled_defined_and_aligned() -> None:
    g = ontology_graph()
    terms = _hfkg_terms(g)
    assert len(terms) >= 14
    align = (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch, SKOS.exactMatch, SKOS.relatedMatch)
    problems = []
    for t in terms:
        if _langs(g, t, RDFS.label) != ["en", "zh"]:
            problems.append(f"{t}: needs exactly one rdfs:label @zh and @en")
        if "en" not in _langs(g, t, SKOS.definition):
            problems.append(f"{t}: needs skos:definition @en")
        if not any(g.value(t, p) is not None for p in align):
            problems.append(f"{t}: not aligned to any standard term")
        if g.value(t, RDFS.isDefinedBy) != URIRef("https://w3id.org/hfkg/ont"):
            problems.append(f"{t}: rdfs:isDefinedBy missing")
        is_property = (t, RDF.type, OWL.Class) not in g
        if is_property and (g.value(t, RDFS.domain) is None or g.value(t, RDFS.range) is None):
            problems.append(f"{t}: property needs rdfs:domain and rdfs:range")
    assert problems == []


def test_minted_terms_of_the_design_are_present() -> None:
    wanted = ["Initiative", "Benefit", "SourceDocument", "ExtractionRun", "initiativeType", "partOfInitiative",
              "paymentFrequency", "perUnit", "previousAmount", "valueQualifier", "reportedQuantity", "indicator",
              "confidence", "textSha256", "Similarity", "similarityScore", "similarProgram", "sharedFeature"]
    present = {str(t)[len(HFKG_NS):] for t in _hfkg_terms(ontology_graph())}
    assert set(wanted) <= present


def test_no_two_ontology_terms_share_a_chinese_label() -> None:
    g = ontology_graph()
    seen: dict[str, URIRef] = {}
    for t in _hfkg_terms(g):
        for lab in g.objects(t, RDFS.label):
            if lab.language == "zh":
                assert str(lab) not in seen, f"{t} and {seen[str(lab)]} share {lab}"
                seen[str(lab)] = t


def test_every_concept_is_in_a_scheme_with_zh_en_and_pinyin_labels() -> None:
    g = vocab_graph()
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 100
    problems = []
    for c in sorted(concepts):
        schemes = list(g.objects(c, SKOS.inScheme))
        if len(schemes) != 1 or (schemes[0], RDF.type, SKOS.ConceptScheme) not in g:
            problems.append(f"{c}: must be in exactly one declared scheme")
            continue
        if not str(c).startswith(str(schemes[0]) + "/"):
            problems.append(f"{c}: IRI is not under its scheme {schemes[0]}")
        if _langs(g, c, SKOS.prefLabel) != ["en", "zh"]:
            problems.append(f"{c}: needs one skos:prefLabel @zh and one @en")
        if "zh-latn-pinyin" not in [lang.lower() for lang in _langs(g, c, SKOS.altLabel)]:
            problems.append(f"{c}: needs a @zh-Latn-pinyin altLabel")
        is_top = (c, SKOS.topConceptOf, schemes[0]) in g
        if is_top == (g.value(c, SKOS.broader) is not None):
            problems.append(f"{c}: top concepts have no broader, the others have one")
        if is_top != ((schemes[0], SKOS.hasTopConcept, c) in g):
            problems.append(f"{c}: skos:topConceptOf and skos:hasTopConcept disagree")
    assert problems == []


def test_chinese_preflabels_are_unique_within_each_scheme() -> None:
    g = vocab_graph()
    seen: dict[tuple[str, str], URIRef] = {}
    for c in g.subjects(RDF.type, SKOS.Concept):
        scheme = str(g.value(c, SKOS.inScheme))
        for lab in g.objects(c, SKOS.prefLabel):
            if lab.language == "zh":
                key = (scheme, str(lab))
                assert key not in seen, f"{c} and {seen[key]} share {lab}"
                seen[key] = c


def test_every_declared_scheme_is_shipped() -> None:
    g = vocab_graph()
    declared = {str(s)[len(VOCAB_BASE):] for s in g.subjects(RDF.type, SKOS.ConceptScheme)}
    assert declared == set(SCHEMES)


def test_payment_frequencies_match_the_eu_frequency_nal() -> None:
    g = vocab_graph()
    nal = "http://publications.europa.eu/resource/authority/frequency/"
    assert g.value(PF.monthly, SKOS.exactMatch) == URIRef(nal + "MONTHLY")
    assert g.value(PF.annual, SKOS.exactMatch) == URIRef(nal + "ANNUAL")
    assert g.value(PF.quarterly, SKOS.exactMatch) == URIRef(nal + "QUARTERLY")
    assert g.value(PF["one-off"], SKOS.exactMatch) is None


def test_co_lead_is_a_kind_of_lead() -> None:
    g = vocab_graph()
    assert g.value(ROLE["co-lead"], SKOS.broader) == ROLE.lead


# ---------------------------------------------------------------- generated files in step


def _vocab_sources() -> Graph:
    g = Graph().parse(data=read_text("ontology", "vocab.ttl"), format="turtle")
    return g.parse(data=read_text("ontology", "family-types.ttl"), format="turtle")


def test_family_types_ttl_is_generated_from_the_tsv() -> None:
    assert family_types_turtle(family_types()) == read_text("ontology", "family-types.ttl")


def test_namespace_module_is_in_step_with_the_turtle() -> None:
    ontology = Graph().parse(data=read_text("ontology", "hfkg.ttl"), format="turtle")
    assert namespace_source(ontology, _vocab_sources()) == read_text("ontology", "namespace.py")


def test_namespace_generation_notices_a_new_term() -> None:
    ontology = Graph().parse(data=read_text("ontology", "hfkg.ttl"), format="turtle")
    before = namespace_source(ontology, _vocab_sources())
    ontology.add((URIRef(HFKG_NS + "fundingSource"), RDF.type, OWL.ObjectProperty))
    after = namespace_source(ontology, _vocab_sources())
    assert "fundingSource: URIRef" in after and "fundingSource" not in before


def test_closed_namespaces_refuse_unknown_terms() -> None:
    assert HFKG.Initiative == URIRef(HFKG_NS + "Initiative")
    assert ROLE["co-lead"] == URIRef(VOCAB_BASE + "role/co-lead")
    assert PU["per-household"] == URIRef(VOCAB_BASE + "per-unit/per-household")
    with pytest.raises(AttributeError):
        _ = HFKG.Program
    with pytest.raises(AttributeError):
        _ = ROLE["chair"]


def test_vocab_helper_checks_slugs() -> None:
    assert vocab("family-type", "bereaved-only-child") == FT["bereaved-only-child"]
    assert vocab("role", "co-lead") == ROLE["co-lead"]
    assert scheme_iri("role") == URIRef(VOCAB_BASE + "role")
    with pytest.raises(OntologyError, match="not a concept of the family-type vocabulary"):
        vocab("family-type", "happy-family")
    with pytest.raises(OntologyError, match="unknown vocabulary scheme"):
        vocab("colour", "red")


def test_vocab_slugs_are_exactly_the_shipped_concepts() -> None:
    g = vocab_graph()
    for scheme in SCHEMES:
        concepts = {str(c) for c in g.subjects(SKOS.inScheme, URIRef(VOCAB_BASE + scheme))}
        assert {f"{VOCAB_BASE}{scheme}/{s}" for s in VOCAB_SLUGS[scheme]} == concepts


# ---------------------------------------------------------------- family types


def test_family_type_skos_carries_exactly_the_tsv() -> None:
    g = vocab_graph()
    scheme = URIRef(VOCAB_BASE + "family-type")
    generic = set(g.objects(URIRef(VOCAB_BASE + "family-type#generic"), SKOS.member))
    from_skos = {}
    for c in g.subjects(SKOS.inScheme, scheme):
        labels = {(lit.language, str(lit)) for lit in g.objects(c, SKOS.prefLabel)}
        alts = [lit for lit in g.objects(c, SKOS.altLabel)]
        broader = g.value(c, SKOS.broader)
        from_skos[str(c)[len(VOCAB_BASE + "family-type/"):]] = (
            dict(labels)["zh"], dict(labels)["en"],
            [str(a) for a in alts if a.language == "zh-latn-pinyin" or a.language == "zh-Latn-pinyin"],
            str(broader)[len(str(FT)):] if broader else None,
            sorted(str(a) for a in alts if a.language == "zh"),
            c in generic,
        )
    from_tsv = {ft.slug: (ft.zh, ft.en, [ft.pinyin], ft.broader, sorted(ft.synonyms), ft.generic)
                for ft in family_types()}
    assert from_skos == from_tsv


def test_family_types_follow_the_gold_guidelines() -> None:
    by_label = {label: ft.slug for ft in family_types() for label in ft.labels}
    by_slug = {ft.slug: ft for ft in family_types()}
    assert by_label["困难家庭"] == by_label["计生困难家庭"] == by_label["计划生育困难家庭"]
    assert by_label["计生家庭"] == by_label["计划生育家庭"]
    special = by_label["计划生育特殊家庭"]
    aliases = ("计生特殊家庭", "独生子女特殊家庭", "特殊困难计划生育家庭", "特殊困难计生家庭", "独生子女死亡和伤残家庭")
    for alias in aliases:
        assert by_label[alias] == special, alias
    assert by_label["失独家庭"] != by_label["独生子女伤残家庭"]
    assert by_slug[by_label["失独家庭"]].broader == special
    assert by_slug[by_label["独生子女伤残家庭"]].broader == special
    assert by_slug[special].broader == by_label["计划生育家庭"]
    assert {ft.zh for ft in family_types() if ft.generic} == {"城乡家庭", "农村家庭", "城镇家庭"}
    for person_group in ("独生子女", "流动人口", "青少年", "贫困母亲"):
        assert person_group not in by_label
    assert 40 <= len(family_types()) <= 60


def test_family_type_pinyin_reads_dan_qin_not_dan_qing() -> None:
    by_zh = {ft.zh: ft for ft in family_types()}
    assert by_zh["单亲家庭"].pinyin == "danqin jiating"
    assert all(ft.pinyin.isascii() or "ü" in ft.pinyin for ft in family_types())


HEADER = "slug\tzh\ten\tpinyin\tbroader\tsynonyms\tgeneric\n"


@pytest.mark.parametrize(("body", "message"), [
    ("a\t甲\tA\tjia\t\t\tno\na\t乙\tB\tyi\t\t\tno\n", "slug a appears twice"),
    ("a\t甲\tA\tjia\t\t乙\tno\nb\t乙\tB\tyi\t\t\tno\n", "label 乙 is used by both a and b"),
    ("a\t甲\tA\tjia\tz\t\tno\n", "unknown broader type z"),
    ("a\t甲\tA\tjia\tb\t\tno\nb\t乙\tB\tyi\ta\t\tno\n", "form a cycle"),
    ("A b\t甲\tA\tjia\t\t\tno\n", "must be lowercase ASCII"),
    ("a\t甲\tA\tjia\t\t\tmaybe\n", "generic must be yes or no"),
    ("a\t甲\tA\tjia\t\tno\n", "expected 7 columns"),
])
def test_bad_family_type_tsv_is_refused(body: str, message: str) -> None:
    with pytest.raises(OntologyError, match=message):
        parse_family_types(HEADER + body)


def test_family_type_tsv_header_is_checked() -> None:
    with pytest.raises(OntologyError, match="the header must be"):
        parse_family_types("slug\tname\n")


def test_family_type_label_index_covers_preferred_labels_and_synonyms() -> None:
    index = family_type_index()
    assert index["失独家庭"].slug == index["独生子女死亡家庭"].slug == "bereaved-only-child"
    assert sum(len(ft.labels) for ft in family_types()) == len(index)


def test_shipped_tsv_parses() -> None:
    assert [ft.slug for ft in parse_family_types(read_text(*FAMILY_TYPES_TSV))] == [
        ft.slug for ft in family_types()]


# ---------------------------------------------------------------- SHACL

TEXT = "2012年，甲市人口计生委联合甲市计生协启动“暖心计划”，为失独家庭父母每人每月发放200元扶助金，标准由150元提高。"
QUOTE = "每人每月发放200元"

GOOD_TTL = """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix cpsv: <http://purl.org/vocab/cpsv#> .
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix schema: <https://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix hfkg: <https://w3id.org/hfkg/ont#> .
@prefix ft: <https://w3id.org/hfkg/vocab/family-type/> .
@prefix bt: <https://w3id.org/hfkg/vocab/benefit-type/> .
@prefix role: <https://w3id.org/hfkg/vocab/role/> .
@prefix pf: <https://w3id.org/hfkg/vocab/payment-frequency/> .
@prefix pu: <https://w3id.org/hfkg/vocab/per-unit/> .
@prefix vq: <https://w3id.org/hfkg/vocab/value-qualifier/> .
@prefix ind: <https://w3id.org/hfkg/vocab/indicator/> .
@prefix al: <https://w3id.org/hfkg/vocab/admin-level/> .
@prefix it: <https://w3id.org/hfkg/vocab/initiative-type/> .
@prefix th: <https://w3id.org/hfkg/vocab/theme/> .
@prefix ot: <https://w3id.org/hfkg/vocab/org-type/> .
@prefix id: <https://example.org/hfkg/id/> .

id:ini a hfkg:Initiative ; skos:prefLabel "暖心计划"@zh ; dct:title "暖心计划"@zh ;
    hfkg:initiativeType it:programme ; cv:thematicArea th:economic-support ;
    dct:spatial id:city ; dct:temporal id:y2012 ; dct:audience ft:bereaved-only-child ;
    cv:hasCompetentAuthority id:commission ; cv:hasParticipation id:part ; cpsv:produces id:ben ;
    hfkg:partOfInitiative id:umbrella ; hfkg:reportedQuantity id:qty , id:funds .
id:umbrella a hfkg:Initiative ; skos:prefLabel "六大工程"@zh ; dct:title "六大工程"@zh ;
    dct:spatial id:city ; dct:source <https://example.org/curation> .
id:commission a org:Organization , cv:PublicOrganisation ; skos:prefLabel "甲市人口和计划生育委员会"@zh ;
    skos:altLabel "甲市人口计生委"@zh ; org:classification ot:population-fp-commission ; dct:spatial id:city .
id:assoc a org:Organization ; skos:prefLabel "甲市计划生育协会"@zh ; org:classification ot:fp-association .
id:part a cv:Participation ; cv:hasParticipant id:assoc ; cv:role role:co-lead .
id:city a schema:AdministrativeArea , dct:Location ; skos:prefLabel "甲市"@zh ; dct:type al:prefecture ;
    schema:containedInPlace id:prov ; skos:notation "990100" .
id:prov a schema:AdministrativeArea , dct:Location ; skos:prefLabel "甲省"@zh ; dct:type al:province .
id:y2012 a time:ProperInterval .
id:ben a hfkg:Benefit ; skos:prefLabel "扶助金"@zh ; dct:type bt:cash-allowance ;
    dct:audience ft:bereaved-only-child ; schema:amount id:amt .
id:amt a schema:MonetaryAmount ; schema:value 200.0 ; schema:currency "CNY" ; hfkg:paymentFrequency pf:monthly ;
    hfkg:perUnit pu:per-person ; hfkg:previousAmount id:amt0 ; dct:temporal id:y2012 .
id:amt0 a schema:MonetaryAmount ; schema:value 150.0 ; schema:currency "CNY" ; hfkg:paymentFrequency pf:monthly ;
    hfkg:perUnit pu:per-person .
id:qty a schema:QuantitativeValue ; schema:value 3600.0 ; hfkg:indicator ind:volunteers ;
    hfkg:valueQualifier vq:at-least ; schema:unitText "位志愿者"@zh ; dct:spatial id:city .
id:funds a schema:MonetaryAmount ; schema:value 16000000.0 ; schema:currency "CNY" ;
    hfkg:indicator ind:funding-total ; hfkg:valueQualifier vq:exact .
id:person a schema:Person ; skos:prefLabel "张三"@zh ; schema:jobTitle "主任"@zh ; schema:worksFor id:commission .
id:sim a hfkg:Similarity ; hfkg:similarProgram id:ini , id:umbrella ; hfkg:similarityScore 0.625 ;
    hfkg:sharedFeature ft:bereaved-only-child .
id:stmt a rdf:Statement ; rdf:subject id:ini ; rdf:predicate dct:audience ; rdf:object ft:bereaved-only-child .

id:doc a hfkg:SourceDocument ; dct:title "甲市经验材料（合成示例）"@zh ; dct:issued "2012-12-20"^^xsd:date ;
    hfkg:textSha256 "{sha}" ; nif:isString "{text}" .
id:span a oa:SpecificResource ; oa:hasSource id:doc ; oa:hasSelector id:quote , id:pos .
id:quote a oa:TextQuoteSelector ; oa:exact "{quote}" .
id:pos a oa:TextPositionSelector ; oa:start "{start}"^^xsd:nonNegativeInteger ;
    oa:end "{end}"^^xsd:nonNegativeInteger .
id:run a hfkg:ExtractionRun ; prov:wasAssociatedWith id:sw .
id:sw a prov:SoftwareAgent ; schema:softwareVersion "0.1.0" .
"""

EVIDENCED = ("ini", "ben", "amt", "part", "qty", "funds", "stmt")


def good_graph() -> Graph:
    start = TEXT.index(QUOTE)
    ttl = (GOOD_TTL.replace("{sha}", hashlib.sha256(TEXT.encode("utf-8")).hexdigest())
           .replace("{text}", TEXT).replace("{quote}", QUOTE)
           .replace("{start}", str(start)).replace("{end}", str(start + len(QUOTE))))
    g = Graph().parse(data=ttl, format="turtle")
    for name in EVIDENCED:
        ann = ID[f"ann-{name}"]
        g.add((ann, RDF.type, OA.Annotation))
        g.add((ann, OA.hasBody, ID[name]))
        g.add((ann, OA.hasTarget, ID.span))
        g.add((ann, PROV.wasGeneratedBy, ID.run))
        g.add((ann, HFKG.confidence, Literal("0.9", datatype=XSD.decimal)))
    return g


def violations(g: Graph) -> set[str]:
    return {i.message for i in validate(g).issues if i.severity == "Violation"}


def test_good_graph_conforms_without_warnings() -> None:
    result = validate(good_graph())
    assert result.conforms, result.text
    assert (result.violations, result.warnings) == (0, 0), result.text
    assert result.text.startswith("SHACL: conforms (0 violations, 0 warnings")


def test_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    ds = Dataset()
    doc_graph = ds.graph(URIRef("https://example.org/hfkg/graph/doc/1"))
    meta = ds.graph(URIRef("https://example.org/hfkg/graph/meta"))
    for s, p, o in good_graph():
        (meta if s in (ID.doc, ID.run, ID.sw, ID.city, ID.prov) else doc_graph).add((s, p, o))
    assert validate(ds).conforms
    meta.remove((ID.sw, None, None))
    assert "an extraction run must name its prov:SoftwareAgent" in violations(ds)


def test_validate_refuses_other_objects() -> None:
    with pytest.raises(OntologyError, match="give an rdflib Graph or Dataset"):
        validate("graph.ttl")


def _replace(s: URIRef, p: URIRef, o: object) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        g.set((s, p, o))  # type: ignore[arg-type]
    return edit


def _drop(s: URIRef | None, p: URIRef | None, o: object = None) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        g.remove((s, p, o))  # type: ignore[arg-type]
    return edit


def _add(s: URIRef, p: URIRef, o: object) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        g.add((s, p, o))  # type: ignore[arg-type]
    return edit


def _shift_end(g: Graph) -> None:
    end = int(g.value(ID.pos, OA.end))
    g.set((ID.pos, OA.end, Literal(end + 1, datatype=XSD.nonNegativeInteger)))


NEGATIVE = {
    "amount without currency": (_drop(ID.amt, SCHEMA.currency),
                                {"an amount needs exactly one ISO 4217 schema:currency such as \"CNY\""}),
    "quote does not match offsets": (_shift_end, {"oa:exact does not equal the text between oa:start and oa:end "
                                                  "(code points)"}),
    "previous amount with another frequency": (_replace(ID.amt0, HFKG.paymentFrequency, PF.annual),
                                               {"previous amount must use the same currency, frequency and basis"}),
    "previous amount with another basis": (_replace(ID.amt0, HFKG.perUnit, PU["per-household"]),
                                           {"previous amount must use the same currency, frequency and basis"}),
    "statement of a triple not asserted": (_drop(ID.ini, DCT.audience),
                                           {"reified statement describes a triple that is not asserted"}),
    "orphan benefit": (_drop(ID.ini, CPSV.produces),
                       {"benefit must belong to an initiative (cpsv:produces)"}),
    "software without version": (_drop(ID.sw, SCHEMA.softwareVersion),
                                 {"a software agent must state its schema:softwareVersion"}),
    "two Chinese preferred labels": (_add(ID.ini, SKOS.prefLabel, Literal("暖心工程", lang="zh")),
                                     {"needs skos:prefLabel (language-tagged, at most one per language)"}),
    "audience outside the family-type scheme": (_add(ID.ben, DCT.audience, ROLE.lead),
                                                {"dct:audience must be a concept of the family-type scheme"}),
    "similarity of one initiative": (_drop(ID.sim, HFKG.similarProgram, ID.umbrella),
                                     {"a similarity links exactly two initiatives"}),
    "bad text hash": (_replace(ID.doc, HFKG.textSha256, Literal("ABC")),
                      {"a source document needs one hfkg:textSha256 (64 lowercase hex digits)"}),
    "participation without role": (_drop(ID.part, CV.role),
                                   {"a participation needs a cv:role from the role scheme"}),
    "quantity without indicator": (_drop(ID.qty, HFKG.indicator),
                                   {"a reported quantity needs one hfkg:indicator"}),
    "annotation without run": (_drop(ID["ann-ben"], PROV.wasGeneratedBy),
                               {"an annotation must say which extraction run (or other prov:Activity) produced it"}),
    "position selector missing": (_drop(ID.span, OA.hasSelector, ID.pos),
                                  {"a span needs exactly one oa:TextPositionSelector"}),
}


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_negative_graph_fails_with_the_intended_message(case: str) -> None:
    edit, expected = NEGATIVE[case]
    g = good_graph()
    edit(g)
    result = validate(g)
    assert not result.conforms
    assert violations(g) == expected, result.text
    assert any(line.startswith("Violation: ") and msg in line
               for msg in expected for line in result.text.splitlines())


def test_quote_check_only_fires_when_the_text_is_loaded() -> None:
    g = good_graph()
    _shift_end(g)
    g.remove((ID.doc, NIF.isString, None))
    assert validate(g).conforms


def test_fact_without_evidence_is_a_warning_not_a_violation() -> None:
    g = good_graph()
    g.remove((ID["ann-qty"], None, None))
    result = validate(g)
    assert result.conforms
    assert result.violations == 0 and result.warnings == 1
    assert result.issues[0].message.startswith("fact has neither an oa:Annotation")
    assert result.issues[0].focus == f"<{ID.qty}>"


def test_shapes_are_valid_shacl() -> None:
    import pyshacl

    conforms, _g, text = pyshacl.validate(Graph(), shacl_graph=shapes_graph(), meta_shacl=True, advanced=True)
    assert conforms, text


def test_shipped_vocabularies_conform_to_the_shapes() -> None:
    result = validate(vocab_graph(), with_vocab=False)
    assert result.conforms and result.warnings == 0, result.text


def test_loaders_return_independent_copies() -> None:
    g = ontology_graph()
    g.remove((None, None, None))
    assert len(ontology_graph()) > 100
    assert (VQ["at-least"], RDF.type, SKOS.Concept) in vocab_graph()


def test_amount_range_instead_of_value_is_accepted_and_neither_is_refused() -> None:
    g = good_graph()
    g.remove((ID.amt, SCHEMA.value, None))
    g.add((ID.amt, SCHEMA.minValue, Literal("100", datatype=XSD.decimal)))
    g.add((ID.amt, SCHEMA.maxValue, Literal("200", datatype=XSD.decimal)))
    assert validate(g).conforms
    g.remove((ID.amt, SCHEMA.minValue, None))
    assert violations(g) == {"an amount needs schema:value or schema:minValue"}


def test_report_has_one_line_per_issue_even_for_multiline_values() -> None:
    g = good_graph()
    g.set((ID.quote, OA.exact, Literal("每人每月\n发放")))
    result = validate(g)
    lines = result.text.splitlines()
    assert len(lines) == 1 + len(result.issues) == 2
    assert lines[1].startswith(f"Violation: <{ID.span}>: oa:exact does not equal")
    assert lines[1].endswith('(value: "每人每月\\n发放")')


def test_dataset_description_is_checked() -> None:
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    void = Namespace("http://rdfs.org/ns/void#")
    g = good_graph()
    g.add((ID.dataset, RDF.type, dcat.Dataset))
    g.add((ID.dataset, RDF.type, void.Dataset))
    g.add((ID.dataset, DCT.title, Literal("KG", lang="en")))
    g.add((ID.dataset, void.triples, Literal(120)))
    assert validate(g).conforms
    g.set((ID.dataset, void.triples, Literal("many")))
    g.remove((ID.dataset, DCT.title, None))
    assert violations(g) == {"the dataset description needs a dct:title",
                             "void:triples is one non-negative xsd:integer"}


def test_a_dump_with_its_own_scheme_copy_is_checked_against_that_copy() -> None:
    g = good_graph()
    scheme = URIRef(VOCAB_BASE + "per-unit")
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, SKOS.prefLabel, Literal("计发单位", lang="zh")))
    g.add((PU["per-person"], RDF.type, SKOS.Concept))
    g.add((PU["per-person"], SKOS.inScheme, scheme))
    g.add((PU["per-person"], SKOS.prefLabel, Literal("per head", lang="en")))  # older wording than shipped
    assert validate(g).conforms
    g.remove((PU["per-person"], SKOS.inScheme, scheme))
    assert violations(g) == {"a concept must be in a skos:ConceptScheme"}
