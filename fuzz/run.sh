#!/usr/bin/env bash
# Fuzz every reader of untrusted bytes for SECONDS each and print, per target, the executions
# and the crashes found (a crash's input lands in fuzz/artifacts/<target>/; replay it with
# `cargo +nightly fuzz run -O -s none <target> <file>`). Corpora grow in fuzz/corpus/<target>/ between
# runs and start from the real objects fuzz/seeds.sh makes. Exit status 1 if anything crashed.
# Usage: fuzz/run.sh SECONDS [TARGET ...]     every target (or those named) for SECONDS each
#        FUZZ_RUNS=N fuzz/run.sh SECONDS ...   each stops at N executions if that comes first
# CI runs `fuzz/run.sh 15`. The long run, 10^6 executions per target, is
# `FUZZ_RUNS=1000000 fuzz/run.sh 1200` (about 12 minutes on two cores; fit_example is slowest).
# Needs the nightly toolchain; installs cargo-fuzz if it is missing.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET ...]}
shift
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --quiet --locked cargo-fuzz --version 0.13.2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)

# Seeds for every target, made again when one has none (a target added since they were made).
for t in "${targets[@]}"; do [ -d "seeds/$t" ] || { ./seeds.sh; break; }; done
# No sanitizer: the project forbids unsafe code, and without ASan the targets run ~3x more
# executions in the same time. -O: without debug assertions in the dependencies (with them,
# tfhe-fft alone takes over 30 minutes to compile); our crates keep theirs (Cargo.toml).
# The fuzz crate is outside the workspace, so tools/gates.sh does not lint it: clippy here, with
# the workspace's warnings as errors (its dependencies are only checked, not built, for this).
echo "clippy on the fuzz targets ..."
cargo +nightly clippy --quiet --bins -- -D warnings
echo "building ${#targets[@]} fuzz targets (nightly, coverage instrumented) ..."
cargo +nightly fuzz build -O --sanitizer none >/dev/null 2>build.log || { cat build.log >&2; exit 1; }

mkdir -p logs
run() {
    local t=$1
    mkdir -p "corpus/$t" "artifacts/$t"
    local before after
    before=$(find "artifacts/$t" -type f | wc -l)
    # -rss_limit_mb: a reader that allocates without bound is a crash too.
    cargo +nightly fuzz run -O --sanitizer none "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=4096 -timeout=30 \
        -max_len=131072 ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} >"logs/$t.log" 2>&1 || true
    after=$(find "artifacts/$t" -type f | wc -l)
    local runs
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*$' || echo 0)
    printf '%-22s %12s executions %4d crashes\n' "$t" "$runs" "$((after - before))" >"logs/$t.summary"
}

# Two targets at a time, one per core: the next starts as soon as either ends.
running=0
for t in "${targets[@]}"; do
    if [ $running -ge 2 ]; then wait -n; running=$((running - 1)); fi
    run "$t" &
    running=$((running + 1))
done
wait
echo "target                   executions          crashes   (at most ${seconds} s${FUZZ_RUNS:+ or $FUZZ_RUNS executions} each)"
crashed=0
for t in "${targets[@]}"; do
    cat "logs/$t.summary"
    # A target that ran nothing failed to start: as bad as a crash.
    grep -q ' 0 crashes' "logs/$t.summary" && ! grep -q ' 0 executions' "logs/$t.summary" || crashed=1
done
if [ $crashed -ne 0 ]; then
    echo "crashes found (or a target that did not run): see fuzz/logs/<target>.log and fuzz/artifacts/<target>/" >&2
    exit 1
fi
