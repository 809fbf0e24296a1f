"""Saved queries and the query API: headers, typed parameters, rdflib-like results, and every bad input."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

import hfkg
from hfkg.errors import QueryError
from hfkg.graph import sparql
from hfkg.graph.store import load_dataset

DATA = Path(__file__).parent / "data" / "mini.trig"
FT = "https://w3id.org/hfkg/vocab/family-type/"

# Arguments for the saved queries that need some; the values are looked up in the data by _params().
REQUIRED = {"familyType", "agencyName", "regionName", "benefitType"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("q") / "store"
    load_dataset(target, DATA)
    return target


def _params(store: Path) -> dict[str, dict[str, object]]:
    """Parameter values taken from the data itself (a lead agency's name, a province, the top family type)."""
    agency = next(iter(hfkg.query(
        "PREFIX cv: <http://data.europa.eu/m8g/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?name WHERE { ?i cv:hasParticipation/cv:hasParticipant ?a . ?a skos:prefLabel ?name "
        "FILTER(lang(?name) = 'zh') } "
        "ORDER BY ?name LIMIT 1", store=store)))
    province = next(iter(hfkg.query(
        "PREFIX schema: <https://schema.org/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?name WHERE { ?r schema:containedInPlace ?p . ?p skos:prefLabel ?name FILTER(lang(?name) = 'zh') } "
        "ORDER BY ?name LIMIT 1", store=store)))
    return {
        "programs-for-family-type": {"familyType": "ft:fp-family"},
        "programs-of-agency": {"agencyName": str(agency.name)},
        "programs-in-region": {"regionName": str(province.name)},
        "benefits-by-type": {"benefitType": "bt:service"},
    }


def test_at_least_twelve_saved_queries_with_headers() -> None:
    queries = sparql.saved_queries()
    assert len(queries) >= 12
    for name, sq in queries.items():
        assert sq.title and sq.title != name, name
        assert len(sq.description) > 20, name
        assert "DISTINCT" in sq.text.upper(), f"{name} must deduplicate (DISTINCT or COUNT(DISTINCT))"
        for p in sq.params:
            assert p.description, (name, p.name)
            assert f"?{p.name}" in sq.text.split("WHERE", 1)[0], f"{name}: ?{p.name} must be projected"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample report, built by ``hfkg.build`` (which loads DIR/store)."""
    out = tmp_path_factory.mktemp("sample") / "hfkg-out"
    result = hfkg.build(out=out, validate=False)
    assert result.paths["store"] == out / "store"
    return out / "store"


# What the builder does not emit from the sample, checked below so the list cannot go stale.
NOT_IN_SAMPLE = {"reported-figures": "PREFIX hfkg: <https://w3id.org/hfkg/ont#> ASK { ?i hfkg:reportedQuantity ?q }"}


# The hand-made dataset has no similarity graph (hfkg build writes it): checked, so it cannot go stale.
NOT_IN_FIXTURE = {"similar-programs": "PREFIX hfkg: <https://w3id.org/hfkg/ont#> ASK { ?s a hfkg:Similarity }"}


def test_every_saved_query_returns_rows(store: Path) -> None:
    params = _params(store)
    for name, sq in sparql.saved_queries().items():
        needed = {p.name for p in sq.params if p.required}
        assert needed <= set(params.get(name, {})), f"test gives no value for {name}'s {needed}"
        result = hfkg.query(name, store=store, params=params.get(name))
        if name in NOT_IN_FIXTURE:
            assert not hfkg.query(NOT_IN_FIXTURE[name], store=store).askAnswer
            continue
        assert len(result) > 0, f"saved query {name} returned no rows"


def test_every_saved_query_returns_rows_on_the_sample_build(sample: Path) -> None:
    params = _params(sample)
    for name in sparql.saved_queries():
        result = hfkg.query(name, store=sample, params=params.get(name))
        if name in NOT_IN_SAMPLE:
            assert not hfkg.query(NOT_IN_SAMPLE[name], store=sample).askAnswer, f"{name}: the sample now has data"
            assert len(result) == 0
        else:
            assert len(result) > 0, f"saved query {name} returned no rows on the sample build"


def test_the_sample_build_annualises_a_monthly_amount(sample: Path) -> None:
    rows = [r for r in hfkg.query("programs-for-family-type", store=sample, params={"familyType": "ft:fp-family"})
            if str(r.frequency) == "monthly" and str(r.basis) == "per-person"]
    assert rows
    for row in rows:
        assert row.perPersonPerYear.toPython() == 12 * row.value.toPython()


def test_rows_feel_like_rdflib(store: Path) -> None:
    result = hfkg.query("programs-for-family-type", store=store, params={"familyType": "ft:special-fp"})
    assert result.type == "SELECT"
    assert [str(v) for v in result.vars][:3] == ["familyType", "region", "program"]
    rows = list(result)
    assert rows
    for row in rows:
        assert row.familyType == URIRef(FT + "special-fp")
        assert row[0] == row["familyType"] == row.familyType
        assert isinstance(row.program, Literal) and row.program.language == "zh"
        assert row.asdict()["program"] == row.program


def test_annualised_amount_is_value_times_payments_a_year(store: Path) -> None:
    rows = list(hfkg.query("programs-for-family-type", store=store, params={"familyType": "ft:fp-family"}))
    per_year = {"monthly": 12, "quarterly": 4, "annual": 1}
    checked = 0
    for row in rows:
        if row.value is None:
            continue
        if str(row.basis) == "per-person" and str(row.frequency) in per_year:
            assert row.perPersonPerYear.toPython() == row.value.toPython() * per_year[str(row.frequency)]
            checked += 1
        else:
            assert row.perPersonPerYear is None
    assert checked >= 2


def test_narrower_family_types_are_included(store: Path) -> None:
    broad = {str(r.program) for r in hfkg.query("programs-for-family-type", store=store,
                                                params={"familyType": "ft:fp-family"})}
    narrow = {str(r.program) for r in hfkg.query("programs-for-family-type", store=store,
                                                 params={"familyType": FT + "bereaved-only-child"})}
    assert narrow and narrow < broad


def test_raised_standard_percentage_follows_the_amounts(store: Path) -> None:
    for row in hfkg.query("raised-standards", store=store):
        old, new = Decimal(str(row.previous)), Decimal(str(row.current))
        assert new > old
        expected = (1000 * (new - old) / old).quantize(Decimal(1)) / 10
        assert Decimal(str(row.increasePercent)) == expected


def test_corroboration_counts_documents_through_graph(store: Path) -> None:
    rows = list(hfkg.query("corroboration", store=store))
    graphs = {str(r.program): int(r.documents) for r in rows}
    direct = list(hfkg.query(
        "PREFIX dct: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX hfkg: <https://w3id.org/hfkg/ont#> "
        "SELECT ?name (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?i dct:audience ?f } "
        "?i a hfkg:Initiative ; skos:prefLabel ?name } GROUP BY ?name", store=store))
    assert graphs == {str(r.name): int(r.n) for r in direct}
    assert max(graphs.values()) >= 2


def test_plain_count_is_not_doubled_by_the_union(store: Path) -> None:
    text = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT (COUNT(*) AS ?n) WHERE { ?s skos:prefLabel ?l FILTER(STR(?l) = ?label) }")
    name = "晨光计划"
    in_graphs = int(next(iter(hfkg.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT (COUNT(*) AS ?n) ?label WHERE { GRAPH ?g { ?s skos:prefLabel ?l FILTER(STR(?l) = ?label) } } "
        "GROUP BY ?label", store=store, params={"label": name})))[0])
    assert in_graphs == 2
    rows = list(hfkg.query(text.replace("SELECT (COUNT(*) AS ?n)", "SELECT (COUNT(*) AS ?n) ?label")
                           + " GROUP BY ?label", store=store, params={"label": name}))
    assert int(rows[0].n) == 1


def test_parameters_are_typed_terms_not_text(store: Path) -> None:
    hostile = '"} UNION { ?s ?p ?o } #'
    result = hfkg.query("programs-of-agency", store=store, params={"agencyName": hostile})
    assert len(result) == 0
    saved = sparql.saved_queries()["programs-of-agency"]
    bound = sparql.bind_params(saved, {"agencyName": hostile})
    assert bound["agencyName"].language == "zh" and bound["agencyName"].value == hostile


def test_typed_values() -> None:
    sq = sparql.parse_header("t", "# param: d decimal a\n# param: i integer b\n# param: y gYear c\n"
                                  "# param: t langString@en d\n# param: u iri e\n"
                                  "PREFIX ft: <https://w3id.org/hfkg/vocab/family-type/>\nSELECT ?d ?i ?y ?t ?u {}")
    bound = sparql.bind_params(sq, {"d": "12.50", "i": "7", "y": "2012", "t": "x", "u": "ft:rural-fp"})
    assert str(bound["d"]) == '"12.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert str(bound["i"]) == '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert str(bound["y"]).endswith("#gYear>")
    assert str(bound["t"]) == '"x"@en'
    assert bound["u"].value == FT + "rural-fp"


@pytest.mark.parametrize(("params", "message"), [
    ({}, "needs --param familyType=VALUE"),
    ({"familyType": "not an iri"}, "not a valid iri"),
    ({"familyType": "ft:x", "colour": "red"}, "has no parameter 'colour'"),
])
def test_bad_parameters(store: Path, params: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        hfkg.query("programs-for-family-type", store=store, params=params)


def test_ill_typed_number() -> None:
    sq = sparql.parse_header("t", "# param: n decimal a number\nSELECT ?n {}")
    with pytest.raises(QueryError, match="not a valid decimal"):
        sparql.bind_params(sq, {"n": "twelve"})


def test_unknown_saved_query_lists_the_names(store: Path) -> None:
    with pytest.raises(QueryError) as err:
        hfkg.query("no-such-query", store=store)
    assert "no saved query named 'no-such-query'" in err.value.message
    for name in sparql.saved_queries():
        assert name in err.value.message


def test_malformed_sparql_gives_line_and_column(store: Path) -> None:
    with pytest.raises(QueryError, match=r"malformed SPARQL at line [34], column [0-9]+: expected"):
        hfkg.query("SELECT ?s\nWHERE {\n  FILTER(?s = )\n}", store=store)


def test_service_is_refused_unless_allowed(store: Path) -> None:
    with pytest.raises(QueryError, match="SERVICE"):
        hfkg.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", store=store)
    # a variable or a prefixed name called service is not a SERVICE clause
    assert not sparql.uses_service('SELECT ?service WHERE { ?service ex:service "SERVICE" }')


def test_updates_are_refused(store: Path) -> None:
    with pytest.raises(QueryError, match="SPARQL Update"):
        hfkg.query("INSERT DATA { <http://a> <http://b> <http://c> }", store=store)


def test_query_timeout(store: Path) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"longer than 0\.2 s"):
        hfkg.query(heavy, store=store, timeout=0.2)
    assert time.monotonic() - started < 5


def test_rq_file_and_construct(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "people.rq"
    path.write_text("# title: people\nPREFIX schema: <https://schema.org/>\n"
                    "CONSTRUCT { ?p a schema:Person } WHERE { ?p a schema:Person }\n", encoding="utf-8")
    result = hfkg.query(str(path), store=store)
    assert result.type == "CONSTRUCT" and len(result.graph) >= 1
    text = sparql.format_result(result)
    assert "schema:Person" in text


def test_missing_rq_file() -> None:
    with pytest.raises(QueryError, match="cannot read the query file"):
        hfkg.query("/nonexistent/query.rq")


def test_with_values_puts_the_block_in_the_where_group() -> None:
    import pyoxigraph

    text = "SELECT ?x { ?x ?p ?o }"
    out = sparql.with_values(text, {"x": pyoxigraph.NamedNode("http://a")})
    assert out == "SELECT ?x { VALUES (?x) { (<http://a>) }  ?x ?p ?o }"
    construct = "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }"
    assert sparql.with_values(construct, {"x": pyoxigraph.NamedNode("http://a")}).startswith(
        "CONSTRUCT { ?x ?p ?o } WHERE { VALUES")


@pytest.mark.parametrize("value", ["1e999999", "NaN", "1,5", "12.5.1"])
def test_decimals_must_be_plain_decimal_numbers(value: str) -> None:
    sq = sparql.parse_header("t", "# param: x decimal an amount\nSELECT ?x {}")
    with pytest.raises(QueryError, match="not a valid decimal"):
        sparql.bind_params(sq, {"x": value})


def test_service_after_an_escaped_character_in_a_prefixed_name_is_found() -> None:
    assert sparql.uses_service("PREFIX ex: <http://e/> SELECT * { ?x ex:a\\#b ?y SERVICE <http://e/s> { ?s ?p ?o } }")
    assert not sparql.uses_service("PREFIX ex: <http://e/> SELECT * { ?x ex:a\\#b ?y }  # SERVICE")
