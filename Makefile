# tokentray. `make run` shows the whole job; `make test` is what CI runs.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN     := bin/tokentray
LDFLAGS := -X main.version=$(VERSION)

.PHONY: all deps build run test vet clean bench bench-publish

all: build

## deps: install what building and testing need (apt, npm, Go modules); fast when done
deps:
	scripts/install-deps.sh

## build: the tokentray binary in bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

## run: a demo OpenID provider on 127.0.0.1, tokentray, a browser login and a token read
run: deps build
	scripts/demo.sh

## vet: static checks
vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }

## test: every test, against a real provider, a real Secret Service and a real X server
test: deps vet
	scripts/with-desktop.sh $(GO) test -race -count=1 ./...
	scripts/with-desktop.sh env DEMO_BROWSER=scripted DEMO_ONESHOT=1 DEMO_LISTEN=127.0.0.1:0 DEMO_PROVIDER_PORT=0 $(MAKE) --no-print-directory build demo-check

## bench: tokentray beside a bare net/http server and oidc-agent, one table (BENCHMARKS.md); ~7 min
bench: deps build
	scripts/bench.sh $(BENCH_FLAGS)

## bench-publish: make bench, then rewrite the results in BENCHMARKS.md
bench-publish: deps build
	scripts/bench.sh -publish BENCHMARKS.md $(BENCH_FLAGS)

# demo-check runs the demo non-interactively (CI proves make run works).
.PHONY: demo-check
demo-check:
	scripts/demo.sh

clean:
	rm -rf bin .demo
