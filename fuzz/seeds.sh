#!/usr/bin/env bash
# Seed corpora from real objects: runs the CLI's local mode (the function in process, a folder
# as the bucket) on both tiers and keeps what it wrote (manifests, inputs, outputs, statuses,
# keys), prints every built-in style document, makes fit examples with python-qrcode and a
# fitted look from them, and logos. Writes fuzz/seeds/<target>/ (replaced on every run).
# Usage: fuzz/seeds.sh   (needs python3 with qrcode[pil], as .ci/run installs)
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same package selection as README's test command, so nothing is compiled again after it.
(cd "$root" && cargo build --quiet --locked --workspace --all-targets)
qrveil() { "$root/target/debug/qrveil" --store-dir "$work/bucket" --key-dir "$work/keys" --quiet "$@"; }

rm -rf seeds
for t in manifest status presign_request presign_answer s3_event keys linear_ciphertexts pbs_ciphertexts style_document fit_example logo; do
    mkdir -p "seeds/$t"
done

# Jobs on both tiers, at two versions; each job's objects are kept as the bucket holds them.
# The ciphertext targets read version 1 of style fluid, so those are the seeds that parse.
qrveil "fuzz seed one" --style fluid --version 1 -o "$work/a.png"
qrveil "fuzz seed two" --style rounded --version 3 --svg -o "$work/b.svg"
qrveil "fuzz seed pbs" --style fluid --version 1 --tier pbs -o "$work/c.png"
# A wide fitted look (its manifest carries the class program), fitted from python-qrcode's
# dots sized by their dark neighbours, and run on the PBS tier.
python3 "$root/tools/fit/examples.py" "$work/wide" --drawer density --mask radial --count 6 --versions 1-2 --box-size 4 --border 2 >/dev/null
"$root/target/debug/qrveil" style fit "$work/wide" -o "$work/fitted-wide.json" --model wide -q
qrveil "fuzz seed wide" --style-file "$work/fitted-wide.json" -o "$work/d.png"
n=0
for job in "$work"/bucket/jobs/*/; do
    n=$((n + 1))
    cp "$job/manifest" "seeds/manifest/job-$n"
    cp "$job/status" "seeds/status/job-$n"
    tier=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tier"])' "$job/manifest")
    target=$([ "$tier" = pbs ] && echo pbs_ciphertexts || echo linear_ciphertexts)
    { printf '\000'; cat "$job/input"; } >"seeds/$target/input-$n"
    { printf '\001'; cat "$job/output"; } >"seeds/$target/output-$n"
    id=$(basename "$job")
    printf '{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"qrveil-jobs"},"object":{"key":"jobs/%s/input","size":%d}}}]}' \
        "$id" "$(stat -c %s "$job/input")" >"seeds/s3_event/record-$n"
    printf '{"job_id":"%s"}' "$id" >"seeds/s3_event/direct-$n"
    # The presign endpoint's answer for this job, as qrveil-presign writes it (status 200 first).
    { printf '\002\000'; printf '{"job_id":"%s","server_key_put":null,"manifest_put":"https://b.s3.amazonaws.com/jobs/%s/manifest?X-Amz-Signature=00","input_put":"https://b.s3.amazonaws.com/jobs/%s/input?X-Amz-Signature=00","status_get":"https://b.s3.amazonaws.com/jobs/%s/status?X-Amz-Signature=00","output_get":"https://b.s3.amazonaws.com/jobs/%s/output?X-Amz-Signature=00","expires_in_seconds":3600}' \
        "$id" "$id" "$id" "$id" "$id"; } >"seeds/presign_answer/job-$n"
done
{ printf '\000\000'; printf '{"error":"missing or wrong bearer token (Authorization: Bearer <token>)"}'; } >seeds/presign_answer/refused
printf '{}' >seeds/presign_request/linear
printf '{"client_id":"0123456789abcdef0123456789abcdef","sizes":{"manifest":912,"input":40960}}' >seeds/presign_request/linear-sized
# A class program whose noise level wrapped a u32 to 0 (a zero lookup scaled by 16 eight
# times, added, looked up): the analysis must refuse it, not overflow.
printf '%s' '{"format_version":3,"params":"tfhe-1.8/V1_8_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128+V1_8_COMP_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128","style":"fitted-wide","tier":"pbs","encodings":[],"key_id":"0000000000000000000000000000000000000000000000000000000000000000","modules":21,"created_at":1767225600,"program":{"version":1,"programs":[{"domain":"modules","nodes":[{"op":"stencil","taps":[{"dx":0,"dy":0,"weight":1}]},{"op":"lut","input":0,"table":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]},{"op":"scale","input":1,"by":16},{"op":"scale","input":2,"by":16},{"op":"scale","input":3,"by":16},{"op":"scale","input":4,"by":16},{"op":"scale","input":5,"by":16},{"op":"scale","input":6,"by":16},{"op":"scale","input":7,"by":16},{"op":"scale","input":8,"by":16},{"op":"add","a":0,"b":9},{"op":"lut","input":10,"table":[0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}],"output":11}]}}' >seeds/manifest/noise-wraps
for key in "$work"/bucket/keys/*/; do
    printf '{"key_id":"%s"}' "$(basename "$key")" >seeds/presign_request/pbs
    printf '{"key_id":"%s","client_id":"fedcba9876543210fedcba9876543210","sizes":{"manifest":980,"input":263000,"server_key":%s}}' \
        "$(basename "$key")" "$(stat -c %s "$key/server-key")" >seeds/presign_request/pbs-sized
    # The server key is ~45 MB; its first 64 KiB carry the header and the start of each key.
    { printf '\000'; head -c 65536 "$key/server-key"; } >seeds/keys/server-key-head
done
{ printf '\001'; cat "$work/keys/client-key"; } >seeds/keys/client-key

for style in $("$root/target/debug/qrveil" --list-styles | awk '/^  [a-z-]+  /{print $1}'); do
    "$root/target/debug/qrveil" --print-style "$style" >"seeds/style_document/$style.json" 2>/dev/null || rm -f "seeds/style_document/$style.json"
done

# Fit examples: python-qrcode's styled codes beside their plain originals, 3 px per module so
# they stay under the target's size bound, and a fitted look learned from them.
python3 "$root/tools/fit/examples.py" "$work/examples" --drawer circle --mask radial --count 4 --versions 1-2 --box-size 3 --border 2 >/dev/null
for styled in "$work"/examples/*.png; do
    case "$styled" in *.plain.png) continue ;; esac
    name=$(basename "$styled" .png)
    plain="$work/examples/$name.plain.png"
    python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<I", int(sys.argv[1])))' "$(stat -c %s "$styled")" >"seeds/fit_example/$name"
    cat "$styled" "$plain" >>"seeds/fit_example/$name"
done
"$root/target/debug/qrveil" style fit "$work/examples" -o seeds/style_document/fitted.json -q
cp "$work/fitted-wide.json" seeds/style_document/fitted-wide.json

# Logos: the PNG and SVG the CLI wrote, a small JPEG, and SVGs embedding a PNG and an SVG as
# data: URIs (the only images an SVG logo may embed) and naming a file (which must not resolve).
cp "$work/a.png" seeds/logo/code.png
cp "$work/b.svg" seeds/logo/code.svg
python3 -c 'import sys; from PIL import Image; Image.new("RGB", (16, 16), (200, 30, 30)).save(sys.argv[1], quality=90)' seeds/logo/red.jpg
python3 -c 'import sys; from PIL import Image; Image.new("RGBA", (8, 8), (30, 30, 200, 255)).save(sys.argv[1])' "$work/blue.png"
svg='<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="white"/>%s</svg>'
printf "$svg" "<image href=\"data:image/png;base64,$(base64 -w0 "$work/blue.png")\" width=\"20\" height=\"20\"/>" >seeds/logo/data-png.svg
printf "$svg" "<image id=\"i\" x=\"20\" href=\"data:image/svg+xml;base64,$(base64 -w0 seeds/logo/data-png.svg)\" width=\"20\" height=\"20\"/><use href=\"#i\" y=\"10\"/>" >seeds/logo/data-svg.svg
printf "$svg" '<image href="/etc/hostname" width="20" height="20"/><text x="2" y="15">qr</text>' >seeds/logo/file-href.svg

for t in seeds/*/; do printf '%-22s %3d seeds\n' "$(basename "$t")" "$(ls "$t" | wc -l)"; done
