// Example pairs drawn by qr-code-styling, for `qrveil style fit` and the fit lab: NAME.png in the
// look (its SVG output under jsdom, rasterised with resvg) and NAME.plain.png, the same symbol
// with square modules, black on white, at the same width and margin. Payloads are
// deterministic from --seed; versions cycle through --versions. The packages are looked up in
// SCRATCH (npm install qr-code-styling@1.9.2 jsdom@24 @resvg/resvg-js@2 there); nothing of
// theirs is kept.
//   node tools/fit/peer-examples.mjs SCRATCH OUT --dots extra-rounded --rings dot --centres dot \
//        --colour '#6a1b9a' --width 400 --count 20 --versions 1-5 --seed 1 --payloads index.txt
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [, , scratch, out, ...rest] = process.argv;
const opt = (name, fallback) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : fallback;
};
const require = createRequire(path.join(scratch, "package.json"));
const { QRCodeStyling } = require("qr-code-styling/lib/qr-code-styling.common.js");
const { JSDOM } = require("jsdom");
const { Resvg } = require("@resvg/resvg-js");

const dots = opt("dots", "square");
const rings = opt("rings", "square");
const centres = opt("centres", "square");
const colour = opt("colour", "#000000");
const width = Number(opt("width", "400"));
const count = Number(opt("count", "20"));
const [first, last] = opt("versions", "1-5").split("-").map(Number);
const payloads = opt("payloads", null);
let seed = Number(opt("seed", "1"));
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
// Bytes a code holds at EC level M, versions 1-10: payloads fill most of it.
const capacity = [0, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213];

async function render(data, version, look) {
  const qr = new QRCodeStyling({
    jsdom: JSDOM,
    type: "svg",
    width,
    height: width,
    margin: Math.round(width / 25),
    data,
    qrOptions: { typeNumber: version, errorCorrectionLevel: "M" },
    dotsOptions: look.dots,
    cornersSquareOptions: look.rings,
    cornersDotOptions: look.centres,
    backgroundOptions: { color: "#ffffff" },
  });
  // The library writes url('#id'); resvg reads only the unquoted form, and would drop clips.
  const svg = (await qr.getRawData("svg")).toString().replace(/url\('#([^']+)'\)/g, "url(#$1)");
  return new Resvg(svg, { fitTo: { mode: "width", value: width } }).render().asPng();
}

fs.mkdirSync(out, { recursive: true });
const index = [];
const part = (type, color) => ({ type, color });
const look = { dots: part(dots, colour), rings: part(rings, colour), centres: part(centres, colour) };
const plain = { dots: part("square", "#000000"), rings: part("square", "#000000"), centres: part("square", "#000000") };
for (let i = 0; i < count; i++) {
  const version = first + (i % (last - first + 1));
  const length = Math.max(1, (capacity[version] ?? 14) - 2 - Math.floor(random() * 4));
  const data = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
  const name = `${dots}-${rings}-${centres}-w${width}-s${opt("seed", "1")}-${String(i).padStart(2, "0")}`;
  fs.writeFileSync(path.join(out, `${name}.png`), await render(data, version, look));
  fs.writeFileSync(path.join(out, `${name}.plain.png`), await render(data, version, plain));
  index.push(`${name}\t${data}`);
}
if (payloads) fs.writeFileSync(payloads, index.join("\n") + "\n");
