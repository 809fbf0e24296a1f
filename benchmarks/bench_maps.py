"""Benchmark: a 2,000-program / ~20,000-link map must be rendered and written in <= 2 s.

Run: ``python benchmarks/bench_maps.py [N] [TOP_K]``.  The similarity itself is computed
first and not timed; the timed part is ``write_map`` (networkx graph, communities,
centrality, layout, JSON, HTML, atomic UTF-8 write).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_similarity import synthetic

from hfkg.exports.maps import write_map
from hfkg.graph.similarity import build_features, compute_similarity


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    records, vocab = synthetic(n)
    sim = compute_similarity(build_features(records, vocab), top_k=k, min_score=0.0)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = write_map(sim, Path(tmp) / "map.html")
        t1 = time.perf_counter()
        size = (Path(tmp) / "map.html").stat().st_size
    print(f"{result.nodes} nodes, {result.edges} edges: written in {t1 - t0:.2f} s, {size / 1e6:.1f} MB "
          f"(target <= 2 s for 2k nodes / 20k edges)")


if __name__ == "__main__":
    main()
