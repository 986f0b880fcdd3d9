#!/usr/bin/env python3
"""Real consumers of Lookout's report formats, for the tests.

Each command reads one rendered report, validates it the way a consumer would, prints a JSON summary
of what it found on stdout (for the Swift tests to assert on) and exits 1 with the reasons on stderr
when the report is invalid. Exit 2 means the consumer itself is missing.

  consumers.py json SCHEMA FILE        JSON Schema validation (jsonschema, format checks on)
  consumers.py sarif SCHEMA FILE       the official SARIF 2.1.0 schema (draft-04)
  consumers.py junit FILE              xml.etree plus the JUnit structure CI importers rely on
  consumers.py prometheus FILE         prometheus_client's text parser plus exposition-format rules
  consumers.py html FILE FRAGMENT      headless Chromium: runs the page's script, dumps the DOM (the text
                                       of each rendered finding by fingerprint)
  consumers.py pushgateway-sink PORT_FILE BODY_FILE   answers one PUT like a Pushgateway, records it
  consumers.py yaml FILE               PyYAML's safe loader: every document of a YAML stream, as JSON
  consumers.py k8s-schema SCHEMA FILE  every object of a YAML/JSON file against the Kubernetes OpenAPI schemas
  consumers.py cel POLICIES CASES      evaluates ValidatingAdmissionPolicies (a file, or a folder of them)
                                       with cel-python (celpy) on the objects of CASES
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def missing(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def check_schema(schema_path, path):
    try:
        import jsonschema
    except ImportError:
        missing("python module jsonschema is not installed (Debian: python3-jsonschema)")
    schema = load_json(schema_path)
    document = load_json(path)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    if errors:
        fail("\n".join(f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors[:20]))
    return document


def command_json(schema_path, path):
    document = check_schema(schema_path, path)
    print(json.dumps({"valid": True, "controls": len(document["controls"]), "findings": len(document["findings"])}))


def command_sarif(schema_path, path):
    document = check_schema(schema_path, path)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run.get("results", [])
    rule_ids = [rule["id"] for rule in rules]
    if len(set(rule_ids)) != len(rule_ids):
        fail("rule ids are not unique")
    for result in results:
        index = result.get("ruleIndex")
        if index is None or rule_ids[index] != result["ruleId"]:
            fail(f"result for {result['ruleId']} points at the wrong rule index {index}")
        if not result.get("locations") or not result["locations"][0].get("logicalLocations"):
            fail(f"result for {result['ruleId']} has no logical location")
    print(json.dumps({
        "rules": rule_ids,
        "levels": {rule["id"]: rule["defaultConfiguration"]["level"] for rule in rules},
        "securitySeverity": {rule["id"]: rule["properties"]["security-severity"] for rule in rules},
        "results": [{
            "ruleId": result["ruleId"], "level": result["level"],
            "location": result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "baselineState": result.get("baselineState"), "suppressed": bool(result.get("suppressions")),
        } for result in results],
    }))


def command_junit(path):
    import xml.etree.ElementTree as ElementTree
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        fail(f"not well-formed XML: {error}")
    if root.tag != "testsuites":
        fail(f"root element is <{root.tag}>, expected <testsuites>")
    suites = []
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite in root:
        if suite.tag != "testsuite":
            fail(f"<testsuites> holds <{suite.tag}>")
        if not suite.get("name"):
            fail("a testsuite has no name")
        cases = suite.findall("testcase")
        counted = {
            "tests": len(cases),
            "failures": sum(1 for case in cases if case.find("failure") is not None),
            "errors": sum(1 for case in cases if case.find("error") is not None),
            "skipped": sum(1 for case in cases if case.find("skipped") is not None),
        }
        for attribute, value in counted.items():
            declared = suite.get(attribute)
            if declared is None or int(declared) != value:
                fail(f"testsuite {suite.get('name')}: {attribute}={declared} but it holds {value}")
            if attribute in totals:
                totals[attribute] += value
        for case in cases:
            if not case.get("name") or not case.get("classname"):
                fail(f"a testcase of {suite.get('name')} lacks name or classname")
            failure = case.find("failure")
            if failure is not None and not failure.get("message"):
                fail(f"failure of {case.get('name')} has no message")
        suites.append({
            "name": suite.get("name"),
            "cases": [case.get("name") for case in cases],
            "failures": {case.get("name"): case.find("failure").text or "" for case in cases if case.find("failure") is not None},
            "skipped": {case.get("name"): case.find("skipped").get("message") for case in cases if case.find("skipped") is not None},
        })
    for attribute, value in totals.items():
        if int(root.get(attribute, -1)) != value:
            fail(f"testsuites {attribute}={root.get(attribute)} but the suites hold {value}")
    print(json.dumps({"suites": suites}))


METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def check_exposition_lines(text):
    """Rules prometheus_client's lenient parser does not enforce but Prometheus does."""
    if not text.endswith("\n"):
        fail("the exposition does not end with a newline")
    helped, typed, seen_families, last_family = set(), set(), [], None
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                if not METRIC_NAME.match(parts[2]):
                    fail(f"line {number}: bad metric name {parts[2]!r}")
                if parts[1] == "TYPE":
                    if parts[2] in typed:
                        fail(f"line {number}: second TYPE for {parts[2]}")
                    typed.add(parts[2])
                else:
                    helped.add(parts[2])
                if parts[2] != last_family:
                    if parts[2] in seen_families:
                        fail(f"line {number}: family {parts[2]} is split in two")
                    seen_families.append(parts[2])
                    last_family = parts[2]
            continue
        if not line.strip():
            fail(f"line {number}: blank line")
        name = re.match(r"^[^{ ]+", line).group(0)
        if name != last_family:
            fail(f"line {number}: sample {name} outside its family block")
    return helped, typed


def command_prometheus(path):
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        missing("python module prometheus_client is not installed (Debian: python3-prometheus-client)")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    helped, typed = check_exposition_lines(text)
    families = {}
    try:
        parsed = list(text_string_to_metric_families(text))
    except Exception as error:  # the parser raises ValueError and friends on malformed input
        fail(f"prometheus_client cannot parse it: {error}")
    for family in parsed:
        if not family.name.startswith("lookout_"):
            fail(f"metric {family.name} lacks the lookout_ prefix")
        if family.name not in helped or family.name not in typed:
            fail(f"metric {family.name} lacks HELP or TYPE")
        if family.type != "gauge":
            fail(f"metric {family.name} is a {family.type}, expected gauge")
        series = set()
        samples = []
        for sample in family.samples:
            for label in sample.labels:
                if not LABEL_NAME.match(label) or label.startswith("__"):
                    fail(f"{sample.name}: bad label name {label!r}")
            key = tuple(sorted(sample.labels.items()))
            if key in series:
                fail(f"{sample.name}: duplicate series {dict(key)}")
            series.add(key)
            if not math.isfinite(sample.value):
                fail(f"{sample.name}: value {sample.value} is not finite")
            samples.append({"labels": sample.labels, "value": sample.value})
        families[family.name] = samples
    print(json.dumps({"families": families}))


def command_html(path, fragment):
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        missing("no headless browser: install Debian's chromium")
    from html.parser import HTMLParser

    with tempfile.TemporaryDirectory() as profile:
        url = "file://" + os.path.abspath(path) + fragment
        completed = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    if completed.returncode != 0 or "<html" not in completed.stdout:
        fail(f"chromium could not render the page ({completed.returncode}): {completed.stderr[-2000:]}")

    class Collector(HTMLParser):
        """Pulls out what a reader sees: the score cards, the chart bars and the table rows in order."""

        def __init__(self):
            super().__init__()
            self.stack = []
            self.cards = {}
            self.card = None
            self.in_value = False
            self.rows = []
            self.headers = {}
            self.bars = {}
            self.figure = None
            self.external = []
            self.scripts = 0
            self.findings = {}
            self.finding = None
            self.finding_depth = 0

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if tag == "script" and attributes.get("type") != "application/json":
                self.scripts += 1
            if tag == "li" and self.finding is not None:
                self.finding_depth += 1
            if tag == "li" and self.finding is None and "finding" in (attributes.get("class") or "").split():
                self.finding = attributes.get("data-fingerprint")
                self.findings[self.finding] = ""
            if tag in ("script", "link", "img", "iframe") and (attributes.get("src") or attributes.get("href")):
                self.external.append(f"<{tag}> loads {attributes.get('src') or attributes.get('href')}")
            if tag == "div" and "card" in (attributes.get("class") or "").split():
                self.card = attributes.get("id")
            if tag == "div" and attributes.get("class") == "value" and self.card:
                self.in_value = True
            if tag == "tr" and attributes.get("data-control"):
                self.rows.append(attributes["data-control"])
            if tag == "th" and attributes.get("data-key"):
                self.headers[attributes["data-key"]] = attributes.get("aria-sort")
            if tag == "figure":
                self.figure = attributes.get("id")
                self.bars[self.figure] = {}
            if tag == "g" and "bar" in (attributes.get("class") or "").split() and self.figure:
                self.bars[self.figure][attributes.get("data-label")] = int(attributes.get("data-count"))

        def handle_endtag(self, tag):
            if tag == "li" and self.finding is not None:
                if self.finding_depth == 0:
                    self.finding = None
                else:
                    self.finding_depth -= 1
            if tag == "div" and self.in_value:
                self.in_value = False
            if tag == "figure":
                self.figure = None

        def handle_data(self, data):
            if self.finding is not None:
                self.findings[self.finding] += data
            if self.in_value and self.card:
                self.cards[self.card] = self.cards.get(self.card, "") + data.strip()

    collector = Collector()
    collector.feed(completed.stdout)
    if collector.external:
        fail("the page loads external resources: " + "; ".join(collector.external))
    print(json.dumps({
        "cards": collector.cards, "rows": collector.rows, "headers": collector.headers, "bars": collector.bars,
        "scripts": collector.scripts, "findings": collector.findings,
    }))


def command_pushgateway_sink(port_file, body_file):
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with open(body_file + ".tmp", "w", encoding="utf-8") as handle:
                json.dump({"method": "PUT", "path": self.path, "contentType": self.headers.get("Content-Type"),
                           "body": body.decode("utf-8")}, handle)
            os.rename(body_file + ".tmp", body_file)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *arguments):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 120
    with open(port_file + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.handle_request()


def load_yaml_documents(path):
    try:
        import yaml
    except ImportError:
        missing("python module yaml is not installed (Debian: python3-yaml)")
    with open(path, encoding="utf-8") as handle:
        try:
            return [document for document in yaml.safe_load_all(handle) if document is not None]
        except yaml.YAMLError as error:
            fail(f"{path}: not valid YAML: {error}")


def command_yaml(path):
    print(json.dumps({"documents": load_yaml_documents(path)}))


def strict_schemas(document):
    """The components of an OpenAPI document, with unknown fields rejected the way a server with
    strict field validation rejects them (objects that list properties and allow no others)."""
    schemas = document["components"]["schemas"]

    def close(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node \
                    and not node.get("x-kubernetes-preserve-unknown-fields"):
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schemas)
    return schemas


def command_k8s_schema(schema_path, path):
    try:
        import jsonschema
    except ImportError:
        missing("python module jsonschema is not installed (Debian: python3-jsonschema)")
    schemas = strict_schemas(load_json(schema_path))
    by_kind = {}
    for name, schema in schemas.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            by_kind[(api_version, gvk["kind"])] = name
    documents = load_json(path) if path.endswith(".json") else load_yaml_documents(path)
    if isinstance(documents, dict):
        documents = documents.get("items", [documents]) if documents.get("kind", "").endswith("List") else [documents]
    checked, problems = [], []
    for index, document in enumerate(documents):
        key = (document.get("apiVersion"), document.get("kind"))
        label = f"{path} document {index + 1} ({key[1]} {document.get('metadata', {}).get('name')})"
        if key not in by_kind:
            problems.append(f"{label}: no v1.36 schema for apiVersion {key[0]} kind {key[1]}")
            continue
        root = {"$ref": f"#/components/schemas/{by_kind[key]}", "components": {"schemas": schemas}}
        validator = jsonschema.Draft7Validator(root)
        for error in sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))[:10]:
            problems.append(f"{label}: {'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}")
        checked.append({"apiVersion": key[0], "kind": key[1], "name": document.get("metadata", {}).get("name")})
    if problems:
        fail("\n".join(problems))
    print(json.dumps({"objects": checked}))


# Where each kind is served, for matchConstraints.resourceRules.
RESOURCES = {
    "Pod": ("", "pods"), "ReplicationController": ("", "replicationcontrollers"), "Service": ("", "services"),
    "Deployment": ("apps", "deployments"), "ReplicaSet": ("apps", "replicasets"), "StatefulSet": ("apps", "statefulsets"),
    "DaemonSet": ("apps", "daemonsets"), "Job": ("batch", "jobs"), "CronJob": ("batch", "cronjobs"),
}


def selector_matches(selector, labels):
    if selector is None:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for requirement in selector.get("matchExpressions") or []:
        key, operator, values = requirement["key"], requirement["operator"], requirement.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def command_cel(policies_path, cases_path):
    """Admits or denies each case's object the way the API server's ValidatingAdmissionPolicy plugin does
    on CREATE: resourceRules and the binding's namespaceSelector select the object, every matchCondition
    must hold, variables are bound in order under `variables`, and every validation must be true."""
    try:
        import celpy
    except ImportError:
        missing("python module celpy is not installed (PyPI: cel-python; `make deps` installs it)")
    # A folder of policy files: a case names its policy "<file name without .yaml>/<policy name>".
    paths = sorted(os.path.join(policies_path, name) for name in os.listdir(policies_path) if name.endswith(".yaml")) \
        if os.path.isdir(policies_path) else [policies_path]
    policies, bindings = {}, {}
    for path in paths:
        prefix = os.path.basename(path)[:-len(".yaml")] + "/" if os.path.isdir(policies_path) else ""
        for document in load_yaml_documents(path):
            if document["kind"] == "ValidatingAdmissionPolicy":
                policies[prefix + document["metadata"]["name"]] = document
            elif document["kind"] == "ValidatingAdmissionPolicyBinding":
                bindings[prefix + document["spec"]["policyName"]] = document
    environment = celpy.Environment()
    programs = {}

    def program(expression):
        if expression not in programs:
            try:
                programs[expression] = environment.program(environment.compile(expression))
            except Exception as error:
                fail(f"CEL does not compile: {expression}\n{error}")
        return programs[expression]

    def evaluate(expression, activation):
        result = program(expression).evaluate(activation)
        if isinstance(result, Exception):
            raise result
        return result

    def verdict(policy, binding, case):
        obj, namespace = case["object"], case["namespace"]
        group, resource = RESOURCES[obj["kind"]]
        spec = policy["spec"]
        if not any(group in rule["apiGroups"] and resource in rule["resources"] and "CREATE" in rule["operations"]
                   for rule in spec["matchConstraints"]["resourceRules"]):
            return "not-matched"
        namespace_labels = {"kubernetes.io/metadata.name": namespace, **case.get("namespaceLabels", {})}
        if not selector_matches((binding["spec"].get("matchResources") or {}).get("namespaceSelector"), namespace_labels):
            return "not-matched"
        activation = {
            "object": celpy.json_to_cel(obj), "oldObject": None, "params": None,
            "request": celpy.json_to_cel({"operation": "CREATE", "namespace": namespace, "name": obj["metadata"]["name"],
                                          "kind": {"group": group, "version": obj["apiVersion"].split("/")[-1], "kind": obj["kind"]}}),
        }
        try:
            for condition in spec.get("matchConditions", []):
                if not evaluate(condition["expression"], activation):
                    return "not-matched"
            variables = {}
            for variable in spec.get("variables", []):
                variables[variable["name"]] = evaluate(variable["expression"], {**activation, "variables": celpy.celtypes.MapType(
                    {celpy.celtypes.StringType(k): v for k, v in variables.items()})})
            activation["variables"] = celpy.celtypes.MapType({celpy.celtypes.StringType(k): v for k, v in variables.items()})
            for validation in spec["validations"]:
                result = evaluate(validation["expression"], activation)
                if not isinstance(result, celpy.celtypes.BoolType):
                    return f"error: validation returned {type(result).__name__}, not bool"
                if not result:
                    return "denied"
        except Exception as error:  # the API server fails closed on an evaluation error (failurePolicy Fail)
            return f"error: {error}"[:500]
        return "admitted"

    cases = load_json(cases_path)
    results = {}
    for case in cases:
        name = case["policy"]
        if name not in policies or name not in bindings:
            fail(f"case {case['id']}: no policy and binding named {name}")
        results[case["id"]] = verdict(policies[name], bindings[name], case)
    print(json.dumps({"results": results, "expressions": len(programs)}))


def main(arguments):
    commands = {
        "json": (command_json, 2), "sarif": (command_sarif, 2), "junit": (command_junit, 1),
        "prometheus": (command_prometheus, 1), "html": (command_html, 2),
        "pushgateway-sink": (command_pushgateway_sink, 2),
        "yaml": (command_yaml, 1), "k8s-schema": (command_k8s_schema, 2), "cel": (command_cel, 2),
    }
    if not arguments or arguments[0] not in commands or len(arguments) - 1 != commands[arguments[0]][1]:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    function, _ = commands[arguments[0]]
    function(*arguments[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
