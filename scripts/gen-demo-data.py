#!/usr/bin/env python3
"""Deterministic demo dataset for `scripts/demo`: two days of node and HTTP metrics for a
dozen hosts, one sample a minute, with injected incidents, as OpenMetrics text.

Incidents (times from the start, 2026-11-01T00:00:00Z):
  - host-03: CPU saturation, day 1 10:00-10:45 (load 14 on 4 cores)
  - host-07: HTTP 5xx burst, day 2 14:00-14:25 (30 % errors)
  - host-09: down (target gone, stale), day 1 22:00-22:12
  - host-11: filesystem filling on day 2, below 10 % from about 16:00
  - host-05: latency flapping above 500 ms in short bursts on day 2 morning
The same arguments always produce the same bytes.

Usage: gen-demo-data.py OUT
"""
import math
import random
import sys

START = 1_793_491_200  # 2026-11-01T00:00:00Z
STEP = 60
POINTS = 2 * 24 * 60
HOSTS = [f"host-{i:02d}" for i in range(1, 13)]
BUCKETS = ["0.1", "0.5", "2.5", "+Inf"]


def minute(day, hour, minute=0):
    return ((day - 1) * 24 + hour) * 60 + minute


def main():
    out_path = sys.argv[1]
    rng = random.Random(20261101)
    lines = []
    w = lines.append

    def family(name, kind, help_text, unit=None):
        w(f"# TYPE {name} {kind}")
        if unit:
            w(f"# UNIT {name} {unit}")
        w(f"# HELP {name} {help_text}")

    def down(host, i):
        return host == "host-09" and minute(1, 22) <= i < minute(1, 22, 12)

    family("up", "gauge", "Whether the target was scraped.")
    for host in HOSTS:
        for i in range(POINTS):
            t = START + i * STEP
            w(f'up{{instance="{host}:9100",job="node"}} {0 if down(host, i) else 1} {t}')

    family("node_load1", "gauge", "1m load average.")
    for host in HOSTS:
        base = rng.uniform(0.3, 1.5)
        for i in range(POINTS):
            if down(host, i):
                continue
            t = START + i * STEP
            v = base + 0.6 * math.sin(2 * math.pi * i / 1440) + rng.gauss(0, 0.1)
            if host == "host-03" and minute(1, 10) <= i < minute(1, 10, 45):
                v = 14 + rng.gauss(0, 0.5)
            w(f'node_load1{{instance="{host}:9100",job="node"}} {max(v, 0):.2f} {t}')

    family("node_filesystem_avail_bytes", "gauge", "Free bytes.")
    for host in HOSTS:
        size = 100e9
        free = rng.uniform(0.4, 0.7) * size
        for i in range(POINTS):
            if down(host, i):
                continue
            t = START + i * STEP
            if host == "host-11" and i >= minute(2, 6):
                free -= 0.0012 * size * (1 + 0.2 * math.sin(i / 30))
            free = max(free, 0.02 * size)
            w(f'node_filesystem_avail_bytes{{device="/dev/sda1",instance="{host}:9100",job="node",mountpoint="/"}} {free:.0f} {t}')
    family("node_filesystem_size_bytes", "gauge", "Filesystem size.")
    for host in HOSTS:
        for i in range(POINTS):
            if down(host, i):
                continue
            w(f'node_filesystem_size_bytes{{device="/dev/sda1",instance="{host}:9100",job="node",mountpoint="/"}} 100000000000 {START + i * STEP}')

    family("http_requests", "counter", "HTTP requests handled.")
    for host in HOSTS:
        ok, err = 0.0, 0.0
        rate = rng.uniform(20, 60)
        rows_ok, rows_err = [], []
        for i in range(POINTS):
            t = START + i * STEP
            r = rate * (1 + 0.5 * math.sin(2 * math.pi * (i - 600) / 1440)) * STEP
            e = 0.002
            if host == "host-07" and minute(2, 14) <= i < minute(2, 14, 25):
                e = 0.3
            ok += r * (1 - e) * rng.uniform(0.95, 1.05)
            err += r * e * rng.uniform(0.5, 1.5)
            rows_ok.append(f'http_requests_total{{code="200",instance="{host}:8080",job="api"}} {ok:.0f} {t}')
            rows_err.append(f'http_requests_total{{code="500",instance="{host}:8080",job="api"}} {err:.0f} {t}')
        lines.extend(rows_ok)
        lines.extend(rows_err)

    family("http_request_duration_seconds", "histogram", "Request latency.")
    for host in HOSTS:
        counts = [0.0] * len(BUCKETS)
        total = 0.0
        for i in range(POINTS):
            t = START + i * STEP
            n = rng.uniform(1000, 3000)
            slow = 0.002
            if host == "host-05" and minute(2, 7) <= i < minute(2, 11) and (i // 7) % 3 == 0:
                slow = 0.4
            # Cumulative shares of requests at or below each bound: normally the p99 stays
            # under 0.5 s; a slow burst pushes 40 % of requests above it.
            shares = [0.7 - 0.5 * slow, 0.996 - slow, 0.9995, 1.0]
            for b, share in enumerate(shares):
                counts[b] += n * share
            total += n * (0.08 + slow * 1.5)
            labels = f'instance="{host}:8080",job="api"'
            for b, bound in enumerate(BUCKETS):
                w(f'http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {counts[b]:.0f} {t}')
            w(f'http_request_duration_seconds_sum{{{labels}}} {total:.1f} {t}')
            w(f'http_request_duration_seconds_count{{{labels}}} {counts[-1]:.0f} {t}')
    w("# EOF")
    with open(out_path, "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
