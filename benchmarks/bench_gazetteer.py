"""Benchmark: the region recogniser must scan >= 5 MB/s of CJK text (UTF-8 bytes) per core (CPU time).

Run: ``python benchmarks/bench_gazetteer.py [MB]`` (default 20).  The text is seeded and synthetic: report
phrases mixed with full and short names of random divisions from the gazetteer (3 words in 100, several
times denser than in real reports).
"""

from __future__ import annotations

import random
import sys
import time

from hfkg.extract.gazetteer import RegionContext, find_regions, load_gazetteer, surface_forms

PHRASES = (
    "认真落实", "计划生育家庭", "扶助金", "每人每月", "提高到", "开展了", "幸福家庭", "服务中心", "志愿者", "心理咨询",
    "和平发展", "通知", "城区改造", "市和县两级", "大学", "科技馆", "社区", "，", "。", "、", "的", "和", "在",
)
TARGET_MB_S = 5.0


def synthetic(mb: float, seed: int = 42) -> str:
    """About ``mb`` megabytes of seeded CJK text."""
    rng = random.Random(seed)
    regions = load_gazetteer().regions
    parts: list[str] = []
    size = 0
    while size < mb * 1_000_000:
        if rng.random() < 0.03:
            forms = surface_forms(rng.choice(regions))
            word = rng.choice(forms)[0]
        else:
            word = rng.choice(PHRASES)
        parts.append(word)
        size += len(word.encode("utf-8"))
    return "".join(parts)


def main(argv: list[str]) -> int:
    mb = float(argv[1]) if len(argv) > 1 else 20.0
    text = synthetic(mb)
    size = len(text.encode("utf-8")) / 1_000_000
    find_regions("北京市")  # load the data and build the automaton outside the timing
    ctx = RegionContext.of("北京市")
    t0, c0 = time.perf_counter(), time.process_time()
    hits = find_regions(text, ctx)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    rate = size / cpu
    print(f"{size:.1f} MB, {len(hits)} region hits in {cpu:.2f} s CPU ({secs:.2f} s wall): {rate:.1f} MB/s per core"
          f" (target >= {TARGET_MB_S} MB/s)")
    return 0 if rate >= TARGET_MB_S else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
