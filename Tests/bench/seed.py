#!/usr/bin/env python3
"""Seeds the test API server with a synthetic cluster of a given size, through the API, in parallel.

    seed.py STATE_DIR SIZE        SIZE: smoke | S | M | L, or a number of pods

The mix is issue 10's cluster L scaled by pods / 10,000 (namespaces: at least 2):
10,000 Pods owned by 2,000 ReplicaSets of 2,000 Deployments, 1,000 Services, 1,000 ConfigMaps,
500 Roles and RoleBindings, 6 ServiceAccounts a namespace, 200 NetworkPolicies, 50 ClusterRoles and
ClusterRoleBindings, in 100 namespaces. The objects are deterministic (same size, same objects,
same findings) and vary enough that most workload, network and RBAC controls have failing and
passing resources. The controller-manager runs only the ServiceAccount and token controllers (Pods
that mount a token need their ServiceAccount's token Secret): nothing else creates or deletes objects.

Writes one JSON line to stdout: {"size": …, "pods": …, "objects": …, "seconds": …}.
"""
import concurrent.futures
import http.client
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse

SIZES = {"smoke": 100, "S": 1000, "M": 5000, "L": 10000}
IN_FLIGHT = 16


def load_env(state):
    env = {}
    with open(os.path.join(state, "env")) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                env[key.removeprefix("export ")] = value.strip("'\"")
    return env


class Client:
    """One keep-alive HTTPS connection per thread, admin client certificate (floor.py uses it too)."""

    def __init__(self, env):
        url = urllib.parse.urlsplit(env["LOOKOUT_REALAPI_URL"])
        self.host, self.port = url.hostname, url.port
        self.context = ssl.create_default_context(cafile=env["LOOKOUT_REALAPI_CA"])
        self.context.load_cert_chain(env["LOOKOUT_REALAPI_CLIENT_CERT"], env["LOOKOUT_REALAPI_CLIENT_KEY"])
        self.local = threading.local()

    def connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=60)
        return conn

    def get(self, path):
        """(status, raw body, Content-Encoding), gzip accepted and left compressed."""
        conn = self.connection()
        # The user agent names floor.py's requests in the audit log (bench.sh counts them).
        conn.request("GET", path, headers={"Accept": "application/json", "Accept-Encoding": "gzip", "User-Agent": "bench-floor"})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Content-Encoding")

    def post(self, path, body):
        # The API server refuses a Pod (500, "No API token found for service account") until the token
        # controller, throttled to 20 requests/s, has given its namespace's ServiceAccount a token: on a
        # quiet machine seeding outruns it by tens of seconds at M and L, so retry for up to two minutes.
        deadline = time.monotonic() + 120
        attempt, last = 0, "no answer"
        while time.monotonic() < deadline:
            attempt += 1
            conn = self.connection()
            try:
                conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                last = repr(error)
                conn.close()
                self.local.conn = None
                time.sleep(min(1.0, 0.1 * (attempt + 1)))
                continue
            if response.status in (200, 201):
                return json.loads(data)
            if response.status == 409:  # already there: a re-run on a seeded server
                return None
            if response.status in (429, 500, 503, 504):
                last = f"HTTP {response.status}: {data[:300]!r}"
                time.sleep(min(1.0, 0.1 * (attempt + 1)))
                continue
            raise SystemExit(f"seed: POST {path}: HTTP {response.status}: {data[:300]!r}")
        raise SystemExit(f"seed: POST {path}: gave up after {attempt} tries in 120 s, the last: {last}")


def collection_path(obj):
    group_version = obj["apiVersion"]
    prefix = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
    plural = {"Namespace": "namespaces", "ServiceAccount": "serviceaccounts", "Pod": "pods",
              "Deployment": "deployments", "ReplicaSet": "replicasets", "Service": "services",
              "ConfigMap": "configmaps", "Role": "roles", "RoleBinding": "rolebindings",
              "NetworkPolicy": "networkpolicies", "ClusterRole": "clusterroles",
              "ClusterRoleBinding": "clusterrolebindings"}[obj["kind"]]
    namespace = obj["metadata"].get("namespace")
    return f"{prefix}/namespaces/{namespace}/{plural}" if namespace else f"{prefix}/{plural}"


def scaled(count, pods):
    return max(1, count * pods // 10000)


def pod_spec(i, app):
    """A pod template that fails some controls and passes others, varied by i."""
    hardened = i % 3 != 0
    container = {
        "name": "app", "image": f"registry.example.com/team-{i % 7}/{app}:1.{i % 9}.0",
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "name": "http"}],
        "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "REGION", "value": f"eu-{i % 3}"},
                {"name": "FEATURE_FLAGS", "value": "a,b,c"},
                {"name": "DB_HOST", "valueFrom": {"configMapKeyRef": {"name": f"config-{i % 10}", "key": "host"}}}]
        + ([{"name": "API_TOKEN", "value": f"tok-{i:08d}"}] if i % 17 == 0 else []),
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                      **({"limits": {"cpu": "200m", "memory": "128Mi"}} if hardened else {})},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": True}],
        "securityContext": ({"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                             "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                             "capabilities": {"drop": ["ALL"]}} if hardened
                            else {"privileged": i % 9 == 0, "capabilities": {"add": ["NET_ADMIN"]} if i % 6 == 0 else {}}),
    }
    spec = {"containers": [container], "automountServiceAccountToken": i % 4 == 0,
            "serviceAccountName": "default" if i % 5 else f"sa-{i % 5}",
            "volumes": [{"name": "config", "configMap": {"name": f"config-{i % 10}"}}]}
    if i % 50 == 0:
        spec["hostNetwork"] = True
    if hardened:
        spec["securityContext"] = {"seccompProfile": {"type": "RuntimeDefault"}}
    return spec


def objects(pods):
    """Yields waves of objects; each wave may be created in parallel once the previous one exists."""
    namespaces = [f"bench-{n}" for n in range(max(2, scaled(100, pods)))]
    def ns(i):
        return namespaces[i % len(namespaces)]
    yield [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "labels": {"team": f"team-{k % 7}"}}}
           for k, n in enumerate(namespaces)]
    # Each namespace: its default ServiceAccount and sa-0..sa-4 (workloads and bindings name them).
    wave = [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": n},
             **({"automountServiceAccountToken": False} if name == "sa-1" else {})}
            for n in namespaces for name in ["default"] + [f"sa-{k}" for k in range(5)]]
    wave += [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"config-{i // len(namespaces)}", "namespace": ns(i)},
              "data": {"host": f"db-{i}.example.internal", "settings.yaml": "mode: production\nreplicas: 3\n" * 4,
                       **({"password": f"hunter{i}"} if i % 23 == 0 else {})}} for i in range(max(10 * len(namespaces), scaled(1000, pods)))]
    roles = scaled(500, pods)
    wave += [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": f"role-{i}", "namespace": ns(i)},
              "rules": [{"apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["get", "list", "watch"]}]
              + ([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}] if i % 4 == 0 else [])
              + ([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}] if i % 9 == 0 else [])} for i in range(roles)]
    wave += [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": f"binding-{i}", "namespace": ns(i)},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"role-{i}"},
              "subjects": [{"kind": "ServiceAccount", "name": f"sa-{i % 5}", "namespace": ns(i)},
                           {"kind": "User", "name": f"user-{i % 40}@example.com", "apiGroup": "rbac.authorization.k8s.io"}]}
             for i in range(roles)]
    wave += [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": f"policy-{i}", "namespace": ns(i)},
              "spec": {"podSelector": {"matchLabels": {"app": f"app-{i}"}}, "policyTypes": ["Ingress"],
                       "ingress": [{"from": [{"podSelector": {"matchLabels": {"tier": "frontend"}}}]}]}}
             for i in range(scaled(200, pods))]
    cluster_roles = scaled(50, pods)
    wave += [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": f"bench-clusterrole-{i}"},
              "rules": [{"apiGroups": ["*"] if i % 10 == 0 else ["", "apps"], "resources": ["*"] if i % 10 == 0 else ["deployments", "services"],
                         "verbs": ["*"] if i % 10 == 0 else ["get", "list"]}]} for i in range(cluster_roles)]
    wave += [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"bench-clusterbinding-{i}"},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": f"bench-clusterrole-{i}"},
              "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": ns(i)}]} for i in range(cluster_roles)]
    deployments = scaled(2000, pods)
    wave += [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i}", "namespace": ns(i)},
              "spec": {"type": "NodePort" if i % 25 == 0 else "ClusterIP", "selector": {"app": f"app-{i}"},
                       "ports": [{"port": 80, "targetPort": 8080, "name": "http"}] + ([{"port": 22, "name": "ssh"}] if i % 40 == 0 else [])}}
             for i in range(scaled(1000, pods))]
    yield wave
    yield [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"app-{i}", "namespace": ns(i), "labels": {"app": f"app-{i}"}},
            "spec": {"replicas": 5, "selector": {"matchLabels": {"app": f"app-{i}"}},
                     "template": {"metadata": {"labels": {"app": f"app-{i}", "tier": "web"}}, "spec": pod_spec(i, f"app-{i}")}}}
           for i in range(deployments)]
    # ReplicaSets and Pods carry owner references with the real uids of their owners (filled in by seed()).
    yield [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": f"app-{i}-5d8f7c", "namespace": ns(i),
            "labels": {"app": f"app-{i}", "pod-template-hash": "5d8f7c"}, "_owner": ("Deployment", "apps/v1", f"app-{i}")},
            "spec": {"replicas": 5, "selector": {"matchLabels": {"app": f"app-{i}", "pod-template-hash": "5d8f7c"}},
                     "template": {"metadata": {"labels": {"app": f"app-{i}", "tier": "web", "pod-template-hash": "5d8f7c"}}, "spec": pod_spec(i, f"app-{i}")}}}
           for i in range(deployments)]
    per_set = max(1, pods // deployments)
    yield [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"app-{p // per_set}-5d8f7c-{p % per_set:05d}", "namespace": ns(p // per_set),
            "labels": {"app": f"app-{p // per_set}", "tier": "web", "pod-template-hash": "5d8f7c"},
            "_owner": ("ReplicaSet", "apps/v1", f"app-{p // per_set}-5d8f7c")},
            "spec": pod_spec(p // per_set, f"app-{p // per_set}")}
           for p in range(pods)]


def seed(state, pods):
    client = Client(load_env(state))
    uids = {}
    created = 0
    started = time.monotonic()

    def create(obj):
        meta = obj["metadata"]
        owner = meta.pop("_owner", None)
        if owner:
            kind, api_version, name = owner
            uid = uids.get((kind, meta["namespace"], name))
            if uid:
                meta["ownerReferences"] = [{"apiVersion": api_version, "kind": kind, "name": name, "uid": uid,
                                            "controller": True, "blockOwnerDeletion": True}]
        answer = client.post(collection_path(obj), obj)
        return obj["kind"], meta.get("namespace"), meta["name"], (answer or {}).get("metadata", {}).get("uid")

    with concurrent.futures.ThreadPoolExecutor(IN_FLIGHT) as pool:
        for wave in objects(pods):
            for kind, namespace, name, uid in pool.map(create, wave):
                if uid:
                    uids[(kind, namespace, name)] = uid
                created += 1
    print(json.dumps({"pods": pods, "objects": created, "seconds": round(time.monotonic() - started, 1)}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    size = sys.argv[2]
    seed(sys.argv[1], SIZES[size] if size in SIZES else int(size))
