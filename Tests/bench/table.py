#!/usr/bin/env python3
"""Rewrites the results table of docs/benchmarks.md from the JSON files `make bench` wrote.

    table.py RESULTS_DIR MARKDOWN_FILE

Only the part between the `<!-- bench:begin -->` and `<!-- bench:end -->` lines is replaced.
"""
import glob
import json
import os
import sys

ORDER = {"smoke": 0, "S": 1, "M": 2, "L": 3}
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def rows(results_dir):
    everything = [json.load(open(path)) for path in glob.glob(os.path.join(results_dir, "*.json"))]
    results = sorted((r for r in everything if "size" in r), key=lambda r: ORDER.get(r["size"], 99))
    yield from sizes(results)
    yield from beyond(sorted((r for r in everything if "step" in r), key=lambda r: (r["step"], r.get("nodes", 0))))


def sizes(results):
    """The S/M/L clusters on the test API server, against its floor."""
    if not results:
        return
    yield "| size | pods / objects | command | wall (s) | × floor | CPU (s) | peak RSS (MB) |"
    yield "|---|---|---|---:|---:|---:|---:|"
    for result in results:
        cluster = result["cluster"]
        for name in ("floor", "scan", "collect", "from"):
            m = result["medians"][name]
            ratio = "1.00" if name == "floor" else f'{m["wallToFloor"]:.2f}'
            label = {"floor": "floor", "scan": "`scan`", "collect": "`collect`", "from": "`scan --from`"}[name]
            yield (f'| {result["size"]} | {cluster["pods"]:,} / {cluster["objects"]:,} | {label} | {m["wallSeconds"]:.2f} | '
                   f'{ratio} | {m["cpuSeconds"]:.2f} | {m["peakRSSMB"]:.0f} |')
    yield ""
    for result in results:
        scan, tool = result["scan"], result["lookout"]
        yield (f'- {result["size"]}: {result["floorBytes"] / 2**20:.1f} MiB on the wire (gzip), {scan["resources"]:,} resources, '
               f'{scan["failedResources"]:,} failed, {scan["findings"]:,} findings; lookout {tool["version"]} at {tool["commit"]}, '
               f'binary {tool["binaryMB"]} MB; {result["machine"]["cores"]} cores, median of {result["runs"]} run(s).')


def beyond(results):
    """The steps beyond the test server: the offline snapshot and the node proxy, against their bounds."""
    if not results:
        return
    yield ""
    yield "| step | command | wall (s) | bound (s) | CPU (s) | peak RSS (MB) | bound (MB) | load (1 min) |"
    yield "|---|---|---:|---:|---:|---:|---:|---:|"
    for r in results:
        m, load = r["median"], f'{r["machine"]["load1"]:.1f}'
        if r["step"] == "offline":
            yield (f'| {r["snapshot"]["pods"]:,} pods / {r["snapshot"]["objects"]:,} objects, offline | `scan --from` | '
                   f'{m["wallSeconds"]:.2f} | {r["bounds"]["wallSeconds"]} | {m["cpuSeconds"]:.2f} | {m["peakRSSMB"]:.0f} | '
                   f'{r["bounds"]["peakRSSMB"]} | {load} |')
        else:
            e, f = r["withoutNodes"], r["floor"]
            yield (f'| {r["nodes"]:,} Nodes, {r["fakeKubelets"]} fake kubelets | floor: every configz, {r["inFlightBound"]} at once | '
                   f'{f["wallSeconds"]:.2f} | — | {f["cpuSeconds"]:.2f} | {f["peakRSSMB"]:.0f} | — | {load} |')
            yield (f'| {r["nodes"]:,} Nodes, {r["fakeKubelets"]} fake kubelets | `collect` ({r["wallToFloor"]:.2f} × floor) | '
                   f'{m["wallSeconds"]:.2f} | {r["bounds"]["wallSeconds"]} | {m["cpuSeconds"]:.2f} | {m["peakRSSMB"]:.0f} | — | {load} |')
            yield (f'| the same server without Nodes | `collect` | {e["wallSeconds"]:.2f} | — | {e["cpuSeconds"]:.2f} | '
                   f'{e["peakRSSMB"]:.0f} | — | {load} |')
    yield ""
    for r in results:
        tool = r["lookout"]
        if r["step"] == "offline":
            yield (f'- offline: a {r["snapshot"]["bytes"] / 2**20:.0f} MiB snapshot from Tests/bench/bigsnapshot.py, {r["findings"]:,} findings, '
                   f'a {r["reportMB"]:.0f} MiB JSON report; lookout {tool["version"]} at {tool["commit"]}; median of {r["runs"]} run(s).')
        else:
            yield (f'- nodes: {r["configurationsRead"]:,} kubelet configurations read through the node proxy, at most '
                   f'{r["peakInFlight"]} requests in flight at the API server (bound {r["inFlightBound"]}); lookout '
                   f'{tool["version"]} at {tool["commit"]}; median of {r["runs"]} run(s).')


def main(results_dir, markdown):
    text = open(markdown).read()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    text = text[:start] + "\n" + "\n".join(rows(results_dir)) + "\n" + text[end:]
    open(markdown, "w").write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
