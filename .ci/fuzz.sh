#!/usr/bin/env bash
# A short fuzzing run of every target in fuzz/ (workbook reader; amounts, codes, dates), from the
# committed seed corpus. cargo-fuzz needs unstable compiler flags; the machine has one stable
# toolchain, so RUSTC_BOOTSTRAP=1 lets it pass them. Any crash fails the run and leaves its
# input under fuzz/artifacts/.
#
# A libFuzzer run uses one core: the targets are built once, then run two at a time (the CI
# machine has two cores), each for FUZZ_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${FUZZ_SECONDS:-20}
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1
cargo fuzz build --sanitizer none

# One target for `seconds`; prints its statistics (and on failure the end of its log).
fuzz_one() {
  local target=$1 work log status=0
  mkdir -p "corpus/$target"
  # Fuzz into a scratch copy: the committed corpus stays the seed set.
  work=$(mktemp -d)
  cp -r "corpus/$target/." "$work/"
  log="$work.log"
  # A refused workbook must stay far below these; libFuzzer fails a run that allocates more.
  cargo fuzz run --sanitizer none "$target" "$work" -- \
    -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=512 -timeout=10 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E "^stat::number_of_executed_units|^Done|ERROR|SUMMARY|panicked" "$log" | sed "s/^/$target: /" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log"
    echo "fuzz target $target failed (exit $status); the input is under fuzz/artifacts/$target/"
  fi
  rm -f "$log"
  rm -rf "$work"
  return "$status"
}

failed=0
for pair in "workbook money" "codes dates"; do
  pids=()
  outs=()
  for target in $pair; do
    out=$(mktemp)
    fuzz_one "$target" >"$out" 2>&1 &
    pids+=($!)
    outs+=("$out")
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed=1
    cat "${outs[$i]}"
    rm -f "${outs[$i]}"
  done
done
exit "$failed"
