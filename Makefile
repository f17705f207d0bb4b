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
run: deps build-note build
	scripts/demo.sh

# build-note says, before a first build, that it takes minutes (so that
# make run does not look hung); bin/tokentray-ui missing means first build.
.PHONY: build-note
build-note:
	@[ -e bin/tokentray-ui ] || echo "make: the first build compiles Fyne's C code (OpenGL, GLFW): 3-4 minutes on two cores; later builds take seconds."

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

# Under make test a test that cannot start the real provider fails, as in
# CI; a plain `go test` skips it (internal/testing/testprovider).
test: export TOKENTRAY_TEST_PROVIDER = required

## test: every test, against a real provider, a real Secret Service and a real X server
test: deps vet
	scripts/with-desktop.sh $(GO) test -race -count=1 ./...
	$(GO) test -asan -count=1 ./internal/early  # the front's C, under AddressSanitizer
	scripts/with-desktop.sh env $(DEMO_CHECK_ENV) $(MAKE) --no-print-directory build demo-check
	env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY $(DEMO_CHECK_ENV) $(MAKE) --no-print-directory demo-check  # no desktop session: SSH, a container
	scripts/test-scripts.sh

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

# demo-check runs the demo non-interactively (CI proves make run works):
# with DEMO_ONESHOT it fails on a login not saved in the keyring, or a
# logout that fails. make test runs it inside the test desktop and with no
# session bus at all.
DEMO_CHECK_ENV := DEMO_BROWSER=scripted DEMO_ONESHOT=1 DEMO_LISTEN=127.0.0.1:0 DEMO_PROVIDER_PORT=0
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

## man: the man pages, build/man/*.1, from the command tree (cobra/doc)
.PHONY: man
man:
	$(GO) run ./internal/gendocs -version $(VERSION) -man build/man

## completions: build/completions/tokentray.bash, _tokentray (zsh), tokentray.fish, tokentray.ps1
.PHONY: completions
completions:
	$(GO) run ./internal/gendocs -completions build/completions

## icons: redraw assets/icons from assets/gen
.PHONY: icons
icons:
	$(GO) run ./assets/gen

## package: an installable archive with a .desktop file (fyne package -os linux); leaves the tree clean
.PHONY: package
package:
	scripts/package.sh

# GoReleaser, pinned: v2.17.0 is the last release that builds with Go 1.26.
# Installed into GOPATH/bin once (about 17 min cold); skipped when there.
GORELEASER_VERSION := 2.17.0
GORELEASER = $(shell $(GO) env GOPATH)/bin/goreleaser

.PHONY: goreleaser
goreleaser:
	@$(GORELEASER) --version 2>/dev/null | grep -q 'GitVersion: *v$(GORELEASER_VERSION)$$' || { \
	  echo "installing GoReleaser v$(GORELEASER_VERSION) into $$($(GO) env GOPATH)/bin (about 17 min the first time)"; \
	  GOBIN="$$($(GO) env GOPATH)/bin" $(GO) install github.com/goreleaser/goreleaser/v2@v$(GORELEASER_VERSION); }

## dist: a snapshot release in dist/: archives (Linux, Windows, macOS), .deb, .rpm, checksums (GoReleaser)
.PHONY: dist
dist: goreleaser
	scripts/install-deps.sh windows  # mingw-w64: the Windows tokentray-ui
	$(GORELEASER) release --snapshot --clean

clean:
	rm -rf bin .demo dist

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

## soak: minutes of faults, pauses, keyring outages and kill -9s against a real provider, every served token judged by it (SOAK_DURATION, default 3m; SOAK_SHORT=1: 45 s)
.PHONY: soak
soak: deps
	scripts/soak.sh
