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
from PIL import Image, ImageDraw
from qrcode.image.styledpil import StyledPilImage
from qrcode.image.styles import colormasks, moduledrawers
from qrcode.image.styles.moduledrawers.pil import ANTIALIASING_FACTOR, StyledPilQRModuleDrawer


class NeighbourDotsDrawer(StyledPilQRModuleDrawer):
    """A round dot per dark module, sized by how many of the neighbours named in NEIGHBOURS are
    dark (python-qrcode's neighbour API: the module's whole 3x3 neighbourhood). SIZES holds the
    dot's diameter, as a fraction of the module, for each count."""

    needs_neighbors = True
    NEIGHBOURS = ()
    SIZES = ()

    def initialize(self, *args, **kwargs):
        super().initialize(*args, **kwargs)
        box = self.img.box_size
        fake = box * ANTIALIASING_FACTOR
        self.dots = {}
        for size in set(self.SIZES):
            dot = Image.new(self.img.mode, (fake, fake), self.img.color_mask.back_color)
            inset = fake * (1 - size) / 2
            ImageDraw.Draw(dot).ellipse((inset, inset, fake - inset, fake - inset), fill=self.img.paint_color)
            self.dots[size] = dot.resize((box, box), Image.Resampling.LANCZOS)

    def drawrect(self, box, is_active):
        if not is_active:
            return
        count = sum(bool(getattr(is_active, name)) for name in self.NEIGHBOURS)
        self.img._img.paste(self.dots[self.SIZES[count]], (box[0][0], box[0][1]))


class DensityDrawer(NeighbourDotsDrawer):
    """Dots that grow where dark modules are dense: counts all eight neighbours."""

    NEIGHBOURS = ("NW", "N", "NE", "W", "E", "SW", "S", "SE")
    SIZES = (0.6, 0.6, 0.6, 0.8, 0.8, 0.8, 1.0, 1.0, 1.0)


class CrossDrawer(NeighbourDotsDrawer):
    """Dots that grow with the dark modules beside them: counts the four sides."""

    NEIGHBOURS = ("N", "W", "E", "S")
    SIZES = (0.6, 0.8, 0.8, 1.0, 1.0)


DRAWERS = {
    "square": moduledrawers.SquareModuleDrawer,
    "gapped": moduledrawers.GappedSquareModuleDrawer,
    "circle": moduledrawers.CircleModuleDrawer,
    "rounded": moduledrawers.RoundedModuleDrawer,
    "vertical": moduledrawers.VerticalBarsDrawer,
    "horizontal": moduledrawers.HorizontalBarsDrawer,
    # Looks no vertex block explains (each reads the module's whole 3x3 neighbourhood).
    "density": DensityDrawer,
    "cross": CrossDrawer,
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
