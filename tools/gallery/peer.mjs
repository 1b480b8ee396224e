// Renders each look of looks.json with qr-code-styling (the peer this gallery compares with) and
// writes PNGs: its SVG output, made under jsdom, rasterised with resvg. Run by make.sh, which
// installs both packages in a scratch folder; nothing of theirs is kept.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [, , scratch, looksFile, outDir] = process.argv;
const require = createRequire(path.join(scratch, "package.json"));
const { QRCodeStyling } = require("qr-code-styling/lib/qr-code-styling.common.js");
const { JSDOM } = require("jsdom");
const { Resvg } = require("@resvg/resvg-js");

const { data, version, modulePx, quietZone, looks } = JSON.parse(fs.readFileSync(looksFile, "utf8"));
const side = (17 + 4 * version + 2 * quietZone) * modulePx;
for (const look of looks) {
  const doc = look.document;
  const qr = new QRCodeStyling({
    jsdom: JSDOM,
    type: "svg",
    width: side,
    height: side,
    margin: quietZone * modulePx,
    data,
    qrOptions: { typeNumber: version, errorCorrectionLevel: doc.qrOptions?.errorCorrectionLevel ?? "M" },
    dotsOptions: doc.dotsOptions,
    cornersSquareOptions: doc.cornersSquareOptions,
    cornersDotOptions: doc.cornersDotOptions,
    backgroundOptions: doc.backgroundOptions,
  });
  // The peer writes url('#id'); resvg reads only the unquoted form, and would drop the clips.
  const svg = (await qr.getRawData("svg")).toString().replace(/url\('#([^']+)'\)/g, "url(#$1)");
  const png = new Resvg(svg, { fitTo: { mode: "width", value: side } }).render().asPng();
  fs.writeFileSync(path.join(outDir, `${look.name}-peer.png`), png);
}
console.log(`peer: ${looks.length} looks rendered`);
