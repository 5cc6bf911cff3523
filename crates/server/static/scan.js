// tallyproof: the phone's scan of a posted protocol (docs/protocol-qr.md, issue 22). A module
// with no build step and no words of its own (its messages are the page's hidden #scan-text
// list, in the page's language). It reads the QR code with the camera (a secure context:
// HTTPS or localhost) or from a chosen photo, with the vendored zxing-wasm reader; reads the
// code's text (TPQ1) and its check digits; keeps every code it read on the phone
// (localStorage), so that a code read offline is checked once the phone is online; and checks
// it against the commission's log: it asks this service what the log says of the station
// (`/api/posted`), verifies the station's current protocol entry with the station check's
// own steps (check.js: the log key against the fingerprint the posted code names, the
// checkpoint's signature, the witnesses, the entry's inclusion proof), compares the posted
// figures with that verified entry itself, and refuses the service's comparison where the
// two disagree.

import { webCrypto, pureJs, check as checkLog, grouped, included, parseNote, concat, unhex } from './check.js';
import { prepareZXingModule, readBarcodes } from './vendor/zxing-wasm/es/reader/index.js';

const KEPT = 'tallyproof.scans';
const $ = (id) => document.getElementById(id);
const texts = $('scan-text').content;
const MESSAGES = new Map(Array.from(texts.querySelectorAll('[data-k]'), (m) => [m.dataset.k, m.textContent]));
const LINES = new Map(Array.from(texts.querySelectorAll('[data-line]'), (m) => [m.dataset.line, m.textContent]));
const LINE_KEYS = Array.from(texts.querySelectorAll('[data-line]'), (m) => m.dataset.line);
const say = (key, args = {}) => (MESSAGES.get(key) ?? key)
  .replace(/\{(\w+)\}/g, (all, name) => (name in args ? String(args[name]) : all));
const numbers = new Intl.NumberFormat(document.documentElement.lang || 'en');
const count = (v) => (v === null || v === undefined ? '—' : numbers.format(BigInt(v)));
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const READING = { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 };

// The reader's WebAssembly from this site, loaded now: a code read later needs no network.
const ready = prepareZXingModule({
  overrides: {
    locateFile: (path, prefix) => (path.endsWith('.wasm')
      ? new URL('./vendor/zxing-wasm/reader/zxing_reader.wasm', import.meta.url).href
      : prefix + path),
  },
  fireImmediately: true,
});
const engine = webCrypto().then((E) => E ?? pureJs());

function status(text) { $('scan-status').textContent = text; }

function unbase32(text) {
  const out = [];
  let [acc, bits] = [0, 0];
  for (const c of text) {
    const v = BASE32.indexOf(c);
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(out));
}

// A posted protocol's text, read (docs/protocol-qr.md, "The text"), or why not.
async function parse(text) {
  const f = text.split('/');
  if (f[0] !== 'TPQ1' || f.length !== 10) throw new Error(say('not-posted', { why: text.slice(0, 12) }));
  const body = text.slice(0, text.lastIndexOf('/') + 1);
  const E = await engine;
  const digest = await E.sha256(new TextEncoder().encode(body));
  const check = Array.from(digest.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
  if (check !== f[9]) throw new Error(say('bad-check'));
  const [maskHex, ...given] = f[7].split('.');
  const mask = parseInt(maskHex, 16);
  const lines = [];
  for (let bit = 0, k = 0; bit < LINE_KEYS.length; bit += 1) {
    if (mask & (1 << bit)) { lines.push([LINE_KEYS[bit], given[k]]); k += 1; }
  }
  let election;
  try { election = unbase32(f[1]); } catch (e) { election = null; }
  if (election === null) throw new Error(say('not-posted', { why: 'election' }));
  const t = f[5];
  return {
    text,
    election,
    station: Number(f[2]),
    contest: Number(f[3]),
    source: f[4] === 'A' ? 'machine' : 'manual',
    time: `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)} UTC`,
    key: f[6].toLowerCase(),
    lines,
    votes: f[8] === '-' ? [] : f[8].split('.'),
  };
}

function row(label, value) {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = label;
  const td = document.createElement('td');
  td.className = 'n';
  td.textContent = value;
  tr.append(th, td);
  return tr;
}

// Shows what the code holds; `choices` names the votes once the service said them.
function showRead(p, choices = []) {
  $('scan-election').textContent = p.title ? `${p.title} (${p.election})` : p.election;
  $('scan-station').textContent = p.path ?? String(p.station);
  $('scan-time').textContent = p.time;
  $('scan-source').textContent = say(p.source);
  $('scan-key').textContent = grouped(p.key);
  $('scan-figures').replaceChildren(
    ...p.lines.map(([k, v]) => row(LINES.get(k) ?? k, count(v))),
    ...p.votes.map((v, i) => row(choices[i] ?? `#${i + 1}`, count(v))),
  );
  $('scan-read').hidden = false;
}

function kept() {
  try { return JSON.parse(localStorage.getItem(KEPT)) ?? []; } catch (e) { return []; }
}

function keep(list) {
  localStorage.setItem(KEPT, JSON.stringify(list));
  $('scan-kept').replaceChildren(...list.slice().reverse().map((s) => {
    const li = document.createElement('li');
    li.textContent = `${s.election} · ${s.path ?? s.station} · ${s.read} · ${s.verdict ?? say('waiting')}`;
    return li;
  }));
}

// A log entry's JSON (after its format byte), or null.
function entryJson(bytes) {
  try { return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.slice(1))); } catch (x) { return null; }
}

// A line of a protocol entry: as given, or the ballots issued and found as the sum of their
// parts where the entry gives only those (as pvt::compare compares them).
const PARTS = { issued_total: ['issued_early', 'issued_in_station', 'issued_outside'],
  found_total: ['found_mobile', 'found_stationary'] };
function lineOf(e, key) {
  const lines = e.lines ?? {};
  if (key in lines) return BigInt(lines[key]);
  const parts = (PARTS[key] ?? []).filter((k) => k in lines);
  return parts.length ? parts.reduce((n, k) => n + BigInt(lines[k]), 0n) : null;
}

// The lines and votes in which the posted figures `p` differ from protocol entry `e`, computed
// here: a line the code gives and the entry lacks differs too. [label, posted, log].
function differences(p, e, choices) {
  const out = [];
  for (const [k, v] of p.lines) {
    const log = lineOf(e, k);
    if (log === null || log !== BigInt(v)) out.push([LINES.get(k) ?? k, v, log === null ? null : String(log)]);
  }
  p.votes.forEach((v, i) => {
    const log = e.votes?.[i];
    if (log === undefined || BigInt(log) !== BigInt(v)) out.push([choices[i] ?? `#${i + 1}`, v, log ?? null]);
  });
  return out;
}

// Whether entry `e` is the station's protocol of the code's contest and count.
const isOf = (p, e) => e?.type === 'protocol' && e.station === p.station && e.contest === p.contest
  && e.source === p.source && Array.isArray(e.votes);

// Entry `x` ({index, entry, proof}) proven in the checkpoint `note`: its JSON, or null.
async function proven(E, note, x) {
  if (!x?.entry) return null;
  const bytes = unhex(x.entry);
  const leaf = await E.sha256(concat([0], bytes));
  const ok = await included(E, x.index, note.size, leaf, (x.proof ?? []).map(unhex), note.root);
  return ok ? { ...entryJson(bytes), index: x.index } : null;
}

// Checks code `p` against the log; answers the verdict's words. Nothing the service says is
// taken: the current entry is verified with the station check's steps against the key the
// code names and the election's log, the figures are compared here, and a superseded version
// must be an earlier entry of the same protocol proven in the same signed checkpoint.
async function checkOnline(p) {
  const start = performance.now();
  let data;
  try {
    const r = await fetch(`/api/posted?code=${encodeURIComponent(p.text)}`);
    data = await r.json();
    if (!r.ok) return { verdict: say('refused', { why: data.error ?? r.status }), valid: false };
  } catch (e) {
    return null;
  }
  p.path = data.path;
  p.title = data.title;
  const choices = Array.isArray(data.choices) ? data.choices.map(String) : [];
  showRead(p, choices);
  const E = await engine;
  if (!data.check) return { verdict: say('no-protocol'), valid: false, steps: [], ms: performance.now() - start };
  const steps = await checkLog(E, { ...data.check, proof: data.check.proof.map(unhex) }, p.key, p.election);
  const failed = steps.find((s) => s.ok === false);
  const done = (r) => ({ steps, ms: performance.now() - start, ...r });
  if (failed) return done({ verdict: say('log-invalid', { why: failed.what }), valid: false });
  const current = entryJson(unhex(data.check.entry));
  if (!isOf(p, current)) return done({ verdict: say('disagrees'), valid: false });
  const differs = differences(p, current, choices);
  const listed = differs.map(([line, posted, log]) => say('differs', { line, posted: count(posted), log: count(log) }));
  let outcome = 'mismatch';
  let verdict = say('mismatch');
  if (differs.length === 0) {
    outcome = 'match';
    verdict = say('match', { version: current.version });
  } else {
    const note = parseNote(data.check.note);
    const earlier = await proven(E, note, data.earlier);
    if (isOf(p, earlier) && earlier.version < current.version && earlier.index < data.check.index
        && differences(p, earlier, choices).length === 0) {
      const d = await proven(E, note, data.decision);
      const recount = d?.type === 'decision' && d.kind === 'recount' && d.index < data.check.index;
      outcome = 'superseded';
      verdict = say('superseded', {
        version: current.version,
        decision: recount ? say('recount', { entry: d.index }) : say('no-decision'),
      });
    }
  }
  // The service's own comparison must say the same, or it is not to be trusted.
  if (data.compared?.outcome !== outcome) return done({ verdict: say('disagrees'), valid: false, differences: listed });
  return done({ verdict, valid: true, outcome, differences: listed });
}

function showResult(r) {
  $('scan-verdict').textContent = r.verdict;
  $('scan-differences').replaceChildren(...(r.differences ?? []).map((d) => {
    const li = document.createElement('li');
    li.textContent = d;
    return li;
  }));
  $('check-steps').replaceChildren(...(r.steps ?? []).map((s) => {
    const li = document.createElement('li');
    li.textContent = s.what;
    if (s.lang) li.lang = s.lang;
    return li;
  }));
  $('scan-took').textContent = r.ms === undefined ? '' : say('took', { ms: Math.round(r.ms) });
  const box = $('scan-result');
  box.hidden = false;
  box.dataset.outcome = r.valid ? r.outcome ?? 'none' : 'invalid';
  box.dataset.ms = r.ms === undefined ? '' : r.ms.toFixed(1);
}

// Checks every kept code not yet checked, the newest last (shown), one check at a time.
let inFlight = Promise.resolve();
function checkKept() {
  inFlight = inFlight.then(checkAllKept, checkAllKept);
  return inFlight;
}

async function checkAllKept() {
  const list = kept();
  for (const s of list.filter((x) => !x.verdict)) {
    status(say('checking'));
    const p = await parse(s.text);
    const r = await checkOnline(p);
    if (r === null) { status(say('unreachable')); return; }
    Object.assign(s, { verdict: r.verdict, path: p.path });
    keep(list);
    showResult(r);
    status('');
  }
}

// A code read: shown, kept, and checked if the phone is online.
async function read(text) {
  let p;
  try {
    p = await parse(text);
  } catch (e) {
    status(e.message);
    return;
  }
  showRead(p);
  $('scan-result').hidden = true;
  // An observer may send what the code holds as their report (the page's forms).
  for (const input of document.querySelectorAll('input.scan-code')) input.value = text;
  if ($('scan-report')) $('scan-report').hidden = false;
  const list = kept();
  list.push({ text, election: p.election, station: p.station, read: new Date().toISOString().slice(0, 16).replace('T', ' ') });
  keep(list);
  document.body.dataset.read = text;
  if (!navigator.onLine) { status(say('kept')); return; }
  await checkKept();
}

async function fromImage(image) {
  status(say('reading'));
  await ready;
  const found = (await readBarcodes(image, READING)).find((r) => r.isValid && r.text);
  if (!found) { status(say('unreadable')); return false; }
  await read(found.text);
  return true;
}

let stream = null;

function stop() {
  stream?.getTracks().forEach((t) => t.stop());
  stream = null;
  $('scan-video').hidden = true;
  $('scan-stop').hidden = true;
}

// Reads frames from the camera until a code is read.
async function camera() {
  stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  const video = $('scan-video');
  video.srcObject = stream;
  video.hidden = false;
  $('scan-stop').hidden = false;
  await video.play();
  await ready;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  status(say('reading'));
  while (stream) {
    if (video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const found = (await readBarcodes(frame, READING)).find((r) => r.isValid && r.text.startsWith('TPQ1/'));
      if (found) { stop(); await read(found.text); return; }
    }
    await new Promise((done) => { setTimeout(done, 200); });
  }
}

function main() {
  keep(kept());
  if (window.isSecureContext && navigator.mediaDevices?.getUserMedia) {
    $('scan-camera').hidden = false;
    $('scan-camera').addEventListener('click', () => camera().catch((e) => { stop(); status(e.message); }));
    $('scan-stop').addEventListener('click', stop);
  } else {
    status(say('no-camera'));
  }
  $('scan-file').addEventListener('change', async (ev) => {
    const file = ev.target.files?.[0];
    if (file) await fromImage(file);
  });
  window.addEventListener('online', () => { checkKept(); });
  ready.then(() => { $('scan').dataset.ready = '1'; });
  if (navigator.onLine) checkKept();
}

main();
