'use strict';
const TOKEN = "{{TOKEN}}";
const STOPPED = 'the studio server stopped (was Ctrl-C pressed?)';
const LOGO_LIMIT = 4 << 20;
const EXAMPLE_LIMIT = 8 << 20;
const DOC_LIMIT = 64 << 10;
const DEFAULT_STOPS = [{ offset: 0, color: '#158906' }, { offset: 1, color: '#f76909' }];
const FALLBACK_DOC = {
  qrveilStyle: 1, name: 'rounded',
  dotsOptions: { type: 'rounded', gradient: { type: 'linear', rotation: 0, colorStops: DEFAULT_STOPS } },
  cornersSquareOptions: { type: 'square' }, cornersDotOptions: { type: 'square' },
  backgroundOptions: { color: '#ffffff' }, qrOptions: { typeNumber: 0 }, readability: 'balanced',
};
const KNOWN_KEYS = ['qrveilStyle', 'name', 'dotsOptions', 'cornersSquareOptions', 'cornersDotOptions', 'backgroundOptions',
  'fillArea', 'qrOptions', 'image', 'imageOptions', 'readability', 'tiles', 'program'];
const PART_NAMES = { dots: 'Dots', 'corners-square': 'Corners square', 'corners-dot': 'Corners dot', background: 'Background' };

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'attrs') for (const [a, b] of Object.entries(v)) node.setAttribute(a, b);
    else node[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}
const opt = (value, text) => el('option', { value, textContent: text });

function normHex(text) {
  const m = /^#?([0-9a-f]{6})$/i.exec(String(text).trim());
  return m ? '#' + m[1].toLowerCase() : null;
}
// Colours from a document (#rgb is accepted there) as #rrggbb for the pickers.
function docHex(text, fallback) {
  const s = String(text || '').trim();
  const short = /^#([0-9a-f]{3})$/i.exec(s);
  if (short) return '#' + [...short[1].toLowerCase()].map((c) => c + c).join('');
  return normHex(s) || fallback;
}

// ---------- errors ----------
function showError(message) { const box = $('error'); box.textContent = message; box.hidden = false; }
function clearError() { const box = $('error'); box.textContent = ''; box.hidden = true; }

// ---------- server calls ----------
async function api(path, body) {
  let res;
  try {
    res = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-qrveil-token': TOKEN, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (_) {
    throw new Error(STOPPED);
  }
  if (!res.ok) {
    let message = null;
    try { message = (await res.json()).error; } catch (_) { /* not JSON */ }
    throw new Error(message || `the studio server answered ${res.status} ${res.statusText}`.trim());
  }
  return res;
}
function errorText(e) { return e instanceof TypeError && /fetch|network|stream/i.test(e.message) ? STOPPED : String(e.message || e); }

function base64Bytes(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => { const s = String(reader.result); resolve(s.slice(s.indexOf(',') + 1)); };
    reader.onerror = () => reject(new Error(`could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 2000);
}
const megabytes = (n) => (n / (1 << 20)).toFixed(1) + ' MB';

// ---------- colour fields: a picker and a hex field kept in sync ----------
function colourField(id, value, onPick) {
  const picker = el('input', { type: 'color', id, value, title: 'pick a colour' });
  const hex = el('input', { type: 'text', className: 'hex', id: id ? id + '-hex' : undefined, value, spellcheck: false,
    autocomplete: 'off', maxLength: 7, attrs: { 'aria-label': 'colour as #rrggbb' } });
  const hint = el('span', { className: 'hint', hidden: true, textContent: 'write it as #rrggbb' });
  const valid = () => { hex.classList.remove('invalid'); hint.hidden = true; };
  picker.addEventListener('input', () => { hex.value = picker.value; valid(); if (onPick) onPick(); });
  hex.addEventListener('input', () => {
    const v = normHex(hex.value);
    if (v) { picker.value = v; valid(); if (onPick) onPick(); } else { hex.classList.add('invalid'); hint.hidden = false; }
  });
  hex.addEventListener('change', () => { if (normHex(hex.value)) hex.value = picker.value; });
  return {
    el: el('span', { className: 'colour' }, picker, hex, hint),
    get: () => picker.value,
    set(v) { const n = docHex(v, '#000000'); picker.value = n; hex.value = n; valid(); },
  };
}

// ---------- fill editors: colour, gradient, "same as dots", a fitted colour map ----------
function fillEditor(prefix, { same = false } = {}) {
  const host = $(prefix + '-fill');
  const mode = el('select', { id: prefix + '-fill-mode' });
  if (same) mode.append(opt('same', 'same as dots'));
  mode.append(opt('color', 'single colour'), opt('gradient', 'gradient'));
  const colour = colourField(prefix + '-color', '#000000', () => { if (mode.value !== 'color') setMode('color'); });
  const colourNote = el('span', { className: 'note', textContent: 'pick to use a single colour' });
  const colourRow = el('div', { className: 'row' }, el('span', { className: 'lab', textContent: 'Colour' }), colour.el, colourNote);
  const gType = el('select', { id: prefix + '-grad-type' }, opt('linear', 'linear'), opt('radial', 'radial'));
  const gRot = el('input', { type: 'number', id: prefix + '-grad-rotation', min: -360, max: 360, step: 1, value: 0 });
  const rotLabel = el('label', { className: 'row' }, el('span', { className: 'lab', textContent: 'Rotation' }), gRot, '°');
  const stopsBox = el('div', { className: 'body', id: prefix + '-stops', attrs: { style: 'padding:0;gap:6px' } });
  const addBtn = el('button', { type: 'button', className: 'small', id: prefix + '-add-stop', textContent: 'Add stop' });
  const gradBox = el('div', { className: 'gradient', hidden: true },
    el('div', { className: 'row' }, el('label', { className: 'row' }, el('span', { className: 'lab', textContent: 'Gradient' }), gType), rotLabel),
    stopsBox, el('div', {}, addBtn));
  const mapNote = el('p', { className: 'note', hidden: true, textContent: 'a colour map from the document, kept as it is' });
  host.append(el('label', { className: 'row' }, el('span', { className: 'lab', textContent: 'Fill' }), mode), colourRow, gradBox, mapNote);

  let colorMap = null;
  let stops = [];
  function addStop(offset, color) {
    const off = el('input', { type: 'number', min: 0, max: 1, step: 0.05, value: offset, attrs: { 'aria-label': 'stop offset, 0 to 1' } });
    const c = colourField(undefined, color);
    const remove = el('button', { type: 'button', className: 'small', textContent: '×', title: 'remove this stop', attrs: { 'aria-label': 'remove stop' } });
    const row = el('div', { className: 'stop' }, el('span', { className: 'lab', textContent: 'Stop' }), off, c.el, remove);
    const stop = { row, off, c };
    remove.addEventListener('click', () => {
      if (stops.length <= 2) return;
      stops = stops.filter((s) => s !== stop);
      row.remove();
      sync();
      schedulePreview();
    });
    stops.push(stop);
    stopsBox.append(row);
  }
  const offsetOf = (s) => { const v = parseFloat(s.off.value); return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0; };
  function setStops(list) {
    stops = [];
    stopsBox.replaceChildren();
    const usable = Array.isArray(list) && list.length >= 2 ? list : DEFAULT_STOPS;
    for (const s of usable) addStop(Number(s.offset) || 0, docHex(s.color, '#000000'));
  }
  addBtn.addEventListener('click', () => {
    const sorted = stops.map((s) => [offsetOf(s), s.c.get()]).sort((a, b) => a[0] - b[0]);
    let at = 0;
    let widest = -1;
    for (let i = 1; i < sorted.length; i++) {
      const gap = sorted[i][0] - sorted[i - 1][0];
      if (gap > widest) { widest = gap; at = i - 1; }
    }
    const offset = Math.round(((sorted[at][0] + sorted[at + 1][0]) / 2) * 100) / 100;
    addStop(offset, sorted[at][1]);
    sync();
    schedulePreview();
  });
  function setMode(m) { mode.value = m; sync(); }
  function sync() {
    const m = mode.value;
    gradBox.hidden = m !== 'gradient';
    mapNote.hidden = m !== 'map';
    colourRow.classList.toggle('inactive', m !== 'color');
    colourNote.hidden = m === 'color';
    colourNote.textContent = m === 'same' ? 'pick to give it a colour of its own' : 'pick to use a single colour';
    rotLabel.classList.toggle('inactive', gType.value === 'radial');
    for (const s of stops) s.row.querySelector('button').disabled = stops.length <= 2;
  }
  mode.addEventListener('change', sync);
  gType.addEventListener('change', sync);
  setStops(DEFAULT_STOPS);
  sync();

  return {
    mode,
    setColourMode: () => setMode('color'),
    get() {
      switch (mode.value) {
        case 'color': return { color: colour.get() };
        case 'gradient': {
          const deg = parseFloat(gRot.value) || 0;
          const colorStops = stops.map((s) => ({ offset: offsetOf(s), color: s.c.get() })).sort((a, b) => a.offset - b.offset);
          return { gradient: { type: gType.value, rotation: Math.round((deg * Math.PI / 180) * 1e6) / 1e6, colorStops } };
        }
        case 'map': return colorMap ? { colorMap } : {};
        default: return {};
      }
    },
    // `part`: a document part; `fallback`: the mode when it gives no fill.
    set(part, fallback) {
      const mapOption = mode.querySelector('option[value=map]');
      colorMap = part && part.colorMap ? part.colorMap : null;
      if (colorMap && !mapOption) mode.append(opt('map', 'colour map (from the document)'));
      if (!colorMap && mapOption) mapOption.remove();
      if (part && part.color && part.color !== 'transparent') { colour.set(part.color); setMode('color'); }
      else if (part && part.gradient) {
        const g = part.gradient;
        gType.value = g.type === 'radial' ? 'radial' : 'linear';
        gRot.value = String(Math.round(((Number(g.rotation) || 0) * 180 / Math.PI) * 10) / 10);
        setStops(g.colorStops);
        colour.set(stops.length ? stops[0].c.get() : '#000000');
        setMode('gradient');
      } else if (colorMap) setMode('map');
      else setMode(fallback);
    },
    setGradient(g) { this.set({ gradient: g }, 'gradient'); },
    // The single colour offered when switching to one, without switching.
    offer(hex) { colour.set(hex); },
  };
}

const fills = {
  dots: fillEditor('dots'),
  cornersSquare: fillEditor('corners-square', { same: true }),
  cornersDot: fillEditor('corners-dot', { same: true }),
  background: fillEditor('background'),
};
// Picking a background colour means an opaque background.
$('background-fill').addEventListener('input', () => { $('background-transparent').checked = false; syncBackground(); });
function syncBackground() { $('background-fill').classList.toggle('inactive', $('background-transparent').checked); }
$('background-transparent').addEventListener('change', syncBackground);

for (let v = 0; v <= 40; v++) $('type-number').append(opt(String(v), v === 0 ? 'auto (smallest that fits)' : String(v)));

// ---------- the document being edited ----------
let extras = { tiles: null, program: null, fillArea: null }; // a fitted look's fields, kept as given

function setType(select, value) {
  for (const o of [...select.options]) if (o.dataset.extra && o.value !== value) o.remove();
  if (![...select.options].some((o) => o.value === value)) {
    const fitted = value === 'fitted' || value === 'fitted-wide';
    const o = opt(value, fitted ? `${value} (from the document)` : `${value} (not known here)`);
    o.dataset.extra = '1';
    select.append(o);
  }
  select.value = value;
}

function currentReadability() {
  const checked = document.querySelector('input[name=readability]:checked');
  return checked ? checked.value : 'balanced';
}

function currentDocument() {
  const doc = { qrveilStyle: 1 };
  const name = $('doc-name').value.trim();
  if (name) doc.name = name;
  const dotsType = $('dots-type').value;
  doc.dotsOptions = { type: dotsType, ...fills.dots.get() };
  doc.cornersSquareOptions = { type: $('corners-square-type').value, ...fills.cornersSquare.get() };
  doc.cornersDotOptions = { type: $('corners-dot-type').value, ...fills.cornersDot.get() };
  doc.backgroundOptions = $('background-transparent').checked ? { color: 'transparent' } : fills.background.get();
  if (extras.fillArea) doc.fillArea = extras.fillArea;
  doc.qrOptions = { typeNumber: parseInt($('type-number').value, 10) || 0, errorCorrectionLevel: $('ec-level').value };
  if (logo) {
    doc.imageOptions = {
      imageSize: parseFloat($('image-size').value) || 0.4,
      margin: Math.max(0, parseFloat($('image-margin').value) || 0),
      hideBackgroundDots: $('image-hide-dots').checked,
    };
  }
  doc.readability = currentReadability();
  // The fitted shapes go only with the dot types that draw them (the server refuses them otherwise).
  if ((dotsType === 'fitted' || dotsType === 'fitted-wide') && extras.tiles) doc.tiles = extras.tiles;
  if (dotsType === 'fitted-wide' && extras.program) doc.program = extras.program;
  return doc;
}

function loadDocument(doc) {
  extras = { tiles: doc.tiles || null, program: doc.program || null, fillArea: doc.fillArea || null };
  $('doc-name').value = typeof doc.name === 'string' ? doc.name : '';
  const dots = doc.dotsOptions || {};
  setType($('dots-type'), dots.type || 'square');
  if (dots.color || dots.gradient || dots.colorMap) fills.dots.set(dots, 'gradient');
  else fills.dots.setGradient({ type: 'linear', rotation: 0, colorStops: DEFAULT_STOPS }); // the default preset's fill
  const cs = doc.cornersSquareOptions || {};
  setType($('corners-square-type'), cs.type || 'square');
  fills.cornersSquare.set(cs, 'same');
  const cd = doc.cornersDotOptions || {};
  setType($('corners-dot-type'), cd.type || 'square');
  fills.cornersDot.set(cd, 'same');
  const dotsFill = fills.dots.get();
  const dotsColour = dotsFill.color || (dotsFill.gradient ? dotsFill.gradient.colorStops[0].color : '#000000');
  if (fills.cornersSquare.mode.value === 'same') fills.cornersSquare.offer(dotsColour);
  if (fills.cornersDot.mode.value === 'same') fills.cornersDot.offer(dotsColour);
  const bg = doc.backgroundOptions || { color: '#ffffff' };
  $('background-transparent').checked = bg.color === 'transparent';
  if (bg.color === 'transparent') fills.background.set({ color: '#ffffff' }, 'color');
  else if (bg.color || bg.gradient) fills.background.set(bg, 'color');
  else fills.background.set({ color: '#ffffff' }, 'color');
  syncBackground();
  const qr = doc.qrOptions || {};
  const tn = Number(qr.typeNumber) || 0;
  $('type-number').value = String(tn >= 0 && tn <= 40 ? tn : 0);
  $('ec-level').value = ['L', 'M', 'Q', 'H'].includes(qr.errorCorrectionLevel) ? qr.errorCorrectionLevel : 'M';
  const io = doc.imageOptions || {};
  $('image-size').value = String(Number.isFinite(io.imageSize) ? io.imageSize : 0.4);
  $('image-margin').value = String(Number.isFinite(io.margin) ? io.margin : 0);
  $('image-hide-dots').checked = io.hideBackgroundDots !== false;
  $('image-size-value').textContent = Number($('image-size').value).toFixed(2);
  const r = ['vivid', 'balanced', 'robust'].includes(doc.readability) ? doc.readability : 'balanced';
  $('readability-' + r).checked = true;
  const fitted = Boolean(extras.tiles || extras.program) || /^fitted/.test(dots.type || '');
  $('fitted-note').hidden = !fitted;
}

// ---------- built-in looks ----------
let looks = [];
function selectCustomLook(label) {
  let o = $('look').querySelector('option[value=""]');
  if (!o) { o = opt('', ''); $('look').prepend(o); }
  o.textContent = label;
  $('look').value = '';
  $('look-about').textContent = '';
}
$('look').addEventListener('change', () => {
  const look = looks.find((l) => l.name === $('look').value);
  if (!look) return;
  const custom = $('look').querySelector('option[value=""]');
  if (custom) custom.remove();
  $('look-about').textContent = look.about || '';
  $('import-note').hidden = true;
  loadDocument(look.document);
  schedulePreview();
});
async function loadLooks() {
  try {
    const data = await (await api('/api/styles')).json();
    looks = Array.isArray(data.styles) ? data.styles : [];
  } catch (e) {
    showError(`the built-in looks could not be read: ${errorText(e)}`);
  }
  $('look').replaceChildren(...looks.map((l) => opt(l.name, l.name)));
  // The dot types are the server's catalogue; the page's own list is the fallback only.
  if (looks.length) $('dots-type').replaceChildren(...looks.map((l) => opt(l.name, l.name)));
  const first = looks.find((l) => l.name === 'rounded') || looks[0];
  if (first) {
    $('look').value = first.name;
    $('look-about').textContent = first.about || '';
    loadDocument(first.document);
  } else {
    loadDocument(FALLBACK_DOC);
    selectCustomLook('rounded (built into the page)');
  }
  schedulePreview();
}

// ---------- payload: text, Wi-Fi, contact ----------
let payloadMode = 'text';
const wifiEscape = (s) => s.replace(/([\\;,:"])/g, '\\$1');
const vcardEscape = (s) => s.replace(/\\/g, '\\\\').replace(/([,;])/g, '\\$1').replace(/\r\n|\r|\n/g, '\\n');

function wifiPayload() {
  const security = $('wifi-security').value;
  let text = `WIFI:T:${security};S:${wifiEscape($('wifi-ssid').value)};`;
  if (security !== 'nopass') text += `P:${wifiEscape($('wifi-password').value)};`;
  if ($('wifi-hidden').checked) text += 'H:true;';
  return text + ';';
}
function contactPayload() {
  const v = (id) => $(id).value.trim();
  const name = v('contact-name');
  const parts = name.split(/\s+/).filter(Boolean);
  const family = parts.length > 1 ? parts[parts.length - 1] : parts.join('');
  const given = parts.length > 1 ? parts.slice(0, -1).join(' ') : '';
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `N:${vcardEscape(family)};${vcardEscape(given)};;;`, `FN:${vcardEscape(name)}`];
  const optional = [['ORG', 'contact-org'], ['TEL', 'contact-phone'], ['EMAIL', 'contact-email'], ['URL', 'contact-url']];
  for (const [key, id] of optional) if (v(id)) lines.push(`${key}:${vcardEscape(v(id))}`);
  lines.push('END:VCARD');
  return lines.join('\r\n');
}
function currentPayload() {
  if (payloadMode === 'wifi') return wifiPayload();
  if (payloadMode === 'contact') return contactPayload();
  return $('payload').value;
}
function showPayloadInfo() {
  const n = new TextEncoder().encode(currentPayload()).length;
  const what = { text: 'text', wifi: 'Wi-Fi text (kept out of view)', contact: 'vCard 3.0' }[payloadMode];
  $('payload-info').textContent = `${what}: ${n} bytes`;
}
for (const mode of ['text', 'wifi', 'contact']) {
  $('mode-' + mode).addEventListener('click', () => {
    payloadMode = mode;
    for (const m of ['text', 'wifi', 'contact']) {
      $('mode-' + m).setAttribute('aria-selected', String(m === mode));
      $('pane-' + m).hidden = m !== mode;
    }
    showPayloadInfo();
    schedulePreview();
  });
}
$('wifi-show').addEventListener('click', () => {
  const show = $('wifi-password').type === 'password';
  $('wifi-password').type = show ? 'text' : 'password';
  $('wifi-show').textContent = show ? 'Hide' : 'Show';
  $('wifi-show').setAttribute('aria-pressed', String(show));
});

// ---------- logo ----------
let logo = null; // {b64, name, url}
async function takeLogo(file) {
  if (!file) return;
  if (!/\.(png|jpe?g|svg)$/i.test(file.name) && !/^image\/(png|jpeg|svg\+xml)$/.test(file.type)) {
    showError(`${file.name} is not a PNG, JPEG or SVG image`);
    return;
  }
  if (file.size > LOGO_LIMIT) {
    showError(`${file.name} is ${megabytes(file.size)}; a logo can be at most 4 MB`);
    return;
  }
  try {
    const b64 = await fileBase64(file);
    if (logo) URL.revokeObjectURL(logo.url);
    logo = { b64, name: file.name, url: URL.createObjectURL(file) };
    showLogo();
    schedulePreview();
  } catch (e) { showError(errorText(e)); }
}
function showLogo() {
  $('logo-row').hidden = !logo;
  $('image-options').classList.toggle('inactive', !logo);
  $('image-note').hidden = Boolean(logo);
  if (logo) { $('logo-thumb').src = logo.url; $('logo-name').textContent = logo.name; }
  else { $('logo-thumb').removeAttribute('src'); $('logo-name').textContent = ''; }
}
$('logo-file').addEventListener('change', () => { takeLogo($('logo-file').files[0]); $('logo-file').value = ''; });
$('logo-remove').addEventListener('click', () => {
  if (logo) URL.revokeObjectURL(logo.url);
  logo = null;
  showLogo();
  schedulePreview();
});
$('image-size').addEventListener('input', () => { $('image-size-value').textContent = Number($('image-size').value).toFixed(2); });

function dropZone(zone, onFiles) {
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    onFiles([...(e.dataTransfer ? e.dataTransfer.files : [])]);
  });
}
// A file dropped beside a zone must not replace the page.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());
dropZone($('logo-drop'), (files) => takeLogo(files[0]));

// ---------- preview ----------
let timer = null;
let inFlight = false;
let pending = false;
let previews = 0;
let previewUrl = null;

function schedulePreview() {
  showPayloadInfo();
  clearTimeout(timer);
  timer = setTimeout(runPreview, 120);
}
function previewRequest(format) {
  return { document: currentDocument(), payload: currentPayload(), logo: logo ? logo.b64 : null, format };
}

async function runPreview() {
  if (inFlight) { pending = true; return; }
  // An empty payload is a moment in typing, not an error: wait for text.
  if (currentPayload() === '') { $('preview-status').textContent = 'type the text to encode'; return; }
  const request = previewRequest('png');
  inFlight = true;
  $('preview').dataset.state = 'busy';
  $('preview-status').textContent = 'drawing…';
  const t0 = performance.now();
  try {
    const data = await (await api('/api/preview', request)).json();
    const roundTrip = performance.now() - t0;
    const blob = new Blob([base64Bytes(data.image)], { type: data.mime || 'image/png' });
    const url = URL.createObjectURL(blob);
    $('preview').src = url;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = url;
    const ms = Number(data.milliseconds) || 0;
    $('preview-ms').textContent = `${Math.round(ms)} ms`;
    $('preview-ms').classList.toggle('over', ms > 150 && data.report && data.report.version <= 5);
    $('preview-status').textContent = '';
    showReport(data.report || {}, ms, roundTrip);
    clearError();
    $('preview').dataset.state = 'ready';
    previews++;
    document.body.dataset.previews = String(previews);
  } catch (e) {
    $('preview').dataset.state = 'error';
    $('preview-status').textContent = 'not drawn: see the message above (the last good preview stays)';
    showError(errorText(e));
  } finally {
    inFlight = false;
    if (pending) { pending = false; runPreview(); }
  }
}
// Every edit redraws, except keystrokes that leave a hex field invalid (nothing changed then).
function edited(e) { if (!(e.target instanceof HTMLInputElement && e.target.classList.contains('invalid'))) schedulePreview(); }
for (const group of document.querySelectorAll('.live')) {
  group.addEventListener('input', edited);
  group.addEventListener('change', edited);
}

// ---------- report ----------
const ms1 = (seconds) => `${(Number(seconds) * 1000).toFixed(1)} ms`;
function swatch(hex) { const s = el('span', { className: 'swatch', title: hex }); s.style.background = hex; return s; }

function showReport(r, ms, roundTrip) {
  const box = $('report');
  const nodes = [el('h2', { textContent: 'Report' })];
  if (r.integrity) {
    nodes.push(el('div', { className: 'banner' },
      el('strong', { textContent: 'Integrity warning: ' }),
      "the service's results differed from the style's program. The code was drawn from this device's own evaluation and new keys were made. ",
      el('span', { className: 'mono', textContent: JSON.stringify(r.integrity) })));
  }
  const dl = el('dl');
  const row = (label, value) => { if (value !== null && value !== undefined && value !== '') dl.append(el('dt', { textContent: label }), el('dd', {}, value)); };
  row('Tier', r.tier === 'linear' ? 'linear tier, no bootstrapping, 0 PBS' : r.tier === 'pbs' ? `PBS tier, ${r.pbs} bootstraps` : String(r.tier));
  row('Server', `${ms1(r.server)} in the style function; ${Math.round(ms)} ms for the whole preview`);
  row('Client', `${ms1(r.client)} to decrypt, draw and check; ${ms1(r.encrypt)} to encrypt; ${Math.round(roundTrip)} ms round trip in this page`);
  row('Code', `version ${r.version}, ${r.modules}×${r.modules} modules`);
  if (r.raised_from) row('Raised from', `version ${r.raised_from.version}: ${r.raised_from.refused_by}`);
  row('Error correction', r.ec);
  row('Readability', r.readability);
  row('Judges', Array.isArray(r.judges) ? `read by ${r.judges.join(', ')}` : null);
  row('Scanner families', `quirc family: ${r.quirc_family === true ? 'reads' : r.quirc_family === false ? 'does not read' : 'no answer in time'}`);
  row('Phone check', r.phone_check);
  row('Corrected modules', String(r.corrected_modules ?? ''));
  if (typeof r.logo_size === 'number') row('Logo', `${r.logo_size.toFixed(2)} of the code's side`);
  if (typeof r.ink_delta_e === 'number') row('Ink', `a median ΔE ${r.ink_delta_e.toFixed(1)} from the chosen colours`);
  if (r.bytes_up !== undefined) row('Bytes', `${r.bytes_up} up, ${r.bytes_down} down`);
  nodes.push(dl);

  if (Array.isArray(r.colours) && r.colours.length) {
    const table = el('table', { className: 'colours' },
      el('thead', {}, el('tr', {}, ...['Part', 'Chosen | drawn', 'Hex', 'ΔE', 'Why'].map((h) => el('th', { textContent: h })))));
    const tbody = el('tbody');
    for (const c of r.colours) {
      const asChosen = Number(c.delta_e) === 0;
      const why = typeof c.why === 'string' ? c.why : JSON.stringify(c.why);
      tbody.append(el('tr', {},
        el('td', { textContent: PART_NAMES[c.part] || c.part }),
        el('td', {}, swatch(c.chosen), ' ', swatch(c.drawn)),
        el('td', { className: 'mono', textContent: asChosen ? c.chosen : `${c.chosen} → ${c.drawn}` }),
        el('td', { textContent: asChosen ? 'as chosen' : Number(c.delta_e).toFixed(1) }),
        el('td', { className: asChosen ? 'note' : '', textContent: why })));
    }
    table.append(tbody);
    nodes.push(table);
  }
  const raw = el('details', {}, el('summary', { textContent: 'Raw report (JSON)' }), el('pre', { textContent: JSON.stringify(r, null, 2) }));
  nodes.push(raw);
  box.replaceChildren(...nodes);
}

// ---------- export and import ----------
const EXPORTS = { png: 'qrveil.png', svg: 'qrveil.svg', jpeg: 'qrveil.jpg' };
for (const [format, name] of Object.entries(EXPORTS)) {
  const button = $('export-' + format);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const data = await (await api('/api/preview', previewRequest(format))).json();
      download(new Blob([base64Bytes(data.image)], { type: data.mime }), name);
      clearError();
    } catch (e) { showError(errorText(e)); } finally { button.disabled = false; }
  });
}
$('export-json').addEventListener('click', () => {
  const text = JSON.stringify(currentDocument(), null, 2) + '\n';
  download(new Blob([text], { type: 'application/json' }), 'qrveil-style.json');
});

$('import-json').addEventListener('change', async () => {
  const input = $('import-json');
  const file = input.files[0];
  input.value = '';
  if (!file) return;
  try {
    if (file.size > DOC_LIMIT) throw new Error(`${file.name} is ${file.size} bytes; a style document is at most 64 KiB`);
    let doc;
    try { doc = JSON.parse(await file.text()); } catch (e) { throw new Error(`${file.name} is not JSON: ${e.message}`); }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !('qrveilStyle' in doc)) {
      throw new Error(`${file.name} is not a qrveil style document (it has no qrveilStyle)`);
    }
    if (doc.qrveilStyle !== 1) throw new Error(`${file.name} is qrveilStyle ${JSON.stringify(doc.qrveilStyle)}; this studio reads 1`);
    loadDocument(doc);
    selectCustomLook(`imported: ${file.name}`);
    const notes = [];
    const unknown = Object.keys(doc).filter((k) => !KNOWN_KEYS.includes(k));
    if (unknown.length) notes.push(`Left out fields qrveil does not know: ${unknown.join(', ')}.`);
    if (typeof doc.image === 'string') notes.push(`The document names a logo file (${doc.image}): drop it in Image to use it.`);
    $('import-note').textContent = notes.join(' ');
    $('import-note').hidden = notes.length === 0;
    clearError();
    schedulePreview();
  } catch (e) { showError(errorText(e)); }
});

// ---------- learn from examples ----------
const examples = new Map(); // file name -> File
let learned = null;

function pairExamples() {
  const styled = new Map();
  const plain = new Map();
  const stray = [];
  for (const [name, file] of examples) {
    const lower = name.toLowerCase();
    if (lower.endsWith('.plain.png')) plain.set(name.slice(0, -10), file);
    else if (lower.endsWith('.png')) styled.set(name.slice(0, -4), file);
    else stray.push(`${name}: not a PNG`);
  }
  const pairs = [];
  for (const [base, file] of styled) {
    if (plain.has(base)) pairs.push({ name: base, styled: file, plain: plain.get(base) });
    else stray.push(`${file.name}: no ${base}.plain.png beside it`);
  }
  for (const [base, file] of plain) if (!styled.has(base)) stray.push(`${file.name}: no ${base}.png beside it`);
  pairs.sort((a, b) => a.name.localeCompare(b.name));
  return { pairs, stray };
}
function showExamples() {
  const { pairs, stray } = pairExamples();
  const items = pairs.map((p) => el('li', { textContent: `${p.name}: ${p.name}.png + ${p.name}.plain.png` }));
  for (const s of stray) items.push(el('li', { className: 'warn', textContent: `unpaired: ${s}` }));
  if (!items.length) items.push(el('li', { className: 'note', textContent: 'no examples yet' }));
  $('learn-pairs').replaceChildren(...items);
  $('learn-run').disabled = pairs.length === 0;
}
function takeExamples(files) {
  const tooLarge = [];
  for (const f of files) {
    if (f.size > EXAMPLE_LIMIT) tooLarge.push(`${f.name} (${megabytes(f.size)})`);
    else examples.set(f.name, f);
  }
  if (tooLarge.length) showError(`Example files are at most 8 MB each; left out: ${tooLarge.join(', ')}`);
  showExamples();
}
$('learn-files').addEventListener('change', () => { takeExamples([...$('learn-files').files]); $('learn-files').value = ''; });
dropZone($('learn-drop'), takeExamples);
$('learn-clear').addEventListener('click', () => { examples.clear(); showExamples(); });

function showFigures(f) {
  const dl = $('learn-figures');
  const num = (v, digits) => (typeof v === 'number' ? v.toFixed(digits) : '—');
  const rows = [
    ['Examples', String(f.examples)], ['Seconds', num(f.seconds, 1)], ['Mean residual', num(f.residual_mean, 4)],
    ['Worst residual', num(f.residual_worst, 4)], ['Model', String(f.model ?? '—')], ['Ink rms', num(f.ink_rms, 1)],
  ];
  if (typeof f.background_rms === 'number') rows.push(['Background rms', num(f.background_rms, 1)]);
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })]));
  dl.hidden = false;
}

$('learn-run').addEventListener('click', async () => {
  const { pairs } = pairExamples();
  if (!pairs.length) { showError('drop at least one pair: NAME.png and NAME.plain.png'); return; }
  const run = $('learn-run');
  run.disabled = true;
  learned = null;
  $('learn-load').hidden = true;
  $('learn-figures').hidden = true;
  $('learn-status').hidden = false;
  const progress = $('learn-progress');
  progress.removeAttribute('value');
  $('learn-stage').textContent = 'reading the files…';
  try {
    const list = [];
    for (const p of pairs) list.push({ name: p.name, styled: await fileBase64(p.styled), plain: await fileBase64(p.plain) });
    $('learn-stage').textContent = 'sending the examples…';
    const res = await api('/api/fit', { examples: list, readability: $('learn-readability').value, model: $('learn-model').value });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let finished = false;
    const handle = (line) => {
      if (!line.trim()) return;
      const msg = JSON.parse(line);
      if (msg.progress) {
        const { stage, done, total } = msg.progress;
        progress.max = Math.max(1, total);
        progress.value = done;
        $('learn-stage').textContent = `${stage}: ${done} of ${total}`;
      } else if (msg.done) {
        learned = msg.done.document;
        finished = true;
        progress.max = 1;
        progress.value = 1;
        $('learn-stage').textContent = 'done';
        showFigures(msg.done.figures || {});
        $('learn-load').hidden = false;
      } else if (msg.error) {
        throw new Error(msg.error);
      }
    };
    for (;;) {
      let chunk;
      try { chunk = await reader.read(); } catch (_) { throw new Error(STOPPED); }
      buffer += chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        handle(line);
      }
      if (chunk.done) break;
    }
    handle(buffer);
    if (!finished) throw new Error('the fit ended before it said it was done');
    clearError();
  } catch (e) {
    $('learn-stage').textContent = 'stopped';
    showError(errorText(e));
  } finally {
    showExamples();
  }
});
$('learn-load').addEventListener('click', () => {
  if (!learned) return;
  loadDocument(learned);
  selectCustomLook('learned from examples');
  $('import-note').hidden = true;
  schedulePreview();
});

// ---------- start ----------
document.body.dataset.previews = '0';
showLogo();
showExamples();
loadLooks();
