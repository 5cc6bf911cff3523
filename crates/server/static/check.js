// tallyproof: "check this station", in the reader's browser. A static file with no build
// step; its SHA-256 is in the README. It checks what a station page states against the
// fingerprint of the commission's log key that the reader got elsewhere (docs/log-format.md):
// the log key, the checkpoint's Ed25519 signature, the witnesses' cosignatures, the leaf hash
// of the station's current protocol entry and its inclusion proof (RFC 9162, 2.1.3.2), and
// that the checkpoint is neither older than nor a fork of one this browser saw before (with a
// consistency proof, RFC 9162 2.1.4.2, when it is newer). Crypto: WebCrypto where the page is
// a secure context and has Ed25519, else the vendored noble-ed25519 and noble-hashes. Every
// message is the page's, in its language (the hidden #check-text list): none is written here.

const PIN = 'tallyproof.fingerprint';
const SEEN = 'tallyproof.seen:';
const UTF8 = new TextEncoder();
// RFC 8032, 7.1, test 1: a public key to ask WebCrypto whether it has Ed25519.
const PROBE = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

const $ = (id) => document.getElementById(id);
const bytes = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const b64 = (text) => bytes(atob(text));
const unhex = (h) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const grouped = (h) => h.match(/.{4}/g).join(' ');
const digits = (typed) => typed.toLowerCase().replace(/[^0-9a-f]/g, '');
const powerOfTwo = (x) => { while (x % 2 === 0) x /= 2; return x === 1; };

// The page's messages, by key: their text (with {name} placeholders) and language.
const MESSAGES = new Map(Array.from(document.getElementById('check-text').content.querySelectorAll('[data-k]'),
  (m) => [m.dataset.k, { text: m.textContent, lang: m.lang }]));
// A message with its placeholders filled; a key the page lacks is shown as the key.
const say = (key, args = {}) => (MESSAGES.get(key)?.text ?? key)
  .replace(/\{(\w+)\}/g, (all, name) => (name in args ? String(args[name]) : all));
// A message's language, where it is not the page's (the Russian on a Kyrgyz page).
const langOf = (key) => MESSAGES.get(key)?.lang || '';
// An error that carries a message of the page.
const fail = (key, args) => new Error(say(key, args));

// The two ways to hash and verify; each answers promises.
async function webCrypto() {
  if (!window.isSecureContext || !globalThis.crypto?.subtle) return null;
  const s = crypto.subtle;
  try {
    await s.importKey('raw', unhex(PROBE), { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    return null;
  }
  return {
    name: 'webcrypto',
    label: 'engine-webcrypto',
    sha256: async (data) => new Uint8Array(await s.digest('SHA-256', data)),
    verify: async (pub, sig, msg) => {
      try {
        const key = await s.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
        return await s.verify({ name: 'Ed25519' }, key, sig, msg);
      } catch (e) {
        return false;
      }
    },
  };
}

async function pureJs() {
  const [ed, sha2] = await Promise.all([
    import('./vendor/noble-ed25519/index.js'),
    import('./vendor/noble-hashes/sha2.js'),
  ]);
  ed.hashes.sha512 = sha2.sha512;
  return {
    name: 'noble',
    label: 'engine-noble',
    sha256: async (data) => sha2.sha256(data),
    verify: async (pub, sig, msg) => {
      try {
        return ed.verify(sig, msg, pub, { zip215: false });
      } catch (e) {
        return false;
      }
    },
  };
}

// A verifier key `name+id+base64(type || key)` whose key ID matches.
async function parseKey(E, text, type) {
  const [name, id, key] = [text.split('+')[0], text.split('+')[1], text.split('+').slice(2).join('+')];
  const raw = b64(key || '');
  if (raw.length !== 33 || raw[0] !== type) throw fail('key-type', { key: text, type });
  const pub = raw.slice(1);
  const digest = await E.sha256(concat(UTF8.encode(name), [0x0a, type], pub));
  if (hex(digest.slice(0, 4)) !== id) throw fail('key-id', { name });
  return { name, id, pub, fingerprint: grouped(hex((await E.sha256(pub)).slice(0, 16))) };
}

// A signed note: its text and its signature lines (name, bytes).
function parseNote(note) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw fail('note-not-note');
  const lines = note.slice(split + 2, -1).split('\n').map((l) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(l);
    if (!m) throw fail('note-line', { line: l });
    return { name: m[1], raw: b64(m[2]) };
  });
  const body = note.slice(0, split + 1).split('\n');
  if (body.length !== 4 || !/^(0|[1-9][0-9]*)$/.test(body[1])) throw fail('note-body');
  const root = b64(body[2]);
  if (root.length !== 32) throw fail('note-root');
  return { text: note.slice(0, split + 1), origin: body[0], size: Number(body[1]), root, rootText: body[2], lines };
}

const signedBy = (lines, key) =>
  lines.filter((l) => l.name === key.name && l.raw.length >= 4 && hex(l.raw.slice(0, 4)) === key.id);

const node = (E, left, right) => E.sha256(concat([1], left, right));

// The walk of RFC 9162 (2.1.3.2 and 2.1.4.2) up a proof from node `fn` of a tree whose last
// node is `sn`: `left(c)` for each hash that is a left sibling, `right(c)` for a right one;
// whether the proof ends at the root.
async function walk(fn, sn, path, left, right) {
  for (const c of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      await left(c);
      while (fn % 2 === 0 && fn !== 0) { fn /= 2; sn = Math.floor(sn / 2); }
    } else {
      await right(c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0;
}

// Whether the inclusion proof of `leaf` at `index` leads to `root` (RFC 9162, 2.1.3.2).
async function included(E, index, size, leaf, proof, root) {
  if (index >= size) return false;
  let r = leaf;
  const ended = await walk(index, size - 1, proof,
    async (c) => { r = await node(E, c, r); },
    async (c) => { r = await node(E, r, c); });
  return ended && same(r, root);
}

// Whether `proof` shows the tree of size m (root a) is a prefix of the tree of size n
// (root b) (RFC 9162, 2.1.4.2).
async function consistent(E, m, n, a, b, proof) {
  if (m === n) return proof.length === 0 && same(a, b);
  if (m === 0 || m > n || proof.length === 0) return false;
  const path = powerOfTwo(m) ? [a, ...proof] : proof;
  let [fn, sn] = [m - 1, n - 1];
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let [fr, sr] = [path[0], path[0]];
  const ended = await walk(fn, sn, path.slice(1),
    async (c) => { fr = await node(E, c, fr); sr = await node(E, c, sr); },
    async (c) => { sr = await node(E, sr, c); });
  return ended && same(fr, a) && same(sr, b);
}

// Every step, in order; each pushes {ok: true|false|null, what, lang}: `step(ok, key, args)`
// says the page's message `key`. With `election`, the checkpoint must be that election's log
// (its origin ends with "/election": one key signs every election of a service).
async function check(E, data, typed, election) {
  const steps = [];
  const step = (ok, key, args) => { steps.push({ ok, what: say(key, args), lang: langOf(key) }); return ok; };
  const want = digits(typed);
  if (want.length !== 32) {
    step(false, 'fingerprint-length');
    return steps;
  }
  let key;
  try {
    key = await parseKey(E, data.key, 1);
  } catch (e) {
    step(false, 'key-unreadable', { why: e.message });
    return steps;
  }
  const matches = key.fingerprint === grouped(want);
  if (!step(matches, matches ? 'key-matches' : 'key-differs',
    { name: key.name, fingerprint: key.fingerprint, typed: grouped(want) })) {
    return steps;
  }
  let note;
  try {
    note = parseNote(data.note);
  } catch (e) {
    step(false, 'note-unreadable', { why: e.message });
    return steps;
  }
  let signed = false;
  for (const l of signedBy(note.lines, key)) {
    signed = signed || (l.raw.length === 68 && await E.verify(key.pub, l.raw.slice(4), UTF8.encode(note.text)));
  }
  if (!step(signed, signed ? 'note-signed' : 'note-unsigned', { origin: note.origin, size: note.size })) return steps;
  if (election !== undefined && !note.origin.endsWith(`/${election}`)) {
    step(false, 'note-origin', { origin: note.origin, election });
    return steps;
  }
  const witnesses = [];
  for (const text of data.witnesses) {
    let w;
    try { w = await parseKey(E, text, 4); } catch (e) { step(false, 'witness-unreadable', { why: e.message }); continue; }
    const lines = signedBy(note.lines, w);
    if (lines.length === 0) { witnesses.push(say('witness-absent', w)); continue; }
    let ok = false;
    for (const l of lines) {
      if (l.raw.length !== 76) continue;
      const time = new DataView(l.raw.buffer, 4, 8).getBigUint64(0);
      const msg = UTF8.encode(`cosignature/v1\ntime ${time}\n${note.text}`);
      ok = ok || await E.verify(w.pub, l.raw.slice(12), msg);
    }
    if (!step(ok, ok ? 'witness-cosigned' : 'witness-bad', w)) return steps;
  }
  if (witnesses.length > 0 || data.witnesses.length === 0) {
    step(null, data.witnesses.length === 0 ? 'no-witness' : 'witnesses-missing', { list: witnesses.join('; ') });
  }
  const entry = unhex(data.entry);
  const leaf = await E.sha256(concat([0], entry));
  let p;
  try { p = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry.slice(1))); } catch (e) { p = {}; }
  const isProtocol = entry[0] === 1 && p.type === 'protocol' && p.station === data.station;
  const source = MESSAGES.has(`source-${p.source}`) ? say(`source-${p.source}`) : p.source;
  if (!step(isProtocol, isProtocol ? 'entry-protocol' : 'entry-other', {
    index: data.index, station: isProtocol ? p.station : data.station, contest: p.contest, version: p.version,
    source, votes: isProtocol ? p.votes.join(', ') : '', leaf: hex(leaf).slice(0, 16),
  })) return steps;
  const inLog = await included(E, data.index, note.size, leaf, data.proof, note.root);
  if (!step(inLog, inLog ? 'included' : 'not-included', { hashes: data.proof.length })) return steps;
  await fresh(E, note, data, step);
  return steps;
}

// Compares the checkpoint with the largest one this browser saw of the same log, and
// remembers it if it is the largest.
async function fresh(E, note, data, step) {
  const at = SEEN + note.origin;
  let seen = null;
  try { seen = JSON.parse(localStorage.getItem(at)); } catch (e) { seen = null; }
  const remember = () => localStorage.setItem(at, JSON.stringify({ size: note.size, root: note.rootText }));
  const sizes = { seen: seen?.size, size: note.size };
  if (!seen) {
    remember();
    return step(true, 'first-seen', sizes);
  }
  if (seen.size > note.size) {
    return step(false, 'stale', sizes);
  }
  if (seen.size === note.size) {
    return step(seen.root === note.rootText, seen.root === note.rootText ? 'same' : 'forked', sizes);
  }
  let proof = null;
  try {
    const r = await fetch(`${data.consistency}?from=${seen.size}&to=${note.size}`);
    if (r.ok) proof = (await r.json()).proof.map(unhex);
  } catch (e) { proof = null; }
  const ok = proof !== null && await consistent(E, seen.size, note.size, b64(seen.root), note.root, proof);
  if (ok) remember();
  return step(ok, ok ? 'extends' : 'unproven', sizes);
}

function show(steps, E, ms) {
  const box = $('check');
  const valid = steps.every((s) => s.ok !== false) && steps.some((s) => s.ok === true);
  box.dataset.result = valid ? 'valid' : 'invalid';
  box.dataset.engine = E.name;
  box.dataset.ms = ms.toFixed(1);
  const list = $('check-steps');
  list.replaceChildren(...steps.map((s) => {
    const li = document.createElement('li');
    li.textContent = say(s.ok === true ? 'passed' : s.ok === false ? 'failed' : 'note', { what: s.what });
    if (s.lang) li.lang = s.lang;
    return li;
  }));
  const verdict = $('check-verdict');
  const failed = steps.find((s) => s.ok === false);
  verdict.textContent = valid
    ? say('valid', { ms: ms.toFixed(0), engine: say(E.label) })
    : say('invalid', { why: failed?.what ?? say('nothing-checked') });
  verdict.lang = valid ? langOf('valid') : failed?.lang || langOf('invalid');
  $('check-result').hidden = false;
}

function pinned() {
  const pin = localStorage.getItem(PIN);
  $('check-pinned').hidden = !pin;
  $('check-forget').hidden = !pin;
  if (pin) $('check-fingerprint').value = pin;
}

// What the page states, read when the reader presses the button.
function stated() {
  const box = $('check');
  return {
    note: $('checkpoint-note').textContent,
    key: $('check-key').textContent.trim(),
    witnesses: Array.from(document.querySelectorAll('.check-witness'), (w) => w.textContent.trim()),
    entry: box.dataset.entry,
    index: Number(box.dataset.index),
    station: Number(box.dataset.station),
    proof: box.dataset.proof ? box.dataset.proof.split(',').map(unhex) : [],
    consistency: box.dataset.consistency,
  };
}

async function main() {
  const box = $('check');
  if (!box) return;
  const E = (await webCrypto()) ?? (await pureJs());
  $('check-form').hidden = false;
  pinned();
  $('check-forget').addEventListener('click', () => {
    localStorage.removeItem(PIN);
    $('check-fingerprint').value = '';
    pinned();
  });
  $('check-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const typed = $('check-fingerprint').value;
    const start = performance.now();
    const steps = await check(E, stated(), typed);
    const ms = performance.now() - start;
    if (digits(typed).length === 32) localStorage.setItem(PIN, grouped(digits(typed)));
    pinned();
    show(steps, E, ms);
  });
  box.dataset.ready = E.name;
}

main();
export { webCrypto, pureJs, check, grouped, included, parseNote, concat, unhex };
