#!/usr/bin/env python3
"""Writes a `lookout collect` snapshot of seed.py's synthetic cluster at any size, without an API server.

    bigsnapshot.py N_PODS OUT.json

The objects are seed.py's (the same generator, so the same mix and the same findings per object as a
seeded test API server), with what the API server would add and the controls read: uids, the owners'
uids in ownerReferences, creation timestamps, and the defaults it gives host-network ports. The snapshot members
(lookout's models decode Kubernetes JSON by its own field names, and ignore the fields they do not
model) and the kinds marked collected are those of `lookout collect` against the v1.20.2 test API
server. Seeding 100,000 pods through the API would take the better part of an hour; this takes seconds.
Writes one JSON line to stdout: {"pods": …, "objects": …, "bytes": …}.
"""
import json
import sys
import uuid

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import seed  # noqa: E402  (the object generator)

# ClusterSnapshot's member for each kind seed.py creates.
MEMBERS = {"Namespace": "namespaces", "ServiceAccount": "serviceAccounts", "Pod": "pods", "Deployment": "deployments",
           "ReplicaSet": "replicaSets", "Service": "services", "ConfigMap": "configMaps", "Role": "roles",
           "RoleBinding": "roleBindings", "NetworkPolicy": "networkPolicies", "ClusterRole": "clusterRoles",
           "ClusterRoleBinding": "clusterRoleBindings"}

# What `lookout collect` lists completely from the v1.20.2 test API server (the optional kinds it does
# not serve — Cilium, Gateway API, Istio, admission policies, … — are absent, as there).
COLLECTED = ["apiservices", "clusterrolebindings", "clusterroles", "configmaps", "cronjobs", "daemonsets", "deployments",
             "horizontalpodautoscalers", "ingresses", "jobs", "limitranges", "mutatingwebhookconfigurations",
             "namespaces", "networkpolicies", "nodes", "persistentvolumeclaims", "persistentvolumes",
             "podsecuritypolicies", "pods", "replicasets", "replicationcontrollers", "resourcequotas", "rolebindings",
             "roles", "serviceaccounts", "services", "statefulsets", "validatingwebhookconfigurations"]

# Every other list of the snapshot, empty as on the test server; the snapshot decoder wants them all.
EMPTY = ["nodes", "daemonSets", "statefulSets", "jobs", "cronJobs", "replicationControllers", "ingresses",
         "persistentVolumeClaims", "resourceQuotas", "limitRanges", "validatingWebhookConfigurations",
         "mutatingWebhookConfigurations", "apiServices", "ciliumNetworkPolicies", "ciliumClusterwideNetworkPolicies",
         "horizontalPodAutoscalers", "persistentVolumes", "podSecurityPolicies", "validatingAdmissionPolicies",
         "validatingAdmissionPolicyBindings", "httpRoutes", "grpcRoutes", "tcpRoutes", "udpRoutes", "tlsRoutes",
         "istioGateways", "virtualServices", "vulnerabilityReports"]

CREATED = "2026-01-01T00:00:00Z"


def defaulted(spec):
    """The API server's defaults that controls read: a host-network pod's ports are host ports."""
    for container in spec["containers"]:
        for port in container.get("ports", []):
            port.setdefault("protocol", "TCP")
            if spec.get("hostNetwork"):
                port.setdefault("hostPort", port["containerPort"])
    return spec


def build(pods):
    members = {member: [] for member in MEMBERS.values()}
    uids = {}
    names = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
    for wave in seed.objects(pods):
        for obj in wave:
            kind, meta = obj.pop("kind"), obj["metadata"]
            del obj["apiVersion"]
            namespace = meta.get("namespace")
            meta["uid"] = str(uuid.uuid5(names, f'{kind}/{namespace or ""}/{meta["name"]}'))
            meta["creationTimestamp"] = CREATED
            owner = meta.pop("_owner", None)
            if owner:
                owner_kind, api_version, name = owner
                meta["ownerReferences"] = [{"apiVersion": api_version, "kind": owner_kind, "name": name,
                                            "uid": uids[(owner_kind, namespace, name)], "controller": True}]
            uids[(kind, namespace, meta["name"])] = meta["uid"]
            if kind == "Pod":
                defaulted(obj["spec"])
            elif kind in ("Deployment", "ReplicaSet"):
                defaulted(obj["spec"]["template"]["spec"])
            members[MEMBERS[kind]].append(obj)
    return members


def main(pods, out):
    members = build(int(pods))
    document = {"cluster": {"server": "bigsnapshot.py", "version": "v1.20.2"}, **{member: [] for member in EMPTY}, **members,
                "collected": COLLECTED, "errors": [], "scope": {"included": [], "excluded": []},
                "kubeletConfigurations": []}
    # One dumps, not dump: json.dump encodes chunk by chunk in Python, several times slower.
    text = json.dumps(document, separators=(",", ":"))
    with open(out, "w") as f:
        size = f.write(text)
    print(json.dumps({"pods": int(pods), "objects": sum(len(items) for items in members.values()), "bytes": size}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
