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
    results = [json.load(open(path)) for path in glob.glob(os.path.join(results_dir, "*.json"))]
    results.sort(key=lambda r: ORDER.get(r["size"], 99))
    yield "| size | pods / objects | command | wall (s) | × floor | CPU (s) | peak RSS (MB) |"
    yield "|---|---|---|---:|---:|---:|---:|"
    for result in results:
        cluster = result["cluster"]
        for name in ("floor", "scan", "collect", "from"):
            m = result["medians"][name]
            ratio = "1.00" if name == "floor" else f'{m["wallToFloor"]:.2f}'
            label = {"floor": "curl floor", "scan": "`scan`", "collect": "`collect`", "from": "`scan --from`"}[name]
            yield (f'| {result["size"]} | {cluster["pods"]:,} / {cluster["objects"]:,} | {label} | {m["wallSeconds"]:.2f} | '
                   f'{ratio} | {m["cpuSeconds"]:.2f} | {m["peakRSSMB"]:.0f} |')
    yield ""
    for result in results:
        scan, tool = result["scan"], result["lookout"]
        yield (f'- {result["size"]}: {result["floorBytes"] / 2**20:.0f} MiB on the wire (gzip), {scan["resources"]:,} resources, '
               f'{scan["failedResources"]:,} failed, {scan["findings"]:,} findings; lookout {tool["version"]} at {tool["commit"]}, '
               f'binary {tool["binaryMB"]} MB; {result["machine"]["cores"]} cores, medians of {result["runs"]} runs.')


def main(results_dir, markdown):
    text = open(markdown).read()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    text = text[:start] + "\n" + "\n".join(rows(results_dir)) + "\n" + text[end:]
    open(markdown, "w").write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
