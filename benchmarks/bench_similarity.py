"""Benchmark: similarity of N synthetic programs (default 50,000) must take <= 30 s.

Run: ``python benchmarks/bench_similarity.py [N]``.  Features are synthetic (random family
types in a small SKOS tree, benefits, amounts, agencies, themes and short Chinese sentences),
seeded, so runs are comparable.
"""

from __future__ import annotations

import random
import sys
import time

from hfkg.graph.similarity import BenefitFact, ProgramRecord, Vocabulary, build_features, compute_similarity

V = "https://example.org/hfkg/vocab/"
CHARS = "家庭计划生育特殊失独伤残空巢留守困难扶助金补贴服务心理慰藉关爱保险养老医疗健康教育培训志愿者活动"


def synthetic(n: int, seed: int = 42) -> tuple[list[ProgramRecord], Vocabulary]:
    """``n`` seeded synthetic program records over 300 regions."""
    rng = random.Random(seed)
    fts = [f"{V}family-type/t{i}" for i in range(24)]
    broader = {fts[i]: {fts[i // 4]} for i in range(4, 24)}
    bts = [f"{V}benefit-type/b{i}" for i in range(12)]
    freqs = [f"{V}payment-frequency/{f}" for f in ("monthly", "annual", "quarterly", "one-off")]
    kinds = [f"{V}org-type/o{i}" for i in range(8)]
    themes = [f"{V}theme/th{i}" for i in range(10)]
    records = []
    for i in range(n):
        benefits = [BenefitFact(rng.choice(bts), "", rng.choice([None, 100.0, 200.0, 960.0, 3000.0]),
                                rng.choice(freqs)) for _ in range(rng.randint(0, 3))]
        text = "".join(rng.choice(CHARS) for _ in range(rng.randint(40, 160)))
        records.append(ProgramRecord(
            f"https://example.org/hfkg/id/initiative/p{i:06d}", name=f"项目{i}", region=f"r{rng.randrange(300)}",
            family_types=rng.sample(fts, rng.randint(1, 3)), benefits=benefits,
            agencies=[(rng.choice(kinds), "lead")], themes=rng.sample(themes, rng.randint(0, 2)),
            evidence=[text[j:j + 40] for j in range(0, len(text), 40)]))
    return records, Vocabulary(broader=broader)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    records, vocab = synthetic(n)
    c0, t0 = time.process_time(), time.perf_counter()
    features = build_features(records, vocab)
    t1 = time.perf_counter()
    sim = compute_similarity(features, top_k=10, min_score=0.3)
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    print(f"{n} programs: features {t1 - t0:.1f} s, similarity {t2 - t1:.1f} s, total {t2 - t0:.1f} s "
          f"(CPU {cpu:.1f} s over all threads), {len(sim)} edges (target <= 30 s)")


if __name__ == "__main__":
    main()
