# Lookout — build, test and demo. Every target installs what it needs on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := build

SWIFT ?= swift
CLUSTER := Tests/cluster/apiserver.sh
DEMO_STATE ?= /tmp/lookout-demo
# python3-jsonschema, python3-prometheus-client and chromium are the report consumers the tests run;
# cel-python (PyPI only) evaluates the generated admission policies, with Debian's python3 and pip.
APT_PACKAGES := libcurl4-openssl-dev zlib1g-dev python3 python3-pip python3-yaml python3-jsonschema python3-prometheus-client chromium openssl curl ca-certificates time
CEL_PYTHON := cel-python==0.5.0

# Extra `swift build` flags, e.g. SWIFT_BUILD_FLAGS="--scratch-path .build-mine" to keep a build apart.
SWIFT_BUILD_FLAGS ?=
RELEASE_FLAGS = $(SWIFT_BUILD_FLAGS) -c release --product lookout --static-swift-stdlib -Xlinker -s
# The container image's file tree (make rootfs) and name (make image).
ROOTFS ?= .build/rootfs
IMAGE ?= localhost/lookout:$(shell sed -n 's/^public let version = "\(.*\)"/\1/p' Sources/Product/Version.swift)

.PHONY: fuzz fuzz-libfuzzer build release deps test unit-test demo demo-stop docs bench clean rootfs image

# Install the system packages the build and the tests use, only those that are missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing" >&2; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@# The tests run /usr/bin/python3 (Consumers.swift); Debian marks it externally managed, hence the flag.
	@/usr/bin/python3 -c 'import celpy' 2>/dev/null || { \
	  echo "installing: $(CEL_PYTHON) (PyPI)" >&2; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO /usr/bin/python3 -m pip install --quiet --break-system-packages --root-user-action=ignore $(CEL_PYTHON); \
	}

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# The runtime file tree of the container image, from Debian packages: the static-stdlib release binary,
# exactly the shared libraries `ldd` says it loads (libcurl and its dependencies, libz, libc) with their
# copyright files, the Mozilla CA bundle, and passwd/group entries for the non-root UID 65532. The
# Containerfile copies this same tree into an empty image.
rootfs: release
	@set -euo pipefail; \
	bin="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lookout"; \
	work="$(ROOTFS).work"; rm -rf "$(ROOTFS)" "$$work"; mkdir -p "$(ROOTFS)/usr/local/bin" "$(ROOTFS)/etc/ssl/certs" "$$work/x"; \
	libs=$$(ldd "$$bin" | grep -o '/[^ ]*'); \
	pkgs=$$(for lib in $$libs; do dpkg -S "*/$${lib##*/}" | cut -d: -f1; done | sort -u); \
	echo "rootfs: libraries from $$(echo $$pkgs) and ca-certificates" >&2; \
	(cd "$$work" && apt-get download -q $$pkgs ca-certificates >/dev/null); \
	for deb in "$$work"/*.deb; do dpkg -x "$$deb" "$$work/x"; done; \
	for lib in $$libs; do \
	  real=$$(readlink -f "$$lib"); real=$${real##*/}; dir="$(ROOTFS)$${lib%/*}"; \
	  file=$$(find "$$work/x" -type f -name "$$real" | head -1); \
	  [ -n "$$file" ] || { echo "rootfs: $$real ($$lib) is in none of the packages" >&2; exit 1; }; \
	  mkdir -p "$$dir"; cp "$$file" "$$dir/$$real"; [ "$$real" = "$${lib##*/}" ] || ln -sf "$$real" "$$dir/$${lib##*/}"; \
	done; \
	for pkg in $$pkgs ca-certificates; do \
	  doc="$$work/x/usr/share/doc/$$pkg"; \
	  if [ -L "$$doc" ]; then \
	    owner=$$(readlink "$$doc"); (cd "$$work" && apt-get download -q "$$owner" >/dev/null); dpkg -x "$$work/$${owner}"_*.deb "$$work/x"; \
	  fi; \
	  mkdir -p "$(ROOTFS)/usr/share/doc/$$pkg"; cp -L "$$doc/copyright" "$(ROOTFS)/usr/share/doc/$$pkg/"; \
	done; \
	cat "$$work"/x/usr/share/ca-certificates/mozilla/*.crt > "$(ROOTFS)/etc/ssl/certs/ca-certificates.crt"; \
	printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/usr/sbin/nologin\n' > "$(ROOTFS)/etc/passwd"; \
	printf 'root:x:0:\nnonroot:x:65532:\n' > "$(ROOTFS)/etc/group"; \
	printf 'hosts: files dns\n' > "$(ROOTFS)/etc/nsswitch.conf"; \
	install -m 0755 "$$bin" "$(ROOTFS)/usr/local/bin/lookout"; \
	rm -rf "$$work"; \
	echo "rootfs: $(ROOTFS) holds $$(du -sh --apparent-size "$(ROOTFS)" | cut -f1) (binary $$(du -h --apparent-size "$$bin" | cut -f1))"

# Builds the image with podman or docker, whichever works here: the same tree as `make rootfs`. The
# context holds only what the Containerfile copies, not the .build folders.
image:
	@for engine in podman docker; do \
	  if command -v $$engine >/dev/null 2>&1 && $$engine info >/dev/null 2>&1; then \
	    context=$$(mktemp -d); trap 'rm -rf "$$context"' EXIT; \
	    cp -r Containerfile Package.swift Makefile Sources "$$context/"; \
	    $$engine build -f "$$context/Containerfile" -t $(IMAGE) "$$context" || exit 1; \
	    echo "image $(IMAGE): $$($$engine image inspect --format '{{.Size}}' $(IMAGE)) bytes"; exit 0; \
	  fi; \
	done; \
	echo "make image: no working container engine here (podman, or docker with a running daemon)." >&2; \
	echo "  \`make rootfs\` assembles the image's file tree in $(ROOTFS) without one." >&2; \
	exit 1

# Unit tests, then integration tests against a real kube-apiserver + etcd started once for the run.
# The runtime tree (`make rootfs`) is built first: a test scans the cluster from inside it. The bench's
# smoke run gets an empty cache of seeded etcds of its own, so it always seeds, saves and restarts.
test: deps rootfs
	@bash $(CLUSTER) build
	@state=$$(mktemp -d /tmp/lookout-test.XXXXXX); \
	trap 'bash $(CLUSTER) stop "$$state" >/dev/null 2>&1' EXIT; \
	LOOKOUT_REALAPI_AUDIT=1 bash $(CLUSTER) start "$$state" >/dev/null || exit 1; \
	LOOKOUT_TEST_CLUSTER="$$state" $(SWIFT) test || exit 1; \
	echo "make test: benchmark harness at its smoke size (make bench runs the real sizes)" >&2; \
	BENCH_SIZES=smoke BENCH_RUNS=1 BENCH_OFFLINE_PODS=0 BENCH_NODES=20 BENCH_OUT="$$state/bench" BENCH_CACHE="$$state/bench-cache" \
	  BENCH_BIN="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lookout" bash Tests/bench/bench.sh

unit-test: deps
	$(SWIFT) test --skip IntegrationTests

# The seeded fuzzers with a long budget (unit tests run a short one): every input Lookout reads, with
# what loads audited (FuzzTests), and mutated YAML read by both Lookout and PyYAML (YAMLOracleTests).
# ITERATIONS and SEED choose the run; each target prints its seed first, so a trap is reproduced by
# running that seed again.
fuzz: deps
	LOOKOUT_FUZZ_ITERATIONS=$${ITERATIONS:-60000} LOOKOUT_FUZZ_SEED=$${SEED:-$$RANDOM} $(SWIFT) test --filter 'FuzzTests|YAMLOracleTests'


# Coverage-guided fuzzing with libFuzzer (-sanitize=fuzzer) over the same targets and oracle, in a build
# folder of its own (every module is instrumented): FUZZ_TARGET = yaml, kubeconfig, file or objects,
# FUZZ_SECONDS. Crash inputs land in .build/libfuzzer/crashes/; a plain build's lookout-fuzz replays one.
fuzz-libfuzzer: deps
	$(SWIFT) build --scratch-path .build/libfuzzer -Xswiftc -sanitize=fuzzer -Xswiftc -DLOOKOUT_LIBFUZZER --product lookout-fuzz
	@mkdir -p .build/libfuzzer/corpus-$${FUZZ_TARGET:-yaml} .build/libfuzzer/crashes
	LOOKOUT_FUZZ_TARGET=$${FUZZ_TARGET:-yaml} $$($(SWIFT) build --scratch-path .build/libfuzzer --show-bin-path)/lookout-fuzz \
	  -max_total_time=$${FUZZ_SECONDS:-60} -timeout=10 -rss_limit_mb=2048 -artifact_prefix=.build/libfuzzer/crashes/ \
	  .build/libfuzzer/corpus-$${FUZZ_TARGET:-yaml} Tests/KubeClientTests/Fixtures/kubeconfigs Tests/cluster/demo rbac

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

# Scan, collect and offline-scan time and memory of a release build against the test API server, with
# the server's own floors (floor.py and curl) and its CPU time measured in the same run, then a
# 100,000-pod snapshot offline and 1,000 Nodes behind the node proxy: docs/benchmarks.md (BENCH_SIZES,
# BENCH_RUNS, BENCH_OFFLINE_PODS, BENCH_NODES; BENCH_FRESH=1 seeds instead of reusing the cached etcd).
bench: deps
	@bash Tests/bench/bench.sh
