#!/usr/bin/env python3
"""Turns bench/run's JMH JSON into the table and chart of docs/BENCHMARKS.md (Python 3 standard library only).

    python3 docs/bench_chart.py JMH.json [--latency LATENCY.json] [--svg docs/benchmarks.svg]

Prints Markdown tables (throughput with score +- error, bytes/event and ratios; latency if given, with the p99 of
each round when the harness ran several) and writes an
SVG bar chart of events/second on a log scale. Ratios: sync contenders against the direct-call chain, async
contenders against the best async peer (the fastest contender that is not this library) of the same run.
"""
import argparse
import json
import math
from xml.sax.saxutils import escape

OURS = {"syncDispatcher", "asyncDispatcher"}
LABELS = {
    "direct": "direct method calls",
    "syncDispatcher": "pipeline SyncDispatcher",
    "rxJava": "RxJava 3 PublishSubject",
    "reactor": "Reactor unicast sink",
    "guavaEventBus": "Guava EventBus",
    "asyncDispatcher": "pipeline AsyncDispatcher",
    "rxJavaObserveOn": "RxJava 3 observeOn(single)",
    "reactorPublishOn": "Reactor publishOn(single)",
    "disruptorYielding": "Disruptor 4, yielding",
    "disruptorBlocking": "Disruptor 4, blocking",
    "arrayBlockingQueue": "ArrayBlockingQueue + loop thread",
    "guavaAsyncEventBus": "Guava AsyncEventBus",
}


def load(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for run in json.load(f):
            group = "sync" if "SyncThroughput" in run["benchmark"] else "async"
            contender = run.get("params", {}).get("contender", run["benchmark"].rsplit(".", 1)[-1])
            primary = run["primaryMetric"]
            norm = run.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {})
            error = primary.get("scoreError")
            rows[(group, contender)] = {
                "group": group,
                "contender": contender,
                "score": primary["score"],
                "error": None if error is None or (isinstance(error, float) and math.isnan(error)) else error,
                "bytes": norm.get("score"),
            }
    return rows


def ratios(rows):
    sync = {c: r for (g, c), r in rows.items() if g == "sync"}
    asyn = {c: r for (g, c), r in rows.items() if g == "async"}
    base = sync.get("direct", {}).get("score")
    peers = [r["score"] for c, r in asyn.items() if c not in OURS]
    best = max(peers) if peers else None
    for r in sync.values():
        r["ratio"] = r["score"] / base if base else None
        r["against"] = "direct"
    for r in asyn.values():
        r["ratio"] = r["score"] / best if best else None
        r["against"] = "best peer"
    return sync, asyn


def fmt_m(x):
    return "%.1f" % (x / 1e6)


def table(sync, asyn):
    out = ["| group | contender | events/s (M) | ± error (M) | bytes/event | ratio |",
           "|---|---|---:|---:|---:|---:|"]
    for group, rows in (("sync", sync), ("async", asyn)):
        for r in sorted(rows.values(), key=lambda r: -r["score"]):
            name = LABELS.get(r["contender"], r["contender"])
            if r["contender"] in OURS:
                name = "**" + name + "**"
            err = fmt_m(r["error"]) if r["error"] is not None else "n/a"
            b = "%.0f" % r["bytes"] if r["bytes"] is not None else "n/a"
            ratio = "%.2f× %s" % (r["ratio"], r["against"]) if r["ratio"] is not None else "n/a"
            out.append("| %s | %s | %s | %s | %s | %s |" % (group, name, fmt_m(r["score"]), err, b, ratio))
    return "\n".join(out)


def latency_table(path):
    with open(path, encoding="utf-8") as f:
        rows = json.load(f)
    by_round = any("p99_us_by_round" in r for r in rows)
    header = "| offered rate (events/s) | contender | p50 (µs) | p99 (µs) | p99.9 (µs) | max (µs) |"
    rule = "|---:|---|---:|---:|---:|---:|"
    if by_round:
        header += " p99 of each round (µs) |"
        rule += "---|"
    out = [header, rule]
    for r in sorted(rows, key=lambda r: (r["rate"], r["p99_us"])):
        name = LABELS.get(r["contender"], r["contender"])
        if r["contender"] in OURS:
            name = "**" + name + "**"
        line = "| %s | %s | %.1f | %.1f | %.1f | %.1f |" % (
            "{:,}".format(r["rate"]), name, r["p50_us"], r["p99_us"], r["p999_us"], r["max_us"])
        if by_round:
            line += " %s |" % ", ".join("%.0f" % v for v in r.get("p99_us_by_round", []))
        out.append(line)
    return "\n".join(out)


def svg(sync, asyn, title):
    bar_h, gap, left, width = 22, 6, 250, 520
    groups = [("Synchronous (publishing thread runs the chain)", sync),
              ("Asynchronous (100,000-event batches, one consumer thread)", asyn)]
    scores = [r["score"] for _, rows in groups for r in rows.values()]
    lo = 10 ** math.floor(math.log10(min(scores)))
    hi = 10 ** math.ceil(math.log10(max(scores)))
    span = math.log10(hi) - math.log10(lo)

    def x(v):
        return left + width * (math.log10(v) - math.log10(lo)) / span

    rows_total = sum(len(rows) for _, rows in groups)
    height = 60 + rows_total * (bar_h + gap) + len(groups) * 34 + 40
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
             'font-size="12">' % (left + width + 150, height),
             '<rect width="100%" height="100%" fill="white"/>',
             '<text x="10" y="22" font-size="15" font-weight="bold">%s</text>' % escape(title)]
    y = 44
    for label, rows in groups:
        y += 20
        parts.append('<text x="10" y="%d" font-weight="bold">%s</text>' % (y, escape(label)))
        y += 10
        for r in sorted(rows.values(), key=lambda r: -r["score"]):
            ours = r["contender"] in OURS
            colour = "#d9480f" if ours else "#4c6ef5"
            parts.append('<text x="%d" y="%d" text-anchor="end"%s>%s</text>' % (
                left - 8, y + bar_h - 7, ' font-weight="bold"' if ours else "",
                escape(LABELS.get(r["contender"], r["contender"]))))
            parts.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
                left, y, max(1.0, x(r["score"]) - left), bar_h, colour))
            note = "%s M/s" % fmt_m(r["score"])
            if r["bytes"] is not None:
                note += ", %.0f B/event" % r["bytes"]
            parts.append('<text x="%.1f" y="%d">%s</text>' % (x(r["score"]) + 5, y + bar_h - 7, escape(note)))
            y += bar_h + gap
    axis_y = y + 8
    parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555"/>' % (left, axis_y, left + width, axis_y))
    decade = lo
    while decade <= hi * 1.0001:
        parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#555"/>' % (
            x(decade), axis_y, x(decade), axis_y + 5))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (
            x(decade), axis_y + 18, "{:,.0f}".format(decade / 1e6) + "M" if decade >= 1e6 else "{:,.0f}".format(decade)))
        decade *= 10
    parts.append('<text x="%d" y="%d" text-anchor="middle">events per second (log scale)</text>' % (
        left + width // 2, axis_y + 34))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("jmh")
    p.add_argument("--latency")
    p.add_argument("--svg")
    p.add_argument("--title", default="pipeline dispatchers vs. in-process peers (one JMH run, 2 cores)")
    args = p.parse_args()
    sync, asyn = ratios(load(args.jmh))
    print(table(sync, asyn))
    if args.latency:
        print()
        print(latency_table(args.latency))
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg(sync, asyn, args.title))


if __name__ == "__main__":
    main()
