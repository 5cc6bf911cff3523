// tallyproof: "check this station", in the reader's browser. A static file with no build
// step; its SHA-256 is in the README. It checks what a station page states against the
// fingerprint of the commission's log key that the reader got elsewhere (docs/log-format.md):
// the log key, the checkpoint's Ed25519 signature, the witnesses' cosignatures, the leaf hash
// of the station's current protocol entry and its inclusion proof (RFC 9162, 2.1.3.2), and
// that the checkpoint is neither older than nor a fork of one this browser saw before (with a
// consistency proof, RFC 9162 2.1.4.2, when it is newer). Crypto: WebCrypto where the page is
// a secure context and has Ed25519, else the vendored noble-ed25519 and noble-hashes.

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
    label: "your browser's own cryptography (WebCrypto)",
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
    label: 'the JavaScript of noble-ed25519 3.2.0 and noble-hashes 2.4.0 served with this page',
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
  if (raw.length !== 33 || raw[0] !== type) throw new Error(`"${text}" is not a key of type ${type}`);
  const pub = raw.slice(1);
  const digest = await E.sha256(concat(UTF8.encode(name), [0x0a, type], pub));
  if (hex(digest.slice(0, 4)) !== id) throw new Error(`the key ID of "${name}" does not match its key`);
  return { name, id, pub, fingerprint: grouped(hex((await E.sha256(pub)).slice(0, 16))) };
}

// A signed note: its text and its signature lines (name, bytes).
function parseNote(note) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('the checkpoint is not a signed note');
  const lines = note.slice(split + 2, -1).split('\n').map((l) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(l);
    if (!m) throw new Error(`"${l}" is not a signature line`);
    return { name: m[1], raw: b64(m[2]) };
  });
  const body = note.slice(0, split + 1).split('\n');
  if (body.length !== 4 || !/^(0|[1-9][0-9]*)$/.test(body[1])) throw new Error('the checkpoint is not origin, size and root');
  const root = b64(body[2]);
  if (root.length !== 32) throw new Error('the checkpoint root is not 32 bytes');
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

// Every step, in order; each pushes {ok: true|false|null, what}.
async function check(E, data, typed) {
  const steps = [];
  const step = (ok, what) => { steps.push({ ok, what }); return ok; };
  const want = digits(typed);
  if (want.length !== 32) {
    step(false, 'The fingerprint you typed must have 32 digits and letters a to f (as 8 groups of 4).');
    return steps;
  }
  let key;
  try {
    key = await parseKey(E, data.key, 1);
  } catch (e) {
    step(false, `The log key this page states cannot be read: ${e.message}.`);
    return steps;
  }
  if (!step(key.fingerprint === grouped(want),
    key.fingerprint === grouped(want)
      ? `The log key this page states (${key.name}) has the fingerprint you gave: ${key.fingerprint}.`
      : `The log key this page states has the fingerprint ${key.fingerprint}, not the one you gave (${grouped(want)}). This page is not from the log the commission signed, or the fingerprint is mistyped.`)) {
    return steps;
  }
  let note;
  try {
    note = parseNote(data.note);
  } catch (e) {
    step(false, `The checkpoint cannot be read: ${e.message}.`);
    return steps;
  }
  let signed = false;
  for (const l of signedBy(note.lines, key)) {
    signed = signed || (l.raw.length === 68 && await E.verify(key.pub, l.raw.slice(4), UTF8.encode(note.text)));
  }
  if (!step(signed, signed
    ? `The checkpoint of the log "${note.origin}" (${note.size} entries) is signed by that key.`
    : 'The checkpoint is not signed by that key.')) return steps;
  const witnesses = [];
  for (const text of data.witnesses) {
    let w;
    try { w = await parseKey(E, text, 4); } catch (e) { step(false, `A witness key cannot be read: ${e.message}.`); continue; }
    const lines = signedBy(note.lines, w);
    if (lines.length === 0) { witnesses.push(`${w.name} (fingerprint ${w.fingerprint}) did not cosign this checkpoint`); continue; }
    let ok = false;
    for (const l of lines) {
      if (l.raw.length !== 76) continue;
      const time = new DataView(l.raw.buffer, 4, 8).getBigUint64(0);
      const msg = UTF8.encode(`cosignature/v1\ntime ${time}\n${note.text}`);
      ok = ok || await E.verify(w.pub, l.raw.slice(12), msg);
    }
    if (!step(ok, ok
      ? `The witness ${w.name} (fingerprint ${w.fingerprint}: compare it with the one the witness publishes) cosigned this checkpoint: it saw the same log.`
      : `The cosignature of the witness ${w.name} does not verify.`)) return steps;
  }
  if (witnesses.length > 0 || data.witnesses.length === 0) {
    step(null, data.witnesses.length === 0
      ? 'No witness is named for this log: nobody outside the commission has confirmed seeing the same log.'
      : `Not confirmed by every witness: ${witnesses.join('; ')}.`);
  }
  const entry = unhex(data.entry);
  const leaf = await E.sha256(concat([0], entry));
  let p;
  try { p = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry.slice(1))); } catch (e) { p = {}; }
  const isProtocol = entry[0] === 1 && p.type === 'protocol' && p.station === data.station;
  if (!step(isProtocol, isProtocol
    ? `Log entry ${data.index} is this station's protocol: station ${p.station}, contest ${p.contest}, version ${p.version}, ${p.source} count, votes ${p.votes.join(', ')}. Its leaf hash begins ${hex(leaf).slice(0, 16)}.`
    : `Log entry ${data.index} is not a protocol of station ${data.station}.`)) return steps;
  const inLog = await included(E, data.index, note.size, leaf, data.proof, note.root);
  if (!step(inLog, inLog
    ? `The entry is in the signed log: its inclusion proof (${data.proof.length} hashes) leads to the checkpoint's root.`
    : 'The inclusion proof does not lead to the checkpoint\'s root: this entry is not shown to be in the signed log.')) return steps;
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
  if (!seen) {
    remember();
    return step(true, `This browser had not seen this log before; it now remembers this checkpoint (${note.size} entries) to compare later ones with.`);
  }
  if (seen.size > note.size) {
    return step(false, `Stale: this browser saw a later checkpoint of this log before (${seen.size} entries, this one has ${note.size}). A log only grows: this page shows an old state, or a log that was cut.`);
  }
  if (seen.size === note.size) {
    return step(seen.root === note.rootText, seen.root === note.rootText
      ? `This is the checkpoint this browser saw before (${note.size} entries).`
      : `Forked: this browser saw another checkpoint of the same size (${note.size} entries) with a different root. The log was rewritten, or shows different readers different logs.`);
  }
  let proof = null;
  try {
    const r = await fetch(`${data.consistency}?from=${seen.size}&to=${note.size}`);
    if (r.ok) proof = (await r.json()).proof.map(unhex);
  } catch (e) { proof = null; }
  const ok = proof !== null && await consistent(E, seen.size, note.size, b64(seen.root), note.root, proof);
  if (ok) remember();
  return step(ok, ok
    ? `This checkpoint extends the one this browser saw before (${seen.size} entries): the log only grew.`
    : `Forked or unproven: no proof that this checkpoint extends the one this browser saw before (${seen.size} entries).`);
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
    li.textContent = `${s.ok === true ? '✔ passed' : s.ok === false ? '✘ failed' : '· note'}: ${s.what}`;
    return li;
  }));
  $('check-verdict').textContent = valid
    ? `VALID. Checked in ${ms.toFixed(0)} ms with ${E.label}.`
    : `NOT VALID: ${steps.find((s) => s.ok === false)?.what ?? 'nothing was checked'}`;
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
