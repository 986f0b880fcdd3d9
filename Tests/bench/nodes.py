#!/usr/bin/env python3
"""Registers Nodes whose kubelets are fake kubelets on loopback, for the node-proxy benchmark.

    nodes.py STATE_DIR N_NODES PORT[,PORT…]

Node i's kubelet is 127.0.0.1:PORT[i % len(PORTS)] (status.addresses InternalIP 127.0.0.1 and
status.daemonEndpoints.kubeletEndpoint.Port): the API server's node proxy, /api/v1/nodes/NAME/proxy/…,
then reaches a Tests/cluster/fake-kubelet.py. A Node's status may be set when it is created, so one
POST a Node, in parallel as seed.py does. Writes one JSON line to stdout: {"nodes": …, "seconds": …}.
"""
import concurrent.futures
import json
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import seed  # noqa: E402  (the same environment, TLS set-up and retries as the seeding)


def node(i, ports):
    name = f"bench-node-{i:05d}"
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "status": {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": name}],
                       "daemonEndpoints": {"kubeletEndpoint": {"Port": ports[i % len(ports)]}}}}


def main(state, count, ports):
    client = seed.Client(seed.load_env(state))
    ports = [int(port) for port in ports.split(",")]
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(seed.IN_FLIGHT) as pool:
        list(pool.map(lambda i: client.post("/api/v1/nodes", node(i, ports)), range(int(count))))
    print(json.dumps({"nodes": int(count), "seconds": round(time.monotonic() - started, 1)}))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
