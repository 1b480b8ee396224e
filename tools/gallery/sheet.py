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


RINGS = ["square", "extra-rounded", "dot"]
CENTRES = ["square", "dot"]
# The finders' own colours, as qr-code-styling users pick them: eyes in a second colour.
RING_COLOUR = "#5b2a86"
CENTRE_COLOUR = "#f76909"


def looks():
    out = []
    for t in PEER_DOTS + OURS_ONLY:
        for square in RINGS:
            for dot in CENTRES:
                d = doc({"type": t, "gradient": GREEN_ORANGE}, square=square, dot=dot)
                d["cornersSquareOptions"]["color"] = RING_COLOUR
                d["cornersDotOptions"]["color"] = CENTRE_COLOUR
                out.append({"name": f"looks-{t}-{square}-{dot}", "section": "looks", "peer": t in PEER_DOTS,
                            "row": t, "column": f"{square} / {dot}", "document": d})
    colours = [
        ("solid", doc({"type": "classy-rounded", "color": "#1f3a93"}, dot="dot")),
        ("angled", doc({"type": "rounded", "gradient": {"type": "linear", "rotation": math.pi / 4, "colorStops": [
            {"offset": 0, "color": "#8e24aa"}, {"offset": 0.5, "color": "#3949ab"}, {"offset": 1, "color": "#00897b"}]}}, dot="dot")),
        ("radial", doc({"type": "dots", "gradient": {"type": "radial", "rotation": 0, "colorStops": [
            {"offset": 0, "color": "#c62828"}, {"offset": 1, "color": "#283593"}]}},
            background={"gradient": {"type": "radial", "rotation": 0, "colorStops": [
                {"offset": 0, "color": "#ffffff"}, {"offset": 1, "color": "#fff3e0"}]}})),
        ("peach", doc({"type": "extra-rounded", "gradient": GREEN_ORANGE}, square="extra-rounded", dot="dot",
                      background={"color": "#ffe5cc"})),
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


def rendered(renders, look, who, thumb, title):
    path = renders / f"{look['name']}-{who}.png"
    refusal = renders / f"{look['name']}-{who}.txt"
    if path.exists():
        return label(Image.open(path).resize((thumb, thumb), Image.LANCZOS), title)
    note = "refused" if refusal.exists() else "has no such option"
    return label(Image.new("RGB", (thumb, thumb), "white"), f"{title}: {note}")


def save(sheet, path):
    # A gallery sheet is committed: 256 colours keep it small and look the same at this size.
    sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def looks_sheet(renders, rows, path):
    """One row per dot type, one column per finder ring / centre; each cell qrveil then the peer."""
    thumb, gap = 150, 10
    names = list(dict.fromkeys(l["row"] for l in rows))
    columns = list(dict.fromkeys(l["column"] for l in rows))
    cell = 2 * thumb + gap
    sheet = Image.new("RGB", (len(columns) * (cell + 2 * gap), len(names) * (thumb + 28 + gap)), "white")
    for l in rows:
        x0 = columns.index(l["column"]) * (cell + 2 * gap)
        y0 = names.index(l["row"]) * (thumb + 28 + gap)
        for k, who in enumerate(["ours", "peer"]):
            title = f"{l['row']} {l['column']}" if who == "ours" else "qr-code-styling"
            sheet.paste(rendered(renders, l, who, thumb, title), (x0 + k * (thumb + gap // 2), y0))
    save(sheet, path)


def sheets(renders, docs):
    all_looks = json.loads((renders / "looks.json").read_text())["looks"]
    docs.mkdir(parents=True, exist_ok=True)
    looks_sheet(renders, [l for l in all_looks if l["section"] == "looks"], docs / "looks.png")
    print("| every dot type x finder ring / centre | ![looks](docs/gallery/looks.png) |")
    thumb, per_row = 220, 3
    cells = []
    for l in [l for l in all_looks if l["section"] == "colours"]:
        short = l["name"][len("colours-"):]
        cells.append([rendered(renders, l, who, thumb, f"{short}: {'qrveil' if who == 'ours' else 'qr-code-styling'}")
                      for who in ["ours", "peer"]])
    width = per_row * (2 * thumb + 24)
    height = math.ceil(len(cells) / per_row) * (thumb + 40)
    sheet = Image.new("RGB", (width, height), "white")
    for i, pair in enumerate(cells):
        x0, y0 = (i % per_row) * (2 * thumb + 24), (i // per_row) * (thumb + 40)
        for k, img in enumerate(pair):
            sheet.paste(img, (x0 + k * (thumb + 6), y0))
    save(sheet, docs / "colours.png")
    print("| colours | ![colours](docs/gallery/colours.png) |")


if __name__ == "__main__":
    if sys.argv[1] == "looks":
        Path(sys.argv[2]).write_text(json.dumps({"data": "https://qrveil.example/gallery", "version": 3,
                                                  "modulePx": 10, "quietZone": 4, "looks": looks()}, indent=1))
    else:
        sheets(Path(sys.argv[2]), Path(sys.argv[3]))
