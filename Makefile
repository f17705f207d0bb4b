# tokentray. `make run` shows the whole job; `make test` is what CI runs.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: all deps build run test vet clean bench bench-publish

all: build

## deps: install what building and testing need (apt, npm, Go modules); fast when done
deps:
	scripts/install-deps.sh

## build: tokentray's three programs in bin/: tokentray (the command), tokentray-agent, tokentray-ui
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ . ./cmd/tokentray-agent ./cmd/tokentray-ui

## run: a demo OpenID provider on 127.0.0.1, tokentray, a browser login and a token read
run: deps build
	scripts/demo.sh

## vet: static checks, and builds for Windows (the UI too, with mingw-w64) and macOS (the headless agent)
# The cross builds keep the other systems' code compiling: the Windows UI
# needs mingw-w64 (make test-windows installs it and runs the tests under
# Wine); macOS' tray and windows need cgo with Apple's SDK, so only the
# headless agent is built for it here.
vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	GOOS=windows CGO_ENABLED=0 $(GO) build -o /dev/null . ./cmd/tokentray-agent
	GOOS=windows CGO_ENABLED=0 $(GO) vet ./app/... ./auth/... ./ui/tray ./cmd/tokentray-agent .
	GOOS=darwin CGO_ENABLED=0 $(GO) build -o /dev/null . ./cmd/tokentray-agent ./app/...
	@if command -v x86_64-w64-mingw32-gcc >/dev/null; then \
	  echo "GOOS=windows CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc $(GO) build -o /dev/null ./cmd/tokentray-ui"; \
	  GOOS=windows CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc $(GO) build -o /dev/null ./cmd/tokentray-ui; \
	else echo "vet: no mingw-w64 (scripts/install-deps.sh windows): tokentray-ui not built for Windows"; fi

## test: every test, against a real provider, a real Secret Service and a real X server
test: deps vet
	scripts/with-desktop.sh $(GO) test -race -count=1 ./...
	$(GO) test -asan -count=1 ./internal/early  # the front's C, under AddressSanitizer
	scripts/with-desktop.sh env DEMO_BROWSER=scripted DEMO_ONESHOT=1 DEMO_LISTEN=127.0.0.1:0 DEMO_PROVIDER_PORT=0 $(MAKE) --no-print-directory build demo-check

## test-windows: the three programs built for Windows and tested under Wine: unit tests, and a login, rotations, a restart and token reads over the named pipe and TCP (about 6 min with an empty Go build cache, 40 s warm)
.PHONY: test-windows
test-windows:
	scripts/install-deps.sh windows
	scripts/test-windows.sh

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

## bench-tray: CPU and memory of the idle agent with its tray (60 s), and how fast a window opens
.PHONY: bench-tray
bench-tray: build
	scripts/measure-idle.sh 60

## screenshots: docs/screenshots/*.png of the tray menu, settings and token details (real desktop, real provider)
.PHONY: screenshots
screenshots:
	scripts/screenshots.sh

## icons: redraw assets/icons from assets/gen
.PHONY: icons
icons:
	$(GO) run ./assets/gen

## package: an installable archive with a .desktop file (fyne package -os linux)
.PHONY: package
package:
	scripts/package.sh

clean:
	rm -rf bin .demo

# Fuzz targets as package:Name; their seed corpora are in each package's
# testdata/fuzz/<Name>/ (plain `go test` runs those seeds every time).
FUZZ_TARGETS := ./app/fasttoken:FuzzToken ./internal/early:FuzzParse ./internal/early:FuzzAnswer ./auth:FuzzTokenResponse ./auth:FuzzDecodeJWT ./auth:FuzzCallback ./app/config:FuzzParse
FUZZTIME     ?= 10s

## fuzz: run each fuzz target for FUZZTIME (10s; CI runs them for 5s each)
.PHONY: fuzz
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "fuzz: $${t#*:} in $${t%%:*} for $(FUZZTIME)"; \
	  $(GO) test -run='^$$' -fuzz="^$${t#*:}\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s $${t%%:*}; \
	done

## soak: minutes of faults, 50 readers and kill -9s against a real provider (SOAK_DURATION, default 3m)
.PHONY: soak
soak: deps
	scripts/soak.sh
