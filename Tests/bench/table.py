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


def load(result):
    """The 1-minute load average the runs met (other work on the machine's cores), as recorded."""
    load1 = result["machine"].get("load1")
    if isinstance(load1, dict):
        return f'{load1["min"]:.1f}' if load1["min"] == load1["max"] else f'{load1["min"]:.1f}–{load1["max"]:.1f}'
    return "not recorded" if load1 is None else f"{load1:.1f} (at the end)"


def etcd(result):
    """Whether the size's server was seeded for this run or started from the bench's cache of a seeded etcd."""
    reused = result["cluster"].get("reused")
    if reused is None:
        return ""
    return "etcd from the cache of a seeded server; " if reused else "etcd seeded by this run; "


def tool(result):
    """Which Lookout ran: its version and the work tree's commit, with what the bench knows of the gap."""
    t = result["lookout"]
    text = f'lookout {t["version"]} at {t["commit"]}'
    if t.get("dirty"):
        text += " with uncommitted changes"
    if t.get("builtHere") is False:
        text += " (binary given by BENCH_BIN, not built by the bench)"
    return text


def number(value):
    """A measured figure, or a dash where the result predates its measurement."""
    return "—" if value is None else f"{value:.2f}"


def sizes(results):
    """The S/M/L clusters on the test API server, against both floors, with the CPU the server spent."""
    if not results:
        return
    yield ("| size | pods / objects | command | wall (s) | × floor | × curl floor | CPU (s) | server CPU (s) | "
           "CPU bound (s) | bound × floor | peak RSS (MB) |")
    yield "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    labels = {"floor": "floor (floor.py)", "curl": "curl floor", "scan": "`scan`", "collect": "`collect`", "from": "`scan --from`"}
    for result in results:
        cluster = result["cluster"]
        floor = result["medians"]["floor"]["wallSeconds"]
        for name, label in labels.items():
            m = result["medians"].get(name)
            if m is None:  # results recorded before the bench measured the curl floor
                continue
            yield (f'| {result["size"]} | {cluster["pods"]:,} / {cluster["objects"]:,} | {label} | {m["wallSeconds"]:.2f} | '
                   f'{m["wallSeconds"] / floor:.2f} | {number(m.get("wallToCurlFloor"))} | {m["cpuSeconds"]:.2f} | '
                   f'{number(m.get("serverCPUSeconds"))} | {number(m.get("cpuBoundSeconds"))} | {number(m.get("cpuBoundToFloor"))} | '
                   f'{m["peakRSSMB"]:.0f} |')
    yield ""
    for result in results:
        scan = result["scan"]
        yield (f'- {result["size"]}: {result["floorBytes"] / 2**20:.1f} MiB on the wire (gzip), {scan["resources"]:,} resources, '
               f'{scan["failedResources"]:,} failed, {scan["findings"]:,} findings; {etcd(result)}{tool(result)}, '
               f'binary {result["lookout"]["binaryMB"]} MB; {result["machine"]["cores"]} cores, load {load(result)}, '
               f'median of {result["runs"]} run(s).')


def beyond(results):
    """The steps beyond the test server: the offline snapshot and the node proxy, against their bounds."""
    if not results:
        return
    yield ""
    yield "| step | command | wall (s) | bound (s) | CPU (s) | server CPU (s) | peak RSS (MB) | bound (MB) | load (1 min) |"
    yield "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    for r in results:
        m = r["median"]
        if r["step"] == "offline":
            yield (f'| {r["snapshot"]["pods"]:,} pods / {r["snapshot"]["objects"]:,} objects, offline | `scan --from` | '
                   f'{m["wallSeconds"]:.2f} | {r["bounds"]["wallSeconds"]} | {m["cpuSeconds"]:.2f} | — | {m["peakRSSMB"]:.0f} | '
                   f'{r["bounds"]["peakRSSMB"]} | {load(r)} |')
        else:
            e, f = r["withoutNodes"], r["floor"]
            yield (f'| {r["nodes"]:,} Nodes, {r["fakeKubelets"]} fake kubelets | floor: every configz, {r["inFlightBound"]} at once | '
                   f'{f["wallSeconds"]:.2f} | — | {f["cpuSeconds"]:.2f} | {number(f.get("serverCPUSeconds"))} | {f["peakRSSMB"]:.0f} | — | {load(r)} |')
            yield (f'| {r["nodes"]:,} Nodes, {r["fakeKubelets"]} fake kubelets | `collect` ({r["wallToFloor"]:.2f} × floor) | '
                   f'{m["wallSeconds"]:.2f} | {r["bounds"]["wallSeconds"]} | {m["cpuSeconds"]:.2f} | {number(m.get("serverCPUSeconds"))} | '
                   f'{m["peakRSSMB"]:.0f} | — | {load(r)} |')
            yield (f'| the same server without Nodes | `collect` | {e["wallSeconds"]:.2f} | — | {e["cpuSeconds"]:.2f} | '
                   f'{number(e.get("serverCPUSeconds"))} | {e["peakRSSMB"]:.0f} | — | {load(r)} |')
    yield ""
    for r in results:
        if r["step"] == "offline":
            yield (f'- offline: a {r["snapshot"]["bytes"] / 2**20:.0f} MiB snapshot from Tests/bench/bigsnapshot.py, {r["findings"]:,} findings, '
                   f'a {r["reportMB"]:.0f} MiB JSON report; {tool(r)}; median of {r["runs"]} run(s).')
        else:
            yield (f'- nodes: {r["configurationsRead"]:,} kubelet configurations read through the node proxy, at most '
                   f'{r["peakInFlight"]} requests in flight at the API server (bound {r["inFlightBound"]}); {tool(r)}; '
                   f'median of {r["runs"]} run(s).')


def main(results_dir, markdown):
    text = open(markdown).read()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    text = text[:start] + "\n" + "\n".join(rows(results_dir)) + "\n" + text[end:]
    open(markdown, "w").write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
