#!/usr/bin/env bash
# The report in a real headless browser: run a bundled scenario and a small sweep with the given
# ccsim binary, write their report.html, load each in headless Chromium (Debian's `chromium`
# package, installed here with apt-get if missing), and fail if the page logs a console error
# or its screenshot is blank.
#
#   tests/browser/run.sh [CCSIM_BINARY]      (default target/release/ccsim)
#
# Prints "SKIP: reason" and exits 0 only where Chromium is missing and cannot be installed
# (no apt-get, or not root). Keeps its files in $KEEP (default: a temporary folder, removed).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-target/release/ccsim}
HERE=tests/browser

if [ ! -x "$BIN" ]; then
    echo "FAIL: $BIN is not an executable ccsim binary (build it: cargo build --release)" >&2
    exit 1
fi

browser() {
    command -v chromium || command -v chromium-browser || true
}

if [ -z "$(browser)" ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "SKIP: chromium is not installed and apt-get is not available to install it"
        exit 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: chromium is not installed and installing it with apt-get needs root"
        exit 0
    fi
    echo "installing chromium (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q chromium >/dev/null 2>&1; then
        apt-get update -q >/dev/null
        apt-get install -y -q chromium >/dev/null
    fi
fi
CHROMIUM=$(browser)
if [ -z "$CHROMIUM" ]; then
    echo "FAIL: chromium is still missing after apt-get install" >&2
    exit 1
fi
"$CHROMIUM" --version 2>/dev/null || true

if [ -n "${KEEP:-}" ]; then
    T=$KEEP
    mkdir -p "$T"
else
    T=$(mktemp -d)
    trap 'rm -rf "$T"' EXIT
fi
T=$(cd "$T" && pwd)

# A run of the richest bundled scenario, and a small sweep of it (compared with its base).
"$BIN" run scenarios/journey-rich.toml --replications 2 --out "$T/run" --quiet --report
cat >"$T/sweep.toml" <<EOF
[sweep]
base = "$PWD/scenarios/journey-rich.toml"
compare_to = "base"
replications = 2
[sweep.vary]
"group.care.agents" = [38, 44]
"policy.context" = ["shared", "siloed"]
EOF
"$BIN" sweep "$T/sweep.toml" --out "$T/sweep" --quiet --report

failed=0
check() {
    local name=$1 page=$2
    local profile
    profile=$(mktemp -d "$T/profile.XXXXXX")
    local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
        --disable-background-networking --disable-component-update --disable-sync
        --disable-default-apps --disable-extensions --user-data-dir="$profile")
    # Screenshot with the browser's log on stderr: console messages appear there as
    # "CONSOLE(…)" / "Uncaught …" lines.
    timeout 120 "$CHROMIUM" "${flags[@]}" --enable-logging=stderr --v=0 \
        --screenshot="$T/$name.png" --window-size=1280,4000 "file://$page" \
        >"$T/$name.stdout" 2>"$T/$name.log" || {
        echo "FAIL: $name: chromium exited with $? (log: $T/$name.log)"
        tail -20 "$T/$name.log"
        failed=1
        return
    }
    # The page as the browser built it: it must hold the charts.
    timeout 120 "$CHROMIUM" "${flags[@]}" --dump-dom "file://$page" \
        >"$T/$name.dom" 2>>"$T/$name.log" || true
    if grep -E "CONSOLE|Uncaught|ERROR:CONSOLE|console\.error" "$T/$name.log"; then
        echo "FAIL: $name: console errors (above)"
        failed=1
    fi
    local svgs
    svgs=$(grep -o "<svg" "$T/$name.dom" | wc -l)
    if [ "$svgs" -lt 8 ]; then
        echo "FAIL: $name: the browser's page holds $svgs charts, want at least 8"
        failed=1
    fi
    if [ ! -s "$T/$name.png" ]; then
        echo "FAIL: $name: no screenshot"
        failed=1
        return
    fi
    if command -v python3 >/dev/null 2>&1; then
        if ! python3 "$HERE/png_check.py" "$T/$name.png" 200 0.03; then
            echo "FAIL: $name: the screenshot looks blank"
            failed=1
        fi
    else
        # Weak fallback without python3: a blank 1280x4000 page compresses to a few kB.
        local size
        size=$(wc -c <"$T/$name.png")
        echo "python3 missing: checking the screenshot's size only ($size bytes)"
        if [ "$size" -lt 100000 ]; then
            echo "FAIL: $name: the screenshot is only $size bytes: blank?"
            failed=1
        fi
    fi
    echo "$name: $svgs charts in the browser's page, no console errors"
}

check run "$T/run/report.html"
check sweep "$T/sweep/report.html"

if [ "$failed" != 0 ]; then
    echo "browser: 0 passed, 1 failed"
    exit 1
fi
echo "browser: 2 passed, 0 failed"
