#!/usr/bin/env python3
"""Write example pairs in one of python-qrcode's styles, for `qrveil style fit`.

Each pair is NAME.png (python-qrcode's StyledPilImage with the module drawer and colour mask
asked for) and NAME.plain.png (the same QRCode drawn plain, black on white). Payloads are
deterministic from --seed; versions cycle through --versions.

    tools/fit/examples.py OUT --drawer circle --mask radial --count 20 --versions 1-5 --seed 1
"""
import argparse
import os
import random

import qrcode
import qrcode.exceptions
from qrcode.image.styledpil import StyledPilImage
from qrcode.image.styles import colormasks, moduledrawers

DRAWERS = {
    "square": moduledrawers.SquareModuleDrawer,
    "gapped": moduledrawers.GappedSquareModuleDrawer,
    "circle": moduledrawers.CircleModuleDrawer,
    "rounded": moduledrawers.RoundedModuleDrawer,
    "vertical": moduledrawers.VerticalBarsDrawer,
    "horizontal": moduledrawers.HorizontalBarsDrawer,
}
# Colours as python-qrcode's documentation shows them; green-orange is the published
# experiment's horizontal gradient.
MASKS = {
    "solid": lambda: colormasks.SolidFillColorMask(front_color=(30, 30, 90)),
    "radial": lambda: colormasks.RadialGradiantColorMask(center_color=(0, 0, 0), edge_color=(0, 0, 255)),
    "square": lambda: colormasks.SquareGradiantColorMask(center_color=(0, 0, 0), edge_color=(0, 0, 255)),
    "horizontal": lambda: colormasks.HorizontalGradiantColorMask(left_color=(21, 137, 6), right_color=(247, 105, 9)),
    "vertical": lambda: colormasks.VerticalGradiantColorMask(top_color=(0, 0, 0), bottom_color=(0, 0, 255)),
}
LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
          "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--drawer", choices=DRAWERS, default="square")
    ap.add_argument("--mask", choices=MASKS, default="solid")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--versions", default="1-5", help="first-last QR version")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--box-size", type=int, default=10, help="pixels per module")
    ap.add_argument("--border", type=int, default=4, help="quiet zone in modules")
    ap.add_argument("--ec", choices=LEVELS, default="M")
    ap.add_argument("--payloads", help="also write NAME<TAB>payload lines to this file")
    args = ap.parse_args()
    first, last = (int(v) for v in args.versions.split("-"))
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    index = []
    for i in range(args.count):
        version = first + i % (last - first + 1)
        # A payload long enough for the version (so the code is not mostly padding), shortened
        # until it fits.
        text = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(12 * version + rng.randint(0, 8)))
        while True:
            qr = qrcode.QRCode(version=version, error_correction=LEVELS[args.ec], box_size=args.box_size, border=args.border)
            qr.add_data(text)
            try:
                qr.make(fit=False)
                break
            except qrcode.exceptions.DataOverflowError:
                text = text[:-2]
                assert text, "version %d holds no payload" % version
        name = os.path.join(args.out, "%s-%s-s%d-%02d" % (args.drawer, args.mask, args.seed, i))
        qr.make_image(image_factory=StyledPilImage, module_drawer=DRAWERS[args.drawer](),
                      color_mask=MASKS[args.mask]()).save(name + ".png")
        qr.make_image(fill_color="black", back_color="white").save(name + ".plain.png")
        index.append("%s\t%s\n" % (os.path.basename(name), text))
    if args.payloads:
        with open(args.payloads, "w") as f:
            f.writelines(index)


if __name__ == "__main__":
    main()
