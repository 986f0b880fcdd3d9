#!/usr/bin/env python3
"""The API-server floor: the time a minimal client takes to fetch the same LISTs a scan makes.

    floor.py STATE_DIR PATHS_FILE [IN_FLIGHT]     PATHS_FILE: one LIST path per line (e.g. /api/v1/pods)

Page 500, gzip accepted (as Lookout asks), one keep-alive connection per kind, at most IN_FLIGHT (default
4) kinds at once. Bodies are read whole and dropped; only the first bytes are inflated, for the
`continue` token (the list metadata comes before the items). Nothing a client does with the objects can
finish the transfer faster. Writes the bytes received to STATE_DIR/floor-bytes, and the seconds the
fetching took and the CPU seconds (user + sys) it spent, both without the interpreter's start-up, to
STATE_DIR/floor-seconds and STATE_DIR/floor-cpu-seconds.
"""
import concurrent.futures
import re
import sys
import time
import zlib

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import seed  # noqa: E402  (the same environment and TLS set-up as the seeding)

CONTINUE = re.compile(rb'"continue":"([^"]*)"')


def fetch_all_pages(client, path):
    received = 0
    token = ""
    # A node-proxy read is one GET of the kubelet's document, sent as Lookout sends it: no paging.
    paged = "/proxy/" not in path
    while True:
        url = path if not paged else f"{path}?limit=500" + (f"&continue={token}" if token else "")
        status, body, encoding = client.get(url)
        if status != 200:
            raise SystemExit(f"floor: GET {url}: HTTP {status}")
        received += len(body)
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, 4096) if encoding == "gzip" else body[:4096]
        match = CONTINUE.search(head)
        token = match.group(1).decode() if match else ""
        if not token:
            return received


def main(state, paths_file, in_flight=4):
    client = seed.Client(seed.load_env(state))
    paths = [line.strip() for line in open(paths_file) if line.strip()]
    started, cpu = time.monotonic(), time.process_time()
    with concurrent.futures.ThreadPoolExecutor(int(in_flight)) as pool:
        total = sum(pool.map(lambda path: fetch_all_pages(client, path), paths))
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    with open(f"{state}/floor-bytes", "w") as f:
        f.write(str(total))
    with open(f"{state}/floor-seconds", "w") as f:
        f.write(f"{elapsed:.3f}")
    with open(f"{state}/floor-cpu-seconds", "w") as f:
        f.write(f"{cpu:.3f}")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
