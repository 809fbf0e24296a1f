"""Program similarity: features read from the graph, scored with matrix products, explained per edge.

Every program (``hfkg:Initiative``) gets one sparse vector per feature group:

* ``family``  target family types, expanded to their SKOS ancestors with decaying weight,
  so 失独家庭 partly matches 计划生育特殊家庭;
* ``benefit`` benefit types (cash, insurance, counselling, care ...), expanded the same way;
* ``payment`` benefit type x payment frequency ("monthly cash allowance");
* ``amount``  annualised amount band (log2 bands, half weight to the neighbouring bands);
* ``agency``  the kind (``org:classification``) of the lead agencies;
* ``theme``   thematic areas, expanded to their ancestors;
* ``text``    character 2-3-gram TF-IDF of the evidence sentences.

The score of a pair is ``sum_g w_g cos_g / sqrt(A_i A_j)``, where ``A_i`` is the total
weight of the groups program *i* has: the cosine of the concatenated group vectors, each
group block scaled to length ``sqrt(w_g)``.  A pair sharing everything scores 1, a pair
sharing nothing 0, and a group only one program has lowers the score.  Per-group
contributions are kept with each edge, and the shared features become its explanation.
Candidates come from dense row-block matrix products (no Python loop over pairs); top-k
neighbours per program plus a threshold make the edges, whose scores are then recomputed
exactly.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hfkg.errors import HfkgError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyoxigraph
    import scipy.sparse as sp

GROUPS: tuple[str, ...] = ("family", "benefit", "payment", "amount", "agency", "theme", "text")
DEFAULT_WEIGHTS: dict[str, float] = {
    "family": 3.0, "benefit": 2.0, "payment": 1.5, "amount": 1.0, "agency": 1.0, "theme": 1.0, "text": 1.5,
}
HIERARCHY_DECAY = 0.5
EXACT_TEXT_LIMIT = 4000
PROJECTION_DIM = 64
LEAD_ROLES = frozenset({"lead", "co-lead", "competent-authority", ""})
_FREQ_PER_YEAR = {"monthly": 12.0, "quarterly": 4.0, "annual": 1.0, "yearly": 1.0, "semi-annual": 2.0,
                  "weekly": 52.0, "daily": 365.0}
_ONE_OFF = {"one-off", "once", "lump-sum"}


class SimilarityError(HfkgError):
    """The graph cannot be read for similarity, or the options are out of range."""

    hint = "build the graph first (hfkg build) and pass its folder, a .trig file or a store"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class BenefitFact:
    """One benefit of a program: its type concept, label and (optional) amount."""

    type: str = ""
    label: str = ""
    value: float | None = None
    frequency: str = ""
    unit: str = ""


@dataclass
class ProgramRecord:
    """What the graph says about one program, before it becomes a feature vector."""

    iri: str
    name: str = ""
    name_en: str = ""
    pinyin: str = ""
    region: str = ""
    region_label: str = ""
    region_code: str = ""
    family_types: list[str] = field(default_factory=list)
    benefits: list[BenefitFact] = field(default_factory=list)
    agencies: list[tuple[str, str]] = field(default_factory=list)  # (org kind concept, role slug)
    themes: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


@dataclass
class Vocabulary:
    """Labels (by language) and broader links of the SKOS concepts the features use."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    broader: dict[str, set[str]] = field(default_factory=dict)

    def label(self, concept: str, prefer: Sequence[str] = ("zh", "en")) -> str:
        """The concept's label in the first preferred language it has, else its IRI's local name."""
        by_lang = self.labels.get(concept, {})
        for lang in prefer:
            if by_lang.get(lang):
                return by_lang[lang]
        if by_lang:
            return by_lang[min(by_lang)]
        return local_name(concept)

    def ancestors(self, concept: str) -> dict[str, int]:
        """Every broader concept with its shortest distance (the concept itself at 0)."""
        depth = {concept: 0}
        frontier = [concept]
        while frontier:
            nxt = []
            for c in frontier:
                for b in sorted(self.broader.get(c, ())):
                    if b not in depth:
                        depth[b] = depth[c] + 1
                        nxt.append(b)
            frontier = nxt
        return depth


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``/`` or ``#``."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass
class Features:
    """Programs and their weighted feature keys (``group:id``), ready to become matrices."""

    programs: list[ProgramRecord]
    items: list[dict[str, float]]
    texts: list[str]
    labels: dict[str, str]
    parents: dict[str, frozenset[str]]

    def __len__(self) -> int:
        return len(self.programs)


# --------------------------------------------------------------------------- records -> features


def build_features(records: Iterable[ProgramRecord], vocab: Vocabulary | None = None) -> Features:
    """Turn program records into weighted feature keys; programs are ordered by IRI."""
    vocab = vocab or Vocabulary()
    programs = sorted(records, key=lambda r: r.iri)
    labels: dict[str, str] = {}
    parents: dict[str, frozenset[str]] = {}
    items = [_program_items(p, vocab, labels, parents) for p in programs]
    texts = ["\n".join(sorted(set(p.evidence))) for p in programs]
    return Features(programs, items, texts, labels, parents)


def _expand(group: str, concept: str, vocab: Vocabulary, out: dict[str, float], labels: dict[str, str],
            parents: dict[str, frozenset[str]], prefer: Sequence[str]) -> None:
    """Add a concept and its ancestors (weight ``decay ** depth``) under ``group``."""
    depth = vocab.ancestors(concept)
    for c, d in depth.items():
        key = f"{group}:{c}"
        out[key] = max(out.get(key, 0.0), HIERARCHY_DECAY ** d)
        labels.setdefault(key, vocab.label(c, prefer))
        parents.setdefault(key, frozenset(f"{group}:{a}" for a in vocab.ancestors(c) if a != c))


def _program_items(p: ProgramRecord, vocab: Vocabulary, labels: dict[str, str],
                   parents: dict[str, frozenset[str]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for ft in sorted(set(p.family_types)):
        _expand("family", ft, vocab, out, labels, parents, ("zh", "en"))
    for th in sorted(set(p.themes)):
        _expand("theme", th, vocab, out, labels, parents, ("en", "zh"))
    for b in p.benefits:
        if b.type:
            _expand("benefit", b.type, vocab, out, labels, parents, ("en", "zh"))
        _amount_items(b, vocab, out, labels)
    leads = [kind for kind, role in p.agencies if kind and role in LEAD_ROLES]
    for kind in sorted(set(leads or [k for k, _ in p.agencies if k])):
        key = f"agency:{kind}"
        out[key] = 1.0
        labels.setdefault(key, "lead: " + vocab.label(kind, ("en", "zh")))
    return out


def _amount_items(b: BenefitFact, vocab: Vocabulary, out: dict[str, float], labels: dict[str, str]) -> None:
    freq = local_name(b.frequency) if b.frequency else ""
    if b.type and freq:
        key = f"payment:{freq}|{b.type}"
        out[key] = 1.0
        labels.setdefault(key, f"{vocab.label(b.frequency, ('en', 'zh'))} {vocab.label(b.type, ('en', 'zh'))}")
    if b.value is None or b.value <= 0:
        return
    if freq in _ONE_OFF:
        prefix, annual = "once", b.value
    elif freq in _FREQ_PER_YEAR:
        prefix, annual = "year", b.value * _FREQ_PER_YEAR[freq]
    else:
        return
    band = math.floor(math.log2(annual))
    for delta, w in ((0, 1.0), (-1, 0.5), (1, 0.5)):
        key = f"amount:{prefix}{band + delta}"
        out[key] = max(out.get(key, 0.0), w)
        lo, hi = 2 ** (band + delta), 2 ** (band + delta + 1)
        span = "a year" if prefix == "year" else "one-off"
        labels.setdefault(key, f"¥{lo:,}–{hi:,} {span}")


# --------------------------------------------------------------------------- reading the graph


@cache
def _query_text(name: str) -> str:
    return resources.files("hfkg.graph").joinpath("queries").joinpath(name).read_text(encoding="utf-8")


def open_source(source: Any) -> pyoxigraph.Store:
    """A store whose default graph is the deduplicated union of ``source``'s graphs.

    ``source`` is a Store, an rdflib Graph/Dataset, a build folder or an RDF file.  The features are read
    from the default graph only: with pyoxigraph's union default graph a triple held by k document graphs
    counts k times, and a join of four such patterns multiplies into k**4 rows (minutes at 100 documents).
    An hfkg store already keeps that union in its default graph (see :mod:`hfkg.graph.store`).
    """
    import pyoxigraph

    if isinstance(source, pyoxigraph.Store):
        from hfkg.graph.store import has_union

        return source if has_union(source) or not any(True for _ in source.named_graphs()) else _union_store(
            source.quads_for_pattern(None, None, None))
    if hasattr(source, "serialize") and hasattr(source, "triples"):
        return _store_from_rdflib(source)
    path = Path(os.fspath(source))
    if not path.exists():
        raise SimilarityError(f"{path}: no such folder or file")
    if path.is_dir():
        for name in ("graph.trig", "graph.nq", "graph.ttl"):
            if (path / name).is_file():
                return open_source(path / name)
        if (path / "store").is_dir():
            try:
                return open_source(pyoxigraph.Store.read_only(str(path / "store")))
            except (OSError, RuntimeError, ValueError) as exc:
                raise SimilarityError(f"cannot open the store in {path}: {exc}") from None
        raise SimilarityError(f"{path} holds no graph.trig, graph.ttl or store/")
    fmt = {".trig": pyoxigraph.RdfFormat.TRIG, ".nq": pyoxigraph.RdfFormat.N_QUADS,
           ".ttl": pyoxigraph.RdfFormat.TURTLE, ".nt": pyoxigraph.RdfFormat.N_TRIPLES}.get(path.suffix.lower())
    if fmt is None:
        raise SimilarityError(f"cannot read {path}: expected a .trig, .nq, .ttl or .nt file or a build folder")
    try:
        if fmt in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.N_TRIPLES):  # triples: parsed by Oxigraph alone
            store = pyoxigraph.Store()
            store.bulk_load(path=str(path), format=fmt)
            return store
        return _union_store(pyoxigraph.parse(path=str(path), format=fmt))
    except (SyntaxError, ValueError, OSError) as exc:
        raise SimilarityError(f"cannot parse {path}: {str(exc).splitlines()[0]}") from None


def _union_store(quads: Iterable[Any]) -> pyoxigraph.Store:
    """An in-memory store holding the triples of ``quads`` (pyoxigraph quads or triples) once, in its default graph."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_extend(pyoxigraph.Quad(q.subject, q.predicate, q.object) for q in quads)
    return store


def _store_from_rdflib(graph: Any) -> pyoxigraph.Store:
    import pyoxigraph

    is_dataset = hasattr(graph, "graphs") and hasattr(graph, "quads")
    data = graph.serialize(format="nquads" if is_dataset else "nt", encoding="utf-8")
    fmt = pyoxigraph.RdfFormat.N_QUADS if is_dataset else pyoxigraph.RdfFormat.N_TRIPLES
    return _union_store(pyoxigraph.parse(data, format=fmt))


def _select(store: pyoxigraph.Store, name: str) -> Iterable[Any]:
    return store.query(_query_text(name))


def _val(term: Any) -> str:
    return "" if term is None else str(term.value)


def _lang(term: Any) -> str:
    return (getattr(term, "language", None) or "").lower()


def read_records(source: Any) -> tuple[list[ProgramRecord], Vocabulary]:
    """Read every program and the SKOS concepts from ``source`` (see :func:`open_source`)."""
    store = open_source(source)
    records = _read_programs(store)
    _read_facts(store, records)
    return [records[k] for k in sorted(records)], _read_vocabulary(store)


_NAME_RANK = {"http://www.w3.org/2004/02/skos/core#prefLabel": 0, "http://purl.org/dc/terms/title": 1}


def _read_programs(store: pyoxigraph.Store) -> dict[str, ProgramRecord]:
    names: dict[str, dict[str, tuple[int, str]]] = {}
    region_rank: dict[str, tuple[int, str]] = {}
    records: dict[str, ProgramRecord] = {}
    for row in _select(store, "programs.rq"):
        iri = _val(row["program"])
        rec = records.setdefault(iri, ProgramRecord(iri))
        if row["name"] is not None:
            lang = _lang(row["name"])
            slot = "pinyin" if "latn" in lang else ("en" if lang.startswith("en") else "zh")
            cand = (_NAME_RANK.get(_val(row["nameProp"]), 2), _val(row["name"]))
            cur = names.setdefault(iri, {})
            if slot not in cur or cand < cur[slot]:
                cur[slot] = cand
        if row["region"] is not None and (not rec.region or _val(row["region"]) < rec.region):
            rec.region, rec.region_label, rec.region_code = _val(row["region"]), "", ""
            region_rank.pop(iri, None)
        if rec.region == _val(row["region"]):
            label = _val(row["regionLabel"])
            if label:
                cand = (_label_rank(_lang(row["regionLabel"])), label)
                if region_rank.get(iri) is None or cand < region_rank[iri]:
                    region_rank[iri] = cand
                    rec.region_label = label
            rec.region_code = max(rec.region_code, _val(row["regionCode"]))
    for iri, rec in records.items():
        cur = names.get(iri, {})
        rec.name = cur.get("zh", (0, ""))[1] or cur.get("en", (0, ""))[1] or local_name(iri)
        rec.name_en = cur.get("en", (0, ""))[1]
        rec.pinyin = cur.get("pinyin", (0, ""))[1] or to_pinyin(rec.name)
    return records


def _label_rank(lang: str) -> int:
    """Chinese in Han characters first, then English, then anything else (pinyin last)."""
    if lang.startswith("zh") and "latn" not in lang:
        return 0
    if lang.startswith("en"):
        return 1
    return 3 if "latn" in lang else 2


def _read_facts(store: pyoxigraph.Store, records: dict[str, ProgramRecord]) -> None:
    benefits: dict[str, dict[str, BenefitFact]] = {}
    for row in _select(store, "features.rq"):
        rec = records.get(_val(row["program"]))
        if rec is None:
            continue
        kind, a = _val(row["kind"]), _val(row["a"])
        if kind == "audience":
            rec.family_types.append(a)
        elif kind == "theme":
            rec.themes.append(a)
        elif kind == "agency":
            rec.agencies.append((_val(row["b"]), local_name(_val(row["c"]))))
        elif kind == "evidence":
            rec.evidence.append(a)
        elif kind == "benefit":
            value = _number(row["c"])
            fact = BenefitFact(_val(row["b"]), _val(row["f"]), value, _val(row["d"]), _val(row["e"]))
            benefits.setdefault(rec.iri, {})[f"{a}\x1f{fact}"] = fact
    for iri, facts in benefits.items():
        records[iri].benefits = [facts[k] for k in sorted(facts)]
    for rec in records.values():
        rec.family_types = sorted(set(rec.family_types))
        rec.themes = sorted(set(rec.themes))
        rec.agencies = sorted(set(rec.agencies))
        rec.evidence = sorted(set(rec.evidence))


def _number(term: Any) -> float | None:
    if term is None:
        return None
    try:
        return float(term.value)
    except ValueError:
        return None


def _read_vocabulary(store: pyoxigraph.Store) -> Vocabulary:
    vocab = Vocabulary()
    for row in _select(store, "concepts.rq"):
        concept = _val(row["concept"])
        if row["label"] is not None:
            lang = _lang(row["label"]).split("-")[0] if "latn" not in _lang(row["label"]) else "pinyin"
            cur = vocab.labels.setdefault(concept, {})
            text = _val(row["label"])
            if lang not in cur or text < cur[lang]:
                cur[lang] = text
        if row["broader"] is not None:
            vocab.broader.setdefault(concept, set()).add(_val(row["broader"]))
    return vocab


def to_pinyin(text: str) -> str:
    """Tone-marked pinyin of the Han characters in ``text`` (other characters kept), for display only."""
    from pypinyin import Style, lazy_pinyin

    return " ".join(s for s in lazy_pinyin(text, style=Style.TONE) if s.strip())


def read_features(source: Any) -> Features:
    """Features of every program in ``source`` (a build folder, RDF file, Store, or rdflib graph)."""
    records, vocab = read_records(source)
    return build_features(records, vocab)


# --------------------------------------------------------------------------- matrices


@dataclass
class _Matrices:
    structured: sp.csr_matrix  # n x d, each group block L2-normalised and scaled by sqrt(w_g)
    raw: sp.csr_matrix         # n x d, the unscaled feature weights (1.0 = stated directly)
    columns: list[str]
    col_group: np.ndarray      # d, group index of each column
    text: sp.csr_matrix        # n x m, L2-normalised TF-IDF
    presence: np.ndarray       # n x G float32, 1 where the program has the group
    weights: np.ndarray        # G


def _matrices(features: Features, weights: dict[str, float]) -> _Matrices:
    import numpy as np
    import scipy.sparse as sp

    n = len(features)
    columns = sorted({k for it in features.items for k in it})
    col_index = {c: i for i, c in enumerate(columns)}
    group_index = {g: i for i, g in enumerate(GROUPS)}
    col_group = np.array([group_index[c.split(":", 1)[0]] for c in columns], dtype=np.int64)
    rows, cols, vals = [], [], []
    for r, it in enumerate(features.items):
        for k in sorted(it):
            rows.append(r)
            cols.append(col_index[k])
            vals.append(it[k])
    raw = sp.csr_matrix((np.array(vals, dtype=np.float64), (rows, cols)), shape=(n, len(columns)))
    wvec = np.array([float(weights.get(g, 0.0)) for g in GROUPS])
    G = len(GROUPS)
    gind = sp.csr_matrix((np.ones(len(columns)), (np.arange(len(columns)), col_group)), shape=(len(columns), G))
    norms = np.sqrt(np.asarray((raw.multiply(raw) @ gind).todense()))  # n x G
    presence = (norms > 0).astype(np.float32)
    coo = raw.tocoo()
    g = col_group[coo.col]
    scale = np.sqrt(wvec[g]) / np.where(norms[coo.row, g] > 0, norms[coo.row, g], 1.0)
    structured = sp.csr_matrix((coo.data * scale, (coo.row, coo.col)), shape=raw.shape)
    text = char_ngram_tfidf(features.texts)
    presence[:, group_index["text"]] = (np.diff(text.indptr) > 0).astype(np.float32)
    # programs without any n-gram shared with another program still "have text" when they have evidence
    has_text = np.array([bool(t.strip()) for t in features.texts], dtype=bool)
    presence[has_text, group_index["text"]] = 1.0
    presence[:, wvec == 0] = 0.0
    return _Matrices(structured, raw, columns, col_group, text, presence, wvec)


_SEPARATORS = " \t\r\n\u3000，。、；：？！,.;:?!（）()“”‘’\"'《》【】[]—-·…/"


def char_ngram_tfidf(texts: Sequence[str], sizes: tuple[int, ...] = (2, 3), max_df: float = 0.5) -> sp.csr_matrix:
    """Character n-gram TF-IDF rows (sublinear tf, smooth idf, L2-normalised), built without Python n-gram loops.

    N-grams never cross punctuation or whitespace.  Columns found in a single text are dropped
    after normalisation (they cannot contribute to a dot product); n-grams in more than
    ``max_df`` of the texts are dropped before it when there are at least 20 texts.
    """
    import numpy as np
    import scipy.sparse as sp

    n = len(texts)
    if n == 0 or not any(texts):
        return sp.csr_matrix((n, 0), dtype=np.float64)
    joined = "\x00".join(texts) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    seps = np.frombuffer(_SEPARATORS.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    codes[np.isin(codes, seps)] = 0
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=n)
    doc = np.repeat(np.arange(n), lengths)
    keys, docs = [], []
    for k in sizes:
        if len(codes) < k:
            continue
        valid = np.ones(len(codes) - k + 1, dtype=bool)
        key = np.zeros(len(codes) - k + 1, dtype=np.int64)
        for j in range(k):
            part = codes[j: len(codes) - k + 1 + j]
            valid &= part != 0
            key = (key << 21) | part
        keys.append(key[valid])
        docs.append(doc[: len(codes) - k + 1][valid])
    key = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    dd = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
    if key.size == 0:
        return sp.csr_matrix((n, 0), dtype=np.float64)
    vocab, col = np.unique(key, return_inverse=True)
    tf = sp.csr_matrix((np.ones(key.size), (dd, col)), shape=(n, vocab.size))
    tf.sum_duplicates()
    df = np.bincount(tf.indices, minlength=vocab.size)
    if n >= 20:
        keep = df <= max_df * n
        tf, df = tf[:, keep], df[keep]
    tf.data = 1.0 + np.log(tf.data)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    x = tf.multiply(idf.reshape(1, -1)).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x
    x = x[:, df >= 2]
    return sp.csr_matrix(x)


# --------------------------------------------------------------------------- scoring


@dataclass
class Similarity:
    """Scored program pairs: index arrays into ``features.programs``, per-group contributions, explanations."""

    features: Features
    source: np.ndarray
    target: np.ndarray
    score: np.ndarray
    contributions: np.ndarray  # E x len(GROUPS): each group's share of the score
    shared: list[list[str]]
    explanation: list[str]
    weights: dict[str, float]
    top_k: int
    min_score: float
    within_region: bool

    def __len__(self) -> int:
        return int(self.score.size)

    def edges(self) -> Iterable[tuple[ProgramRecord, ProgramRecord, float, str]]:
        """``(program, program, score, explanation)`` for every edge, in a stable order."""
        progs = self.features.programs
        for s, t, sc, ex in zip(self.source.tolist(), self.target.tolist(), self.score.tolist(),
                                self.explanation, strict=True):
            yield progs[s], progs[t], sc, ex

    def group_contributions(self, edge: int) -> dict[str, float]:
        """The non-zero per-group contributions of one edge."""
        return {g: float(v) for g, v in zip(GROUPS, self.contributions[edge], strict=True) if v > 0}


def compute_similarity(features: Features, *, top_k: int = 10, min_score: float = 0.3,
                       within_region: bool = False, weights: dict[str, float] | None = None,
                       block: int = 1024, exact_text_limit: int = EXACT_TEXT_LIMIT,
                       seed: int = 0) -> Similarity:
    """Score program pairs and keep, for each program, its ``top_k`` best partners scoring ``>= min_score``.

    Pairs in the same region are skipped unless ``within_region``.  Above ``exact_text_limit``
    programs the text part of the candidate search uses a seeded Gaussian random projection;
    the scores of the kept edges are always recomputed exactly.
    """
    import numpy as np

    if top_k < 1:
        raise SimilarityError(f"top-k must be at least 1, got {top_k}")
    if not 0.0 <= min_score <= 1.0:
        raise SimilarityError(f"the minimum score must be between 0 and 1, got {min_score}")
    w = dict(DEFAULT_WEIGHTS)
    for g, v in (weights or {}).items():
        if g not in w or v < 0:
            raise SimilarityError(f"unknown feature group or negative weight: {g}={v}")
        w[g] = float(v)
    n = len(features)
    m = _matrices(features, w)
    pairs = _candidate_pairs(features, m, top_k=top_k, min_score=min_score, within_region=within_region,
                             block=block, exact_text=n <= exact_text_limit, seed=seed)
    src, dst = pairs
    contrib = _exact_contributions(m, src, dst)
    score = contrib.sum(axis=1)
    keep = (score >= min_score - 1e-9) & (score > 0)
    src, dst, contrib, score = src[keep], dst[keep], contrib[keep], score[keep]
    shared = _shared_labels(features, m, src, dst, contrib)
    explanation = [_explain(s) for s in shared]
    return Similarity(features, src, dst, np.round(score, 6), np.round(contrib, 6), shared, explanation,
                      w, top_k, min_score, within_region)


def _region_runs(features: Features) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Permutation grouping programs by region, and each permuted row's region run [start, end)."""
    import numpy as np

    keys = [p.region or f"\x00{p.iri}" for p in features.programs]
    order = sorted(range(len(keys)), key=lambda i: (keys[i], i))
    perm = np.array(order, dtype=np.int64)
    start = np.zeros(len(order), dtype=np.int64)
    end = np.zeros(len(order), dtype=np.int64)
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and keys[order[j]] == keys[order[i]]:
            j += 1
        start[i:j], end[i:j] = i, j
        i = j
    return perm, start, end


def _candidate_pairs(features: Features, m: _Matrices, *, top_k: int, min_score: float, within_region: bool,
                     block: int, exact_text: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    n = len(features)
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    perm, rstart, rend = _region_runs(features)
    tw = float(m.weights[GROUPS.index("text")])
    dense = m.structured[perm].toarray().astype(np.float32)
    text = m.text[perm]
    if not exact_text and text.shape[1] and tw > 0:
        rng = np.random.default_rng(seed)
        proj = rng.standard_normal((text.shape[1], PROJECTION_DIM), dtype=np.float32) / np.sqrt(PROJECTION_DIM)
        dense = np.hstack([dense, math.sqrt(tw) * (text @ proj).astype(np.float32)])
    a = m.presence[perm] @ m.weights.astype(np.float32)
    inv = (1.0 / np.sqrt(np.where(a > 0, a, 1.0))).astype(np.float32)
    dense *= inv[:, None]
    dense_t = dense.T.copy()
    k = min(top_k, n - 1)

    buf = np.empty((min(block, n), n), dtype=np.float32)

    def one_block(s: int) -> tuple[np.ndarray, np.ndarray]:
        e = min(n, s + block)
        num = buf[: e - s]
        np.matmul(dense[s:e], dense_t, out=num)
        if exact_text and text.shape[1] and tw > 0:
            scale = (tw * inv[s:e, None]) * inv[None, :]
            num += (text[s:e] @ text.T).toarray().astype(np.float32) * scale
        rows = np.arange(e - s)
        num[rows, rows + s] = -1.0
        if not within_region:
            i = s
            while i < e:
                j = min(e, int(rend[i]))
                num[i - s: j - s, rstart[i]: rend[i]] = -1.0
                i = j
        return _top_k(num, k, max(min_score - 1e-4, 1e-9), s)

    parts = [one_block(s) for s in range(0, n, block)]
    r = perm[np.concatenate([p[0] for p in parts])]
    c = perm[np.concatenate([p[1] for p in parts])]
    lo, hi = np.minimum(r, c), np.maximum(r, c)
    uniq = np.unique(lo * n + hi)
    return uniq // n, uniq % n


def _top_k(num: np.ndarray, k: int, threshold: float, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of each row's ``k`` best entries that reach ``threshold``.

    For wide rows, the k-th largest of every 8th column bounds the row's k-th largest from
    below, so only the few entries above that bound are sorted.
    """
    import numpy as np

    n = num.shape[1]
    step = 8
    if n >= 64 * k and n >= step * 8 * k:
        # the k-th largest of every 8th column is a lower bound of the row's k-th largest: only
        # entries above it can be in the top k, and only those are sorted below
        sample = num[:, ::step]
        bound = np.partition(sample, sample.shape[1] - k, axis=1)[:, sample.shape[1] - k]
        cut = np.maximum(bound, np.float32(threshold))[:, None]
    else:
        cut = np.float32(threshold)
    rr, cc = np.nonzero(np.greater_equal(num, cut))
    vals = num[rr, cc]
    order = np.lexsort((cc, -vals, rr))  # per row, best first (ties by column)
    rr, cc = rr[order], cc[order]
    starts = np.searchsorted(rr, np.arange(num.shape[0]))
    keep = (np.arange(rr.size) - starts[rr]) < k
    return rr[keep] + offset, cc[keep]


def _exact_contributions(m: _Matrices, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    import numpy as np
    import scipy.sparse as sp

    G = len(GROUPS)
    if src.size == 0:
        return np.zeros((0, G))
    d = len(m.columns)
    gind = sp.csr_matrix((np.ones(d), (np.arange(d), m.col_group)), shape=(d, G))
    num = np.asarray((m.structured[src].multiply(m.structured[dst]) @ gind).todense(), dtype=np.float64)
    ti = GROUPS.index("text")
    if m.text.shape[1]:
        for lo in range(0, src.size, 50_000):  # chunks bound the memory of the row copies
            a, b = src[lo: lo + 50_000], dst[lo: lo + 50_000]
            num[lo: lo + a.size, ti] = m.weights[ti] * np.asarray(m.text[a].multiply(m.text[b]).sum(axis=1)).ravel()
    a = m.presence.astype(np.float64) @ m.weights
    den = np.sqrt(a[src] * a[dst])
    return num / np.where(den > 0, den, 1.0)[:, None]


def _shared_labels(features: Features, m: _Matrices, src: np.ndarray, dst: np.ndarray,
                   contrib: np.ndarray) -> list[list[str]]:
    """Labels of the shared features per edge, strongest first; ancestors implied by a shared child dropped."""
    import numpy as np

    if src.size == 0:
        return []
    prod = m.structured[src].multiply(m.structured[dst]).tocsr()
    prod.eliminate_zeros()
    prod.sort_indices()
    both = m.raw[src].multiply(m.raw[dst]).multiply(prod != 0).tocsr()  # product of raw weights, same pattern
    both.eliminate_zeros()
    both.sort_indices()
    ti = GROUPS.index("text")
    text_share = contrib[:, ti]
    out: list[list[str]] = []
    for e in range(src.size):
        lo, hi = prod.indptr[e], prod.indptr[e + 1]
        cols, vals, raw = prod.indices[lo:hi], prod.data[lo:hi], both.data[lo:hi]
        order = np.lexsort((cols, -vals))
        keys = {m.columns[c] for c in cols}
        covered = {"benefit:" + k.split("|", 1)[1] for k in keys if k.startswith("payment:")}
        covered.update(*(features.parents.get(k, ()) for k in keys))
        labels: list[str] = []
        amount_done = False
        for c, r in zip(cols[order].tolist(), raw[order].tolist(), strict=True):
            key = m.columns[c]
            if key in covered:
                continue  # a narrower shared concept (or a shared payment of that type) already explains it
            if key.startswith("amount:"):
                if amount_done:
                    continue
                amount_done = True
            direct = r >= 1.0 - 1e-9
            label = features.labels.get(key, key)
            if not direct:
                label = f"similar annual amount ({label})" if key.startswith("amount:") else f"{label} (related)"
            labels.append(label)
        if text_share[e] >= 0.01:
            labels.append("similar wording")
        out.append(labels)
    return out


def _explain(labels: list[str], limit: int = 6) -> str:
    if not labels:
        return "no shared features"
    more = f" and {len(labels) - limit} more" if len(labels) > limit else ""
    return "shared: " + ", ".join(labels[:limit]) + more


def similarity(source: Any, **options: Any) -> Similarity:
    """Read the features of ``source`` and score them; options as for :func:`compute_similarity`."""
    return compute_similarity(read_features(source), **options)


# --------------------------------------------------------------------------- RDF


ONT = "https://w3id.org/hfkg/ont#"
#: the file ``hfkg build`` writes the similarity graph to
SIMILARITY_NAME = "similarity.trig"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
_XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
_CONCEPT_GROUPS = ("family", "benefit", "theme", "agency")


def base_of(sim: Similarity, base: str | None = None) -> str:
    """The instance base IRI: ``base``, else the part of the program IRIs before ``id/initiative/``."""
    if base:
        return base
    for p in sim.features.programs:
        if "id/initiative/" in p.iri:
            return p.iri.split("id/initiative/", 1)[0]
    raise SimilarityError("cannot tell the base IRI from the program IRIs", hint="pass base=...")


def similarity_graph_iri(base: str) -> str:
    """The named graph that holds the similarity nodes: ``{BASE}graph/similarity``."""
    return f"{base}graph/similarity"


def _shared_concepts(sim: Similarity, src: int, dst: int) -> list[str]:
    """Concept IRIs both programs have (family type, benefit type, theme, agency kind), ancestors included."""
    a, b = sim.features.items[src], sim.features.items[dst]
    out = set()
    for key in set(a) & set(b):
        group, _, rest = key.partition(":")
        if group in _CONCEPT_GROUPS:
            out.add(rest)
    return sorted(out)


def similarity_quads(sim: Similarity, base: str | None = None) -> list[pyoxigraph.Quad]:
    """One ``hfkg:Similarity`` node per edge (programs, score, shared concepts, explanation) in ``{BASE}graph/similarity``."""
    import hashlib

    from pyoxigraph import Literal, NamedNode, Quad

    base = base_of(sim, base)
    g = NamedNode(similarity_graph_iri(base))
    rdf_type, klass = NamedNode(_RDF_TYPE), NamedNode(ONT + "Similarity")
    similar, score_p = NamedNode(ONT + "similarProgram"), NamedNode(ONT + "similarityScore")
    shared_p, comment = NamedNode(ONT + "sharedFeature"), NamedNode(_RDFS_COMMENT)
    scope = "all pairs" if sim.within_region else "cross-region pairs"
    quads = [Quad(g, comment, Literal(f"Program similarity: {len(sim)} links (top {sim.top_k} per program, "
                                      f"score >= {sim.min_score:g}, {scope})"), g)]
    progs = sim.features.programs
    for e, (s, t) in enumerate(zip(sim.source.tolist(), sim.target.tolist(), strict=True)):
        a, b = sorted((progs[s].iri, progs[t].iri))
        digest = hashlib.sha256("\x1f".join((a, b)).encode()).hexdigest()[:16]
        node = NamedNode(f"{base}id/similarity/{digest}")
        quads += [Quad(node, rdf_type, klass, g), Quad(node, similar, NamedNode(a), g),
                  Quad(node, similar, NamedNode(b), g),
                  Quad(node, score_p, Literal(f"{float(sim.score[e]):.6f}", datatype=NamedNode(_XSD_DECIMAL)), g),
                  Quad(node, comment, Literal(sim.explanation[e]), g)]
        quads += [Quad(node, shared_p, NamedNode(c), g) for c in _shared_concepts(sim, s, t)]
    return sorted(quads, key=str)


def similarity_trig(sim: Similarity, base: str | None = None, quads: list[pyoxigraph.Quad] | None = None) -> bytes:
    """The similarity named graph as TriG bytes (sorted, so the same input gives the same bytes).

    ``quads`` are :func:`similarity_quads` of ``sim`` when the caller already has them.
    """
    import pyoxigraph

    prefixes = {"hfkg": ONT, "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                "xsd": "http://www.w3.org/2001/XMLSchema#"}
    if sim.features.programs:
        b = base_of(sim, base)
        prefixes.update({"sim": f"{b}id/similarity/", "ini": f"{b}id/initiative/", "g": f"{b}graph/"})
    if quads is None:
        quads = similarity_quads(sim, base) if sim.features.programs else []
    return pyoxigraph.serialize(quads,
                                format=pyoxigraph.RdfFormat.TRIG, prefixes=prefixes)

