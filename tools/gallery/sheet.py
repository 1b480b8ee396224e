"""The gallery's looks and sheets.

`sheet.py looks OUT.json` writes the looks make.sh renders (style documents, each for qrveil and,
where it has the options, for qr-code-styling); `sheet.py sheets RENDERS DOCS` lays the renders
out as labelled sheets in DOCS and prints the README table rows.
"""
import json
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

GREEN_ORANGE = {"type": "linear", "rotation": 0, "colorStops": [{"offset": 0, "color": "#158906"}, {"offset": 1, "color": "#f76909"}]}
PEER_DOTS = ["square", "dots", "rounded", "extra-rounded", "classy", "classy-rounded"]
OURS_ONLY = ["fluid", "bridge", "swell"]


def doc(dots, square="square", dot="square", background=None, readability="balanced"):
    return {
        "qrveilStyle": 1,
        "dotsOptions": dots,
        "cornersSquareOptions": {"type": square},
        "cornersDotOptions": {"type": dot},
        "backgroundOptions": background or {"color": "#ffffff"},
        "qrOptions": {"errorCorrectionLevel": "M"},
        "readability": readability,
    }


def looks():
    out = []
    for t in PEER_DOTS + OURS_ONLY:
        for dot in ["square", "dot"]:
            out.append({"name": f"dots-{t}-{dot}", "section": "dots", "peer": t in PEER_DOTS,
                        "document": doc({"type": t, "gradient": GREEN_ORANGE}, dot=dot)})
    for square in ["dot", "extra-rounded"]:
        out.append({"name": f"rings-{square}", "section": "rings", "peer": True,
                    "document": doc({"type": "rounded", "gradient": GREEN_ORANGE}, square=square, dot="dot")})
    colours = [
        ("solid", doc({"type": "classy-rounded", "color": "#1f3a93"}, dot="dot")),
        ("angled", doc({"type": "rounded", "gradient": {"type": "linear", "rotation": math.pi / 4, "colorStops": [
            {"offset": 0, "color": "#8e24aa"}, {"offset": 0.5, "color": "#3949ab"}, {"offset": 1, "color": "#00897b"}]}}, dot="dot")),
        ("radial", doc({"type": "dots", "gradient": {"type": "radial", "rotation": 0, "colorStops": [
            {"offset": 0, "color": "#c62828"}, {"offset": 1, "color": "#283593"}]}},
            background={"gradient": {"type": "radial", "rotation": 0, "colorStops": [
                {"offset": 0, "color": "#ffffff"}, {"offset": 1, "color": "#fff3e0"}]}})),
        ("vivid", doc({"type": "extra-rounded", "gradient": GREEN_ORANGE}, readability="vivid")),
        ("transparent", doc({"type": "classy", "color": "#00695c"}, background={"color": "transparent"})),
    ]
    for name, d in colours:
        out.append({"name": f"colours-{name}", "section": "colours", "peer": True, "document": d})
    return out


def label(img, text):
    framed = Image.new("RGB", (img.width, img.height + 28), "white")
    on_grey = Image.new("RGBA", img.size, (200, 200, 200, 255))
    on_grey.alpha_composite(img.convert("RGBA"))
    framed.paste(on_grey.convert("RGB"), (0, 28))
    ImageDraw.Draw(framed).text((6, 8), text, fill="black")
    return framed


def sheets(renders, docs):
    thumb = 220
    placeholder = lambda text: label(Image.new("RGB", (thumb, thumb), "white"), text)
    all_looks = json.loads((renders / "looks.json").read_text())["looks"]
    docs.mkdir(parents=True, exist_ok=True)
    for section in ["dots", "rings", "colours"]:
        rows = [l for l in all_looks if l["section"] == section]
        cells = []
        for l in rows:
            pair = []
            for who in ["ours", "peer"]:
                path = renders / f"{l['name']}-{who}.png"
                refusal = renders / f"{l['name']}-{who}.txt"
                title = f"{l['name'][len(section) + 1:]}: {'qrveil' if who == 'ours' else 'qr-code-styling'}"
                if path.exists():
                    pair.append(label(Image.open(path).resize((thumb, thumb), Image.LANCZOS), title))
                elif refusal.exists():
                    pair.append(placeholder(f"{title}: refused"))
                else:
                    pair.append(placeholder(f"{title}: has no such option"))
            cells.append(pair)
        per_row = 2 if section != "dots" else 2
        width = thumb * 2 * per_row + 12 * (2 * per_row)
        height = math.ceil(len(cells) / per_row) * (thumb + 28 + 12)
        sheet = Image.new("RGB", (width, height), "white")
        for i, pair in enumerate(cells):
            x0 = (i % per_row) * (2 * thumb + 24)
            y0 = (i // per_row) * (thumb + 40)
            for k, img in enumerate(pair):
                sheet.paste(img, (x0 + k * (thumb + 6), y0))
        sheet.save(docs / f"{section}.png", optimize=True)
        print(f"| {section} | ![{section}](docs/gallery/{section}.png) |")


if __name__ == "__main__":
    if sys.argv[1] == "looks":
        Path(sys.argv[2]).write_text(json.dumps({"data": "https://qrveil.example/gallery", "version": 3,
                                                  "modulePx": 10, "quietZone": 4, "looks": looks()}, indent=1))
    else:
        sheets(Path(sys.argv[2]), Path(sys.argv[3]))
