# Tunduk Onboard. `make run` opens the wizard, `make test` runs every test;
# both install the Debian packages they need first (build/deps.sh), and
# the Go that go.mod asks for when there is none (build/go.sh).

# The go to build with: build/go.sh finds one that go.mod accepts (PATH,
# /usr/local/go, or the one it brought before) or brings it. Asked when a
# recipe first needs it, so after `deps`, and once per make; nothing asks
# for `make clean`. GO=/path/to/go overrides. The scripts the recipes run
# ask build/go.sh themselves (it answers GO when that is set).
GO       ?= $(eval GO := $(or $(shell build/go.sh),$(error build/go.sh found no go and brought none, see above)))$(GO)
GOFMT     = $(shell $(GO) env GOROOT)/bin/gofmt
# Every go command runs with the flags of the release build, so that the
# tests, `make run` and the packages share what they compiled (why, in
# build/goenv.sh).
GOENV    := build/goenv.sh
MODULE   := github.com/tunduk-onboard/tunduk-onboard
# no_emoji: Fyne's colour emoji font (4 MB) out of the wizard. Fyne parsed
# it once per text style as the last fallback for signs its text fonts
# lack, about 20 MB of the idle wizard; none of our words needs it
# (app/fonts_test.go). build/package.sh gives fyne package the same.
TAGS     := migrated_fynedo,no_emoji
VERSION  := $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
LDFLAGS  := -s -w -X $(MODULE)/internal/version.Version=$(VERSION)
# Fyne needs a UTF-8 locale; tests must not write into the real $HOME.
export LANG := en_US.UTF-8
# A count, not a duration: go1.26's fuzz coordinator can report its own
# -fuzztime deadline as a failure ("context deadline exceeded", no input
# written; golang/go#75804, fixed in go1.27). 120000 runs are about 15 s
# here on two cores, longer on a loaded machine, never a false failure.
FUZZTIME ?= 120000x

.PHONY: all deps build run test lint bench fuzz clean tools package test-package test-bootstrap test-window gallery screenshot-install print-go

all: build

deps:
	@build/deps.sh

build: bin/tunduk-onboard bin/tunduk-onboard-cli bin/tunduk-onboard-cli-static

# bin/ holds builds for this machine, compiled as the tests and the release
# are (build/goenv.sh), so `make run` after `make test` only links, where a
# different flag would compile Fyne and its OpenGL bindings again
# (minutes). The release files (make package) come from a clean copy.
bin/tunduk-onboard: FORCE
	$(GOENV) $(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $@ .

# The full CLI links the PKCS#11 loader (cgo) for the token verbs.
bin/tunduk-onboard-cli: FORCE
	$(GOENV) $(GO) build -ldflags '$(LDFLAGS)' -o $@ ./cmd/tunduk-onboard-cli

# The self-check to copy onto a server: static, no cgo, so it runs on any
# Ubuntu LTS whatever its glibc; it has every verb but the token ones.
bin/tunduk-onboard-cli-static: FORCE
	CGO_ENABLED=0 $(GOENV) $(GO) build -ldflags '$(LDFLAGS)' -o $@ ./cmd/tunduk-onboard-cli

run: deps bin/tunduk-onboard
	./bin/tunduk-onboard

lint:
	@out=$$($(GOFMT) -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GOENV) $(GO) vet -tags $(TAGS),ci ./...
	$(GOENV) $(GO) vet -tags window ./build/window/

# The whole suite: unit, parser, real sshd, SoftHSM, booted hosts, Fyne
# test-driver GUI tests, with the release packages building beside them;
# then the packaging tests with the real-window walk beside them, and a
# short fuzz run (build/test-all.sh).
test: deps tools
	build/test-all.sh

fuzz:
	$(GOENV) $(GO) test -run=NONE -fuzz=FuzzParseProbe -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s ./checks/

# Every benchmark runs; the target fails if any missed its goal.
bench: deps bin/tunduk-onboard bin/tunduk-onboard-cli
	@rc=0; build/bench.sh || rc=$$?; build/bench-status.sh || rc=$$?; build/bench-token.sh || rc=$$?; \
	  build/bench-install.sh || rc=$$?; build/bench-ansible.sh || rc=$$?; TAGS=$(TAGS) build/bench-start.sh || rc=$$?; exit $$rc

clean:
	rm -rf bin dist

# Which go the recipes use (build/test-bootstrap.sh checks it).
print-go:
	@echo $(GO)
	@$(GO) version

# The Go bootstrap on a machine with none: a clean Debian root of its own,
# build/deps.sh --go-only there, cold, warm, and after rm -rf. `make test`
# runs the same checks (but the rm -rf) in test-package.sh's root, step 6.
test-bootstrap:
	build/test-bootstrap.sh

# Packaging tools, pinned, built from the Go module proxy into tools/bin
# (gitignored). fyne.io/tools v1.7.2 is the newest the proxy serves here
# (v1.7.1 and v1.8.0 are refused); it packages Fyne 2.8 apps.
FYNE_TOOLS_VERSION := v1.7.2
tools:
	@build/package-tools.sh fyne.io/tools/cmd/fyne $(FYNE_TOOLS_VERSION) tools/bin/fyne

# dist/: the Windows .exe (signed when SIGN_* is set, see
# build/package-sign.sh), the Linux .tar.xz and .deb, the CLI for
# linux/amd64 and windows/amd64, SHA256SUMS. The version: FyneApp.toml.
package: deps tools
	build/package.sh

# The wizard in a real window under Xvfb, driven by real X input through
# every step, button and dialog in en, ru and ky at 1280x800 and 1024x768
# (build/test-window.sh; make test runs it on the release build).
test-window: deps bin/tunduk-onboard
	WALK_BIN=$(CURDIR)/bin/tunduk-onboard build/test-window.sh

# The README gallery (docs/gallery) from the walk's screenshots.
gallery: deps bin/tunduk-onboard
	WALK_BIN=$(CURDIR)/bin/tunduk-onboard WALK_GALLERY=$(CURDIR)/docs/gallery WALK_ONLY="en-1280x800 ru-1280x800 ky-1280x800" build/test-window.sh

# Only the packaging tests (make test runs them too): wine, a clean Debian
# root for the .deb, Authenticode signing.
test-package: deps tools
	build/test-package.sh

# The Install step during a real install onto a booted Debian host,
# rendered by the GUI test that drives it (docs/screenshot-install-run.png).
screenshot-install: deps
	TUNDUK_SCREENSHOT_DIR=$(CURDIR)/docs build/test.sh -run '^TestInstallStepRealHost$$' -v

FORCE:
