#!/usr/bin/env bash
# The gallery: every dot type with every finder ring and centre shape, and a few colour
# combinations, drawn by qrveil and by qr-code-styling 1.9 with the same options (its SVG output
# under Node and jsdom, rasterised with resvg), laid out in docs/gallery/. Only the images are
# kept; the peer's packages go to a scratch folder. Needs Node's npm and Python's Pillow.
#   tools/gallery/make.sh            # writes docs/gallery/*.png
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
renders="$scratch/renders"
mkdir -p "$renders"

echo "== gallery 1/4: looks"
python3 tools/gallery/sheet.py looks "$renders/looks.json"

echo "== gallery 2/4: qrveil (the CLI, locally, with each look as a style document)"
cargo build --release --locked -p qrveil-cli
export QRVEIL_HOME="$scratch/home"
data=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"])' "$renders/looks.json")
python3 - "$renders" <<'PY'
import json, sys
from pathlib import Path
renders = Path(sys.argv[1])
for look in json.loads((renders / "looks.json").read_text())["looks"]:
    (renders / f"{look['name']}.json").write_text(json.dumps(look["document"]))
PY
for doc in "$renders"/*-*.json; do
  name=$(basename "$doc" .json)
  # typeNumber is set here, not in the look, so both renderers draw the same version.
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["qrOptions"]["typeNumber"]=3; json.dump(d, open(sys.argv[1],"w"))' "$doc"
  if ! target/release/qrveil "$data" --style-file "$doc" -q -o "$renders/$name-ours.png" 2> "$renders/$name-ours.err"; then
    mv "$renders/$name-ours.err" "$renders/$name-ours.txt"
    echo "  $name: qrveil refused: $(head -c 160 "$renders/$name-ours.txt")"
  fi
done

echo "== gallery 3/4: qr-code-styling"
(cd "$scratch" && npm init -y > /dev/null && npm install --silent --no-audit --no-fund qr-code-styling@1.9.2 jsdom@24 @resvg/resvg-js@2 > /dev/null)
python3 - "$renders" <<'PY'
import json, sys
from pathlib import Path
renders = Path(sys.argv[1])
looks = json.loads((renders / "looks.json").read_text())
looks["looks"] = [l for l in looks["looks"] if l["peer"]]
(renders / "peer.json").write_text(json.dumps(looks))
PY
node tools/gallery/peer.mjs "$scratch" "$renders/peer.json" "$renders"

echo "== gallery 4/4: sheets"
python3 tools/gallery/sheet.py sheets "$renders" docs/gallery
