#!/usr/bin/env bash
# Checks of infra/ that run without the terraform binary:
#   1. checkov over infra/: no failed check (each skip carries its reason in a comment);
#   2. infra/check_names.py: the Terraform names what the function code uses (binaries,
#      settings, object paths, the S3 event filter), and (check_alarms.py) the alarm wiring:
#      each alarm by name, notifying var.alarm_actions; the 401 log filter against the line
#      presign/mod.rs logs; the job events' age bound against the SDK's wait; the example's
#      alarm topic key and policy, which CloudWatch must be able to publish with;
#   3. the same check on copies with one name changed in the code or one alarm broken in the
#      Terraform must fail, so neither can slip through.
# Tools go into virtual environments under target/tools (checkov pins libraries that would
# clash with the test tools installed next to it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools="$root/target/tools"
CHECKOV_VERSION=3.3.30
PYTHON_HCL2_VERSION=8.1.4

venv() {  # venv NAME PACKAGE...: a virtual environment with these packages, made once
    local dir="$tools/$1"
    shift
    if [[ ! -f "$dir/.installed" || "$(cat "$dir/.installed")" != "$*" ]]; then
        rm -rf "$dir"
        python3 -m venv "$dir"
        "$dir/bin/pip" install -q --disable-pip-version-check "$@"
        echo "$*" >"$dir/.installed"
    fi
    echo "$dir"
}
checkov_env=$(venv checkov-venv "checkov==$CHECKOV_VERSION")
hcl2_env=$(venv hcl2-venv "python-hcl2==$PYTHON_HCL2_VERSION")

echo "== infra 1/3: checkov"
# --skip-download: no Prisma Cloud guidelines (this check must work offline).
"$checkov_env/bin/checkov" -d infra --framework terraform --quiet --compact --skip-download

echo "== infra 2/3: Terraform names match the function code"
"$hcl2_env/bin/python" infra/check_names.py "$root"

echo "== infra 3/3: a rename in the code, or a broken alarm, fails the name check"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mutate() {  # mutate FILE SED-EXPRESSION: the name check must fail on a copy changed so
    local copy="$work/copy"
    rm -rf "$copy"
    mkdir -p "$copy/function" "$copy/sdk/src"
    cp -r infra "$copy/"
    cp -r function/cloud "$copy/function/"
    cp -r protocol "$copy/"
    cp sdk/src/transport.rs "$copy/sdk/src/"
    sed -i "$2" "$copy/$1"
    if cmp -s "$1" "$copy/$1"; then
        echo "mutation '$2' did not change $1" >&2
        exit 1
    fi
    if "$hcl2_env/bin/python" infra/check_names.py "$copy" >"$work/out"; then
        echo "the name check passed after '$2' in $1" >&2
        exit 1
    fi
    echo "  $1 '$2': $(head -1 "$work/out")"
}
mutate function/cloud/src/env.rs 's/"QRVEIL_KEY_CACHE_BYTES"/"QRVEIL_CACHE_BYTES"/'
mutate function/cloud/Cargo.toml 's/name = "qrveil-presign"/name = "qrveil-urls"/'
mutate protocol/src/job.rs 's|"jobs/{job}/input"|"jobs/{job}/in"|'
mutate protocol/src/job.rs 's|INPUT_SUFFIX: &str = "/input"|INPUT_SUFFIX: \&str = "/in"|'
mutate function/cloud/src/bin/qrveil-presign.rs 's/env::URL_TTL_SECONDS, //'
# The alarm wiring: the 401 log line (message, field, level, status), each alarm, the event age.
mutate function/cloud/src/presign/mod.rs 's/"presign request refused"/"presign refused"/'
mutate function/cloud/src/presign/mod.rs 's/warn!(status, /warn!(code = status, /'
mutate function/cloud/src/presign/mod.rs 's/tracing::warn!(status/tracing::debug!(status/'
mutate function/cloud/src/presign/mod.rs 's/return refuse(401, /return refuse(403, /'
mutate infra/modules/qrveil/monitoring.tf 's/"status=401/"status=40/'
mutate infra/modules/qrveil/monitoring.tf 's/"aws_cloudwatch_metric_alarm" "throttles"/"aws_cloudwatch_metric_alarm" "throttled"/'
mutate infra/modules/qrveil/monitoring.tf '/alarm_name *= "${local.function_name}-dead-letters"/,/^}/{/alarm_actions/d}'
mutate infra/modules/qrveil/monitoring.tf 's/"ApproximateNumberOfMessagesVisible"/"NumberOfMessagesSent"/'
mutate infra/modules/qrveil/functions.tf '/maximum_event_age_in_seconds/d'
mutate sdk/src/transport.rs '0,/Duration::from_secs(600)/s//Duration::from_secs(900)/'
mutate infra/examples/complete/main.tf 's|kms_master_key_id = aws_kms_key.alarms\[0\].arn|kms_master_key_id = "alias/aws/sns"|'
mutate infra/examples/complete/main.tf '/"kms:Decrypt", "kms:GenerateDataKey\*"/s/, "kms:GenerateDataKey\*"//'
mutate infra/examples/complete/main.tf '/ArnLike *= { "aws:SourceArn"/d'
echo "infra: all checks passed"
