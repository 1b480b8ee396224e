#!/usr/bin/env bash
# The cloud path on emulators, all on 127.0.0.1 with free ports:
#   - moto server: the S3, SQS and Secrets Manager protocols (bucket, its ObjectCreated
#     notification for jobs/*/input, the presign token's secret);
#   - cargo-lambda's Lambda runtime API emulator, with the real handler binaries attached to it
#     (two instances of qrveil-function, one of qrveil-presign);
#   - tests/cloud/bridge.py, standing in for S3's Lambda trigger: moto sends its notifications to
#     SQS and the bridge invokes the function with them.
# Then it runs tests/tests/emulated_cloud.rs against them, and stops every process it started.
#
# Before the tests, docs/cloud.md's `qrveil --remote` commands run against them (both modes).
#
# Needs: python3 with moto[server] (and its boto3), cargo-lambda (pip install "moto[server]"
# cargo-lambda), zbarimg. Usage: tests/emulated-cloud.sh [extra cargo test args]
#                          tests/emulated-cloud.sh leaked_token   (that suite alone)
set -euo pipefail
cd "$(dirname "$0")/.."
SUITE=all
if [ "${1:-}" = leaked_token ]; then SUITE=leaked_token; shift; fi

for need in cargo-lambda python3 zbarimg; do
  command -v "$need" >/dev/null || { echo "emulated-cloud: $need is missing (pip install \"moto[server]\" cargo-lambda)" >&2; exit 2; }
done
python3 -c 'import moto.server, boto3' 2>/dev/null || { echo "emulated-cloud: python moto[server] is missing (pip install \"moto[server]\")" >&2; exit 2; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    for log in "$WORK"/*.log; do [ -e "$log" ] && { echo "--- last lines of $(basename "$log")"; tail -n 30 "$log" | redact; }; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# What a failing run prints of the logs keeps no secret: the bearer token, and the signatures
# and credentials of presigned URLs (moto logs each request line), become placeholders.
redact() {
  local token
  token=$(cat "$WORK/token" 2>/dev/null || true)
  sed -E -e "s#${token:-no token yet}#<token>#g" \
    -e 's/(X-Amz-(Signature|Credential|Security-Token)=)[^&" ]*/\1<redacted>/g' \
    -e 's/(Bearer )[A-Za-z0-9._~+\/=-]+/\1<redacted>/g'
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { # port name
  for _ in $(seq 1 150); do
    python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "emulated-cloud: $2 did not start on port $1" >&2
  return 1
}

# The same package selection as README's `cargo test --workspace`, so features resolve the same
# way and nothing is compiled again (a build of one package alone would rebuild tfhe).
echo "emulated-cloud: building the handler binaries and the CLI"
cargo build --locked --workspace --all-targets
BIN=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/debug

# A throwaway account: never the caller's credentials or config.
export AWS_ACCESS_KEY_ID=emulated AWS_SECRET_ACCESS_KEY=emulated AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
S3_PORT=$(free_port)
S3="http://127.0.0.1:$S3_PORT"
BUCKET=qrveil-emulated
SECRET_ID=qrveil-presign-token
python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$WORK/token"
# The redaction must hold before anything can fail.
if printf 'token=%s Authorization: Bearer xyz-123 GET /b/k?X-Amz-Credential=AKID%%2F1&X-Amz-Signature=f00d HTTP/1.1\n' "$(cat "$WORK/token")" \
  | redact | grep -q -e "$(cat "$WORK/token")" -e xyz-123 -e AKID -e f00d; then
  echo "emulated-cloud: redact lets a secret through" >&2
  exit 1
fi

python3 -m moto.server -H 127.0.0.1 -p "$S3_PORT" > "$WORK/moto.log" 2>&1 &
PIDS+=($!)
wait_port "$S3_PORT" "moto server"
QUEUE_URL=$(python3 tests/cloud/setup.py "$S3" "$BUCKET" qrveil-job-events "$SECRET_ID" "$WORK/token" qrveil-limits qrveil-limits-budget)

LAMBDA_PORT=$(free_port)
cargo lambda watch --only-lambda-apis --locked -A 127.0.0.1 -P "$LAMBDA_PORT" --manifest-path function/cloud/Cargo.toml > "$WORK/lambda-emulator.log" 2>&1 &
PIDS+=($!)
wait_port "$LAMBDA_PORT" "cargo lambda watch"
LAMBDA="http://127.0.0.1:$LAMBDA_PORT"

start_function() { # name log [extra env...]
  start_function_on "$LAMBDA_PORT" "$@"
}
start_function_on() { # emulator-port name log [extra env...]
  local port=$1 name=$2 log=$3
  shift 3
  env AWS_LAMBDA_RUNTIME_API="http://127.0.0.1:$port/.rt/$name" AWS_LAMBDA_FUNCTION_NAME="$name" \
    AWS_LAMBDA_FUNCTION_VERSION=1 AWS_LAMBDA_FUNCTION_MEMORY_SIZE=10240 \
    AWS_ENDPOINT_URL="$S3" QRVEIL_S3_FORCE_PATH_STYLE=1 QRVEIL_BUCKET="$BUCKET" "$@" \
    "$BIN/$name" > "$WORK/$log.log" 2>&1 &
  PIDS+=($!)
}
start_emulator() { # port log: one more Lambda runtime API emulator
  cargo lambda watch --only-lambda-apis --locked -A 127.0.0.1 -P "$1" --manifest-path function/cloud/Cargo.toml > "$WORK/$2.log" 2>&1 &
  PIDS+=($!)
  wait_port "$1" "cargo lambda watch ($2)"
}
FUNCTION_PIDS=()
# A deployment serving both tiers (Terraform's pbs_tier = true): the function evaluates PBS jobs
# and the presign endpoint hands out server-key uploads.
start_function qrveil-function function-1 QRVEIL_PBS_TIER=1
FUNCTION_PIDS[1]=$!
start_function qrveil-function function-2 QRVEIL_PBS_TIER=1
FUNCTION_PIDS[2]=$!
# At trace, the most an operator can ask for: log_secrets then searches the most that is logged.
start_function qrveil-presign presign QRVEIL_PBS_TIER=1 QRVEIL_TOKEN_SECRET_ID="$SECRET_ID" QRVEIL_URL_TTL_SECONDS=900 AWS_LAMBDA_LOG_LEVEL=trace
# Two more presign endpoints, each behind an emulator of its own, metered as a deployment is
# (tests/tests/leaked_token.rs): one where a client floods, with tight per-client limits (every
# emulated client shares 127.0.0.1, so the per-address bucket is wide), and one with a small
# daily budget to spend. Jobs from either run on the function above (one bucket).
LIMITED_PORT=$(free_port)
start_emulator "$LIMITED_PORT" lambda-emulator-limited
start_function_on "$LIMITED_PORT" qrveil-presign presign-limited QRVEIL_PBS_TIER=1 QRVEIL_TOKEN_SECRET_ID="$SECRET_ID" \
  QRVEIL_LIMITS_TABLE=qrveil-limits QRVEIL_CLIENT_BURST=10 QRVEIL_CLIENT_PER_MINUTE=120 \
  QRVEIL_ADDRESS_BURST=5000 QRVEIL_ADDRESS_PER_MINUTE=60000 QRVEIL_DAILY_JOBS=100000
BUDGET_PORT=$(free_port)
start_emulator "$BUDGET_PORT" lambda-emulator-budget
start_function_on "$BUDGET_PORT" qrveil-presign presign-budget QRVEIL_PBS_TIER=1 QRVEIL_TOKEN_SECRET_ID="$SECRET_ID" \
  QRVEIL_LIMITS_TABLE=qrveil-limits-budget QRVEIL_DAILY_JOBS=25 QRVEIL_DAILY_KEY_UPLOADS=2 \
  QRVEIL_ADDRESS_BURST=5000 QRVEIL_ADDRESS_PER_MINUTE=60000

python3 tests/cloud/bridge.py "$S3" "$QUEUE_URL" "$LAMBDA/2015-03-31/functions/qrveil-function/invocations" > "$WORK/bridge.log" 2>&1 &
PIDS+=($!)

echo "emulated-cloud: S3 $S3, Lambda $LAMBDA"
run_leaked_token() {
  echo "emulated-cloud: a leaked token (one client floods, the daily budget is spent)"
  QRVEIL_EMU_LIMITED="http://127.0.0.1:$LIMITED_PORT/lambda-url/qrveil-presign/" \
    QRVEIL_EMU_BUDGET="http://127.0.0.1:$BUDGET_PORT/lambda-url/qrveil-presign/" QRVEIL_EMU_TOKEN_FILE="$WORK/token" \
    cargo test --locked --workspace --test leaked_token -- --ignored --test-threads 1 --nocapture "$@"
}
if [ "$SUITE" = leaked_token ]; then
  run_leaked_token "$@"
  exit 0
fi
# docs/cloud.md's --remote commands, each checked by a decoder nobody here wrote.
cli_check() { # payload png [qrveil args...]
  local payload=$1 png=$2
  shift 2
  QRVEIL_HOME="$WORK/home" "$BIN/qrveil" --remote "$@" -q -o "$png" "$payload"
  local decoded
  decoded=$(zbarimg -q --raw "$png" 2>/dev/null)
  [ "$decoded" = "$payload" ] || { echo "emulated-cloud: $png decodes to '$decoded', not '$payload'" >&2; return 1; }
  echo "emulated-cloud: qrveil --remote $1 ... wrote a code that zbarimg reads back"
}
QRVEIL_TOKEN=$(cat "$WORK/token") cli_check "cli via presign" "$WORK/presign.png" --presign-url "$LAMBDA/lambda-url/qrveil-presign/"
cli_check "cli via bucket" "$WORK/bucket.png" --bucket "$BUCKET" --endpoint "$S3" --region us-east-1 --style dots

# A function killed mid-job: both instances die while a PBS-tier job runs (its invocation then
# answers nothing), come back, and the trigger's retry runs the job to the end.
echo "emulated-cloud: killing the function mid-job"
before=$(grep -c "bridge: invoking" "$WORK/bridge.log" || true)
failed_before=$(grep -c "invocation failed" "$WORK/bridge.log" || true)
killed_at=$SECONDS
QRVEIL_HOME="$WORK/home" QRVEIL_TOKEN=$(cat "$WORK/token") "$BIN/qrveil" --remote --presign-url "$LAMBDA/lambda-url/qrveil-presign/" \
  --tier pbs --style rounded --version 1 -q -o "$WORK/killed.png" "killed mid-job" &
CLI_PID=$!
for _ in $(seq 1 300); do
  [ "$(grep -c "bridge: invoking" "$WORK/bridge.log" || true)" -gt "$before" ] && break
  sleep 0.1
done
sleep 1
for i in 1 2; do disown "${FUNCTION_PIDS[$i]}"; kill -9 "${FUNCTION_PIDS[$i]}"; done
start_function qrveil-function function-1b
FUNCTION_PIDS[1]=$!
start_function qrveil-function function-2b
FUNCTION_PIDS[2]=$!
wait "$CLI_PID" || { echo "emulated-cloud: the job killed mid-way did not finish" >&2; exit 1; }
[ "$(zbarimg -q --raw "$WORK/killed.png")" = "killed mid-job" ] || { echo "emulated-cloud: killed.png reads wrong" >&2; exit 1; }
failed=$(($(grep -c "invocation failed" "$WORK/bridge.log") - failed_before))
echo "emulated-cloud: the job killed mid-way finished in $((SECONDS - killed_at)) s, after $failed failed invocation(s); zbarimg reads it"

echo "emulated-cloud: running the tests"
QRVEIL_EMU_S3="$S3" QRVEIL_EMU_LAMBDA="$LAMBDA" QRVEIL_EMU_BUCKET="$BUCKET" QRVEIL_EMU_TOKEN_FILE="$WORK/token" \
  cargo test --locked --workspace --test emulated_cloud -- --ignored --test-threads 1 --nocapture "$@"

echo "emulated-cloud: faults"
QRVEIL_EMU_S3="$S3" QRVEIL_EMU_LAMBDA="$LAMBDA" QRVEIL_EMU_TOKEN_FILE="$WORK/token" QRVEIL_EMU_BUCKET="$BUCKET" \
  cargo test --locked --workspace --test faults -- --ignored --test-threads 1 --nocapture

echo "emulated-cloud: ${QRVEIL_LOAD_JOBS:-100} concurrent jobs"
QRVEIL_EMU_LAMBDA="$LAMBDA" QRVEIL_EMU_TOKEN_FILE="$WORK/token" \
  cargo test --locked --workspace --test load -- --ignored --nocapture

run_leaked_token

# Last, so that it searches the logs of every job above too.
echo "emulated-cloud: searching every log for secrets"
QRVEIL_EMU_LAMBDA="$LAMBDA" QRVEIL_EMU_TOKEN_FILE="$WORK/token" QRVEIL_EMU_LOGS="$WORK" QRVEIL_EMU_CLI="$BIN/qrveil" \
  cargo test --locked --workspace --test log_secrets -- --ignored --nocapture
