#!/usr/bin/env python3
"""Deterministic OpenMetrics generator for TSDB benchmarks and tests.

Writes counters (with occasional resets), gauges with noise, and classic histograms
(cumulative buckets, _sum, _count) for many label combinations, every sample with a
timestamp, ending with '# EOF'. The same arguments always produce the same bytes.

Usage: gen-openmetrics.py [--series-scale N] [--samples N] [--interval S] [--start T] OUT
"""
import argparse
import math
import random


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--series-scale", type=int, default=8, help="label combinations per family")
    p.add_argument("--samples", type=int, default=5000, help="samples per series")
    p.add_argument("--interval", type=int, default=15, help="seconds between samples")
    p.add_argument("--start", type=int, default=1_700_000_000, help="first timestamp (Unix seconds)")
    a = p.parse_args()
    rng = random.Random(20261125)
    instances = [f"host-{i:03d}:9100" for i in range(a.series_scale)]
    times = [a.start + i * a.interval for i in range(a.samples)]
    buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
    series = 0
    with open(a.out, "w") as out:
        w = out.write
        for f in range(100):
            name = f"app_requests_{f}"
            w(f"# HELP {name} Requests handled.\n# TYPE {name} counter\n")
            for inst in instances:
                v, rate = 0.0, rng.uniform(0.5, 50)
                rows = []
                for t in times:
                    if rng.random() < 0.0005:
                        v = 0.0
                    v += max(0.0, rng.gauss(rate, rate / 4)) * a.interval
                    rows.append(f'{name}_total{{instance="{inst}",job="api"}} {round(v)} {t}\n')
                w("".join(rows))
                series += 1
        for f in range(60):
            name = f"app_temperature_{f}_celsius"
            w(f"# HELP {name} A temperature.\n# TYPE {name} gauge\n")
            for inst in instances:
                base = rng.uniform(20, 80)
                rows = []
                for i, t in enumerate(times):
                    v = base + 5 * math.sin(i / 240) + rng.gauss(0, 0.3)
                    rows.append(f'{name}{{instance="{inst}",job="node"}} {v:.3f} {t}\n')
                w("".join(rows))
                series += 1
        for f in range(8):
            name = f"app_latency_{f}_seconds"
            w(f"# HELP {name} Request latency.\n# TYPE {name} histogram\n")
            for inst in instances:
                counts = [0] * len(buckets)
                total, count = 0.0, 0
                rows = []
                for t in times:
                    for _ in range(rng.randint(0, 20)):
                        x = rng.lognormvariate(-3, 1.2)
                        total += x
                        count += 1
                        for bi, b in enumerate(buckets):
                            if b == "+Inf" or x <= float(b):
                                counts[bi] += 1
                    for bi, b in enumerate(buckets):
                        rows.append(f'{name}_bucket{{instance="{inst}",job="api",le="{b}"}} {counts[bi]} {t}\n')
                    rows.append(f'{name}_sum{{instance="{inst}",job="api"}} {total:.6f} {t}\n')
                    rows.append(f'{name}_count{{instance="{inst}",job="api"}} {count} {t}\n')
                w("".join(rows))
                series += len(buckets) + 2
        w("# EOF\n")
    print(f"{series} series, {series * a.samples} samples")


if __name__ == "__main__":
    main()
