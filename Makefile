# Lookout — build, test and demo. Every target installs what it needs on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := build

SWIFT ?= swift
CLUSTER := Tests/cluster/apiserver.sh
DEMO_STATE ?= /tmp/lookout-demo
APT_PACKAGES := libcurl4-openssl-dev python3 python3-yaml python3-jsonschema openssl curl ca-certificates

.PHONY: build release deps test unit-test demo demo-stop docs check-docs bench clean

# Install the system packages the build and the tests use, only those that are missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing" >&2; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --static-swift-stdlib -Xlinker -s

# Unit tests, then integration tests against a real kube-apiserver + etcd started once for the run.
test: deps
	@bash $(CLUSTER) build
	@state=$$(mktemp -d /tmp/lookout-test.XXXXXX); \
	trap 'bash $(CLUSTER) stop "$$state" >/dev/null 2>&1' EXIT; \
	LOOKOUT_REALAPI_AUDIT=1 bash $(CLUSTER) start "$$state" >/dev/null || exit 1; \
	LOOKOUT_TEST_CLUSTER="$$state" $(SWIFT) test

unit-test: deps
	$(SWIFT) test --skip IntegrationTests

# Starts the local test API server (kept running; `make demo-stop` ends it), loads sample workloads
# with known problems and scans them.
demo: build
	@bash $(CLUSTER) build
	@kubeconfig=$$(bash $(CLUSTER) start $(DEMO_STATE) | tail -1) && \
	source $(DEMO_STATE)/env && \
	$$LOOKOUT_REALAPI_KUBECTL --kubeconfig "$$kubeconfig" apply -f Tests/cluster/demo/ >/dev/null && \
	echo "Sample workloads applied; scanning (kubeconfig: $$kubeconfig)" >&2 && \
	$$($(SWIFT) build --show-bin-path)/lookout scan --kubeconfig "$$kubeconfig"; \
	rc=$$?; echo "The demo API server keeps running; stop it with: make demo-stop" >&2; exit $$rc

demo-stop:
	@bash $(CLUSTER) stop $(DEMO_STATE)

clean:
	rm -rf .build

# docs/controls.md is generated from the catalogue; a unit test fails when it is stale.
docs: build
	$$($(SWIFT) build --show-bin-path)/lookout list controls --format markdown > docs/controls.md
