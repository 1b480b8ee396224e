#!/usr/bin/env python3
"""Reference styled images for `qrveil eval`'s reference diff, drawn by Python `qrcode`
(StyledPilImage with HorizontalGradiantColorMask), as in the published experiment.

Reads JSON lines on stdin: {"modules": ["0101...", ...], "left": [r,g,b], "right": [r,g,b],
"back": [r,g,b], "border": 4, "out": path}; writes each image (1 px per module) to `out` and
prints the path. The module matrix is ours, so both images show the same code: `modules` is
set on the QRCode object and `data_cache` marked filled so that qrcode does not re-encode.
"""
import json
import sys

import qrcode
from qrcode.image.styledpil import StyledPilImage
from qrcode.image.styles.colormasks import HorizontalGradiantColorMask


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        rows = job["modules"]
        qr = qrcode.QRCode(box_size=1, border=job["border"], image_factory=StyledPilImage)
        qr.modules = [[c == "1" for c in row] for row in rows]
        qr.modules_count = len(rows)
        qr.data_cache = []  # the matrix above is final: skip qrcode's own encoding
        mask = HorizontalGradiantColorMask(
            back_color=tuple(job["back"]), left_color=tuple(job["left"]), right_color=tuple(job["right"])
        )
        img = qr.make_image(color_mask=mask)
        img.save(job["out"])
        print(job["out"], flush=True)


if __name__ == "__main__":
    main()
