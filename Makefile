# BigLedger — see README.md. `make run` and `make test` are the two commands.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/bigledger
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
# Packages with hand-written code (generated ent/gqlgen code is checked by check-generated).
GOFILES := $(shell git ls-files '*.go' 2>/dev/null | grep -v '^ent/' | grep -v '^graph/generated.go' | grep -v '^graph/model/models_gen.go')

.PHONY: ensure-chromium ensure-poppler fuzz test-fuzz help generate migration check-generated build run test bench bench-compare lint vuln ensure-postgres clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-16s %s\n", $$1, $$2}'

generate: ## regenerate ent (with entgql) and gqlgen code
	$(GO) run ./ent/entc.go
	$(GO) run ./graph/gqlgen.go

migration: ensure-postgres ## write a new SQL migration when the ent schema changed: make migration NAME=add_x
	$(GO) run ./internal/tools/genmigration $${NAME:-changes}

check-generated: ensure-postgres ## regenerate everything and fail on any difference (code or migrations)
	$(MAKE) --no-print-directory generate
	$(GO) run ./internal/tools/genmigration drift
	@if ! git diff --quiet -- ent schema graph gqlgen.yml go.mod go.sum || [ -n "$$(git ls-files --others --exclude-standard ent schema graph)" ]; then \
		echo "generated code or migrations are out of date with the ent schema:"; \
		git status --short -- ent schema graph gqlgen.yml go.mod go.sum; \
		echo "run 'make generate' (and 'make migration NAME=…' for schema changes) and commit"; \
		exit 1; \
	fi
	@echo "generated code and migrations are up to date"

build: ## build bin/bigledger
	@if [ ! -x $(BIN) ]; then echo "Building $(BIN): the first build downloads the Go modules and compiles everything, which takes a few minutes on a fresh machine; the packages appear as they compile."; fi
	$(GO) build $(if $(wildcard $(BIN)),,-v) -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/bigledger

run: ensure-postgres build ## serve the API on a private PostgreSQL under .data/ (or DATABASE_URL) with a demo company
	BIGLEDGER_ENV=$${BIGLEDGER_ENV:-development} ./$(BIN) serve --demo

FUZZ_TARGETS = FuzzRESTBodies FuzzGraphQLVariables
FUZZTIME ?= 15s

test: ensure-postgres ensure-chromium ensure-poppler ## run every test against one throwaway PostgreSQL cluster, then fuzz each face for $(FUZZTIME)
	$(GO) run ./internal/tools/withpg -- bash -c '$(GO) test -count=1 -timeout 30m ./... && \
		for f in $(FUZZ_TARGETS); do $(GO) test -run "^$$" -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./internal/server || exit 1; done'

fuzz: ensure-postgres ## fuzz the REST and GraphQL decoders against the real server (FUZZTIME=5m each by default)
	$(MAKE) test-fuzz FUZZTIME=$(if $(filter command line environment,$(origin FUZZTIME)),$(FUZZTIME),5m)

test-fuzz:
	$(GO) run ./internal/tools/withpg -- bash -c 'for f in $(FUZZ_TARGETS); do $(GO) test -run "^$$" -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./internal/server || exit 1; done'

bench: ensure-postgres ## run the benchmarks (ratios against in-run baselines)
	$(GO) run ./internal/tools/withpg -- $(GO) test -count=1 -run '^$$' -bench . -benchmem ./...

bench-compare: ensure-postgres ## load a 100k-invoice company and print throughput ratios against pgbench (README "Performance")
	$(GO) run ./internal/tools/benchcompare $(BENCH_ARGS)

lint: ## gofmt, go vet, and the OpenAPI document under Redocly's strict rules (pinned npm package)
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GO=$(GO) bash internal/tools/openapi-lint/lint.sh

vuln: ## govulncheck (needs access to the Go vulnerability database)
	$(GO) run golang.org/x/vuln/cmd/govulncheck@v1.9.0 ./...

ensure-postgres:
	@bash .ci/ensure-postgres.sh $(if $(DATABASE_URL),--optional,)

ensure-poppler: ## install poppler-utils (pdftotext, pdftoppm) for the PDF tests when missing
	@bash .ci/ensure-poppler.sh

ensure-chromium:
	@if [ -z "$$BIGLEDGER_CHROMIUM" ]; then bash .ci/ensure-chromium.sh; fi

clean: ## remove build output (keeps .data/)
	rm -rf bin
