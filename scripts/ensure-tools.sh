#!/usr/bin/env bash
# Finds or builds the real Temporal servers the engine and its tests run against, without any
# download outside the package registries. Prints nothing on success but the resolved paths
# (one `name=path` line each) so callers can `eval` or parse them.
#
# Resolution order for the `temporal` CLI (dev server):
#   1. $TEMPORAL_CLI_PATH           (explicit path, must be executable)
#   2. `temporal` on $PATH
#   3. <project>/.tools/temporal    (ignored by git)
#   4. $OUTREACH_TOOLS_DIR/temporal (default ~/.cache/outreach/tools; survives fresh clones)
#   5. the Temporal SDK's own download from Temporal's CDN (works where the internet is reachable;
#      fails within a second offline), kept in (4)
#   6. build the official CLI from the Go module proxy into (4)
#   7. stop with a message saying exactly what to install
#
# The time-skipping test server (Maven io.temporal:temporal-test-server) follows the same order with
# $TEMPORAL_TEST_SERVER_PATH, `temporal-test-server` on $PATH, .tools/, the cache, then Maven.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${OUTREACH_TOOLS_DIR:-$HOME/.cache/outreach/tools}"
TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-1.8.2}"
# cliext is a nested module of the CLI repository; this is its pseudo-version at the v1.8.2 tag.
TEMPORAL_CLIEXT_VERSION="${TEMPORAL_CLIEXT_VERSION:-v0.0.0-20260731000218-c579925f193f}"
TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.38.0}"
# The Temporal server the CLI above embeds, built as separate binaries for a multi-service cluster
# (`outreach cluster`): the server and its SQL schema tool.
TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-1.31.2}"
what="${1:-all}"

log() { echo "ensure-tools: $*" >&2; }
die() { echo "ensure-tools: $*" >&2; exit 1; }

find_temporal() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
    [ -x "$TEMPORAL_CLI_PATH" ] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file: fix the path or unset it"
    echo "$TEMPORAL_CLI_PATH"; return
  fi
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return; fi
  for p in "$here/.tools/temporal" "$cache/temporal-$TEMPORAL_CLI_VERSION" "$cache/temporal-sdk-download"; do
    if [ -x "$p" ]; then echo "$p"; return; fi
  done
  sdk_download_temporal || build_temporal
}

sdk_download_temporal() {
  [ "${OUTREACH_SKIP_SDK_DOWNLOAD:-}" = 1 ] && return 1
  [ -d "$here/node_modules/@temporalio/testing" ] || return 1
  local got
  got="$(node "$here/scripts/sdk-download-temporal.js" "$cache/sdk-download" 2>/dev/null)" || {
    log "the SDK's download of the Temporal CLI is not possible here (offline?); building it instead"
    return 1
  }
  mkdir -p "$cache"
  ln -sf "$got" "$cache/temporal-sdk-download"
  echo "$cache/temporal-sdk-download"
}

build_temporal() {
  command -v go >/dev/null 2>&1 || die "no 'temporal' CLI found and Go is not installed to build it: install Go >= 1.26 (https://go.dev/dl) or the Temporal CLI (https://docs.temporal.io/cli) and set TEMPORAL_CLI_PATH"
  local dest="$cache/temporal-$TEMPORAL_CLI_VERSION" work
  mkdir -p "$cache"
  work="$(mktemp -d)"
  log "building the Temporal CLI v$TEMPORAL_CLI_VERSION from the Go module proxy (first run only; a few minutes)"
  cat >"$work/go.mod" <<GOMOD
module outreach/temporal-cli-build

go 1.26

require github.com/temporalio/cli v$TEMPORAL_CLI_VERSION

replace github.com/temporalio/cli/cliext => github.com/temporalio/cli/cliext $TEMPORAL_CLIEXT_VERSION
GOMOD
  cat >"$work/tools.go" <<'GOSRC'
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
GOSRC
  (
    cd "$work"
    export CGO_ENABLED=0 GOFLAGS=-mod=mod
    go mod tidy >&2 &&
    go build -trimpath -ldflags "-s -w -X github.com/temporalio/cli/internal/temporalcli.Version=$TEMPORAL_CLI_VERSION" \
      -o "$dest.partial" github.com/temporalio/cli/cmd/temporal >&2
  ) || { rm -rf "$work" "$dest.partial"; die "building the Temporal CLI failed (see above): check that the Go module proxy is reachable (go env GOPROXY), or install the Temporal CLI yourself and set TEMPORAL_CLI_PATH"; }
  mv "$dest.partial" "$dest"
  rm -rf "$work"
  echo "$dest"
}

find_test_server() {
  if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then
    [ -x "$TEMPORAL_TEST_SERVER_PATH" ] || die "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable file: fix the path or unset it"
    echo "$TEMPORAL_TEST_SERVER_PATH"; return
  fi
  if command -v temporal-test-server >/dev/null 2>&1; then command -v temporal-test-server; return; fi
  for p in "$here/.tools/temporal-test-server" "$cache/temporal-test-server-$TEST_SERVER_VERSION/run"; do
    if [ -x "$p" ]; then echo "$p"; return; fi
  done
  fetch_test_server
}

fetch_test_server() {
  command -v java >/dev/null 2>&1 || die "no time-skipping test server found and Java is not installed: install a JDK >= 11 and Maven, or set TEMPORAL_TEST_SERVER_PATH"
  command -v mvn >/dev/null 2>&1 || die "no time-skipping test server found and Maven is not installed: install Maven (apt-get install maven), or set TEMPORAL_TEST_SERVER_PATH"
  local dir="$cache/temporal-test-server-$TEST_SERVER_VERSION" work
  mkdir -p "$cache"
  work="$(mktemp -d)"
  log "fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION and its dependencies from Maven Central (first run only)"
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>outreach</groupId><artifactId>test-server-fetch</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$TEST_SERVER_VERSION</version></dependency>
  </dependencies>
</project>
POM
  rm -rf "$dir.partial"; mkdir -p "$dir.partial/lib"
  (cd "$work" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$dir.partial/lib" -DincludeScope=runtime >&2) \
    || { rm -rf "$work" "$dir.partial"; die "fetching the time-skipping test server from Maven Central failed (see above): check Maven's network settings, or set TEMPORAL_TEST_SERVER_PATH"; }
  # The SDK spawns `<exe> <port>` with no shell, so a small launcher script stands in for the JVM.
  # C1-only JIT and a small heap make the JVM listen well inside the SDK's ~5 s start-up window.
  cat >"$dir.partial/run" <<'RUN'
#!/bin/sh
dir="$(dirname "$0")"
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xshare:auto -cp "$dir/lib/*" io.temporal.testserver.TestServer "$@"
RUN
  chmod +x "$dir.partial/run"
  rm -rf "$dir"; mv "$dir.partial" "$dir"
  rm -rf "$work"
  echo "$dir/run"
}

# The Temporal server (`temporal-server`) and SQL schema tool (`temporal-sql-tool`) for `outreach
# cluster`: $TEMPORAL_SERVER_DIR (a folder holding both), the cache, then a build from the Go module
# proxy into the cache. The SQL schemas are embedded in the tool (--schema-name postgresql/v12/...).
find_server() {
  if [ -n "${TEMPORAL_SERVER_DIR:-}" ]; then
    [ -x "$TEMPORAL_SERVER_DIR/temporal-server" ] && [ -x "$TEMPORAL_SERVER_DIR/temporal-sql-tool" ] \
      || die "TEMPORAL_SERVER_DIR=$TEMPORAL_SERVER_DIR must hold executable temporal-server and temporal-sql-tool: fix the path or unset it"
    echo "$TEMPORAL_SERVER_DIR"; return
  fi
  local dir="$cache/temporal-server-$TEMPORAL_SERVER_VERSION"
  if [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ]; then echo "$dir"; return; fi
  command -v go >/dev/null 2>&1 || die "no Temporal server found and Go is not installed to build it: install Go >= 1.26 (https://go.dev/dl), or put temporal-server and temporal-sql-tool in a folder and set TEMPORAL_SERVER_DIR"
  log "building the Temporal server v$TEMPORAL_SERVER_VERSION and its SQL tool from the Go module proxy (first run only; several minutes)"
  rm -rf "$dir.partial"; mkdir -p "$dir.partial"
  (
    export CGO_ENABLED=0 GOFLAGS=-mod=mod
    GOBIN="$dir.partial" go install -trimpath -ldflags "-s -w" \
      "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION" >&2
  ) || { rm -rf "$dir.partial"; die "building the Temporal server failed (see above): check that the Go module proxy is reachable (go env GOPROXY), or set TEMPORAL_SERVER_DIR"; }
  mv "$dir.partial/server" "$dir.partial/temporal-server"
  mv "$dir.partial/sql" "$dir.partial/temporal-sql-tool"
  rm -rf "$dir"; mv "$dir.partial" "$dir"
  echo "$dir"
}

# Each lookup runs in a command substitution; `|| exit 1` carries its failure out (set -e does not).
case "$what" in
  temporal|test-server|server|all) ;;
  *) die "unknown argument '$what': use temporal, test-server, server or all" ;;
esac
if [ "$what" = temporal ] || [ "$what" = all ]; then t="$(find_temporal)" || exit 1; echo "temporal=$t"; fi
if [ "$what" = test-server ] || [ "$what" = all ]; then s="$(find_test_server)" || exit 1; echo "test-server=$s"; fi
if [ "$what" = server ] || [ "$what" = all ]; then d="$(find_server)" || exit 1; echo "server=$d"; fi
