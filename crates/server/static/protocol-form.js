// tallyproof: the posted protocol's form (docs/protocol-qr.md, issue 22). A classic script
// with no build step and no words of its own (its messages are the page's hidden
// #posted-text list, in the page's language). It reads the figures a precinct commission
// types, writes the code's text (format TPQ1) exactly as crates/postedqr does, checks it with
// SHA-256 (WebCrypto; else the vendored noble-hashes where the page is served over plain
// HTTP), draws the QR symbol at error-correction level M with the vendored qrcode-generator
// (global `qrcode`, loaded before this script) and fills the printable sheet. Nothing is sent
// anywhere: once loaded, the page works without a network.

(() => {
  const form = document.getElementById('posted');
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const MESSAGES = new Map(Array.from($('posted-text').content.querySelectorAll('[data-k]'),
    (m) => [m.dataset.k, m.textContent]));
  const say = (key, args = {}) => (MESSAGES.get(key) ?? key)
    .replace(/\{(\w+)\}/g, (all, name) => (name in args ? String(args[name]) : all));
  const MAX_VERSION = 10;
  const numbers = new Intl.NumberFormat(document.documentElement.lang || 'en');

  // SHA-256 of a string's UTF-8 bytes.
  async function sha256(text) {
    const bytes = new TextEncoder().encode(text);
    if (globalThis.crypto?.subtle) {
      return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    }
    const { sha256: pure } = await import('./vendor/noble-hashes/sha2.js');
    return pure(bytes);
  }

  const labelOf = (input) => form.querySelector(`label[for="${input.id}"]`)?.textContent.trim() ?? input.id;

  // A count as the code writes it: digits, no sign, no leading zero, at most 19 digits.
  function count(input) {
    const v = input.value.trim();
    if (v === '') return null;
    if (!/^(0|[1-9][0-9]{0,18})$/.test(v)) {
      throw new Error(say('bad-count', { field: labelOf(input) }));
    }
    return v;
  }

  // The figures typed, or the first error.
  function figures() {
    const time = $('posted-time').value;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(time)) throw new Error(say('no-time'));
    let mask = 0;
    const given = [];
    const lines = Array.from(form.querySelectorAll('input[data-bit]'))
      .sort((a, b) => Number(a.dataset.bit) - Number(b.dataset.bit));
    for (const input of lines) {
      const v = count(input);
      if (v === null) {
        if (input.required) throw new Error(say('needed', { field: labelOf(input) }));
        continue;
      }
      mask |= 1 << Number(input.dataset.bit);
      given.push(v);
    }
    const votes = [];
    for (const input of form.querySelectorAll('input[id^="posted-vote-"]')) {
      const v = count(input);
      if (v === null) throw new Error(say('needed', { field: labelOf(input) }));
      votes.push(v);
    }
    return {
      time: time.slice(0, 16).replace(/[-T:]/g, ''),
      source: $('posted-source').value,
      lines: given.length ? `${mask.toString(16).toUpperCase()}.${given.join('.')}` : mask.toString(16).toUpperCase(),
      votes: votes.length ? votes.join('.') : '-',
    };
  }

  // The code's text: docs/protocol-qr.md, "The text".
  async function text(f) {
    const d = form.dataset;
    const body = ['TPQ1', d.election, d.station, d.contest, f.source, f.time, d.key, f.lines, f.votes]
      .join('/') + '/';
    const check = Array.from((await sha256(body)).slice(0, 4),
      (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
    return body + check;
  }

  // The QR symbol of `t` as one SVG path, with its four-module quiet zone.
  function draw(t) {
    const qr = qrcode(0, 'M');
    qr.addData(t, 'Alphanumeric');
    qr.make();
    const n = qr.getModuleCount();
    const version = (n - 17) / 4;
    if (version > MAX_VERSION) {
      throw new Error(say('too-long', { chars: t.length, max: form.dataset.max }));
    }
    let d = '';
    for (let r = 0; r < n; r += 1) {
      for (let c = 0; c < n; c += 1) {
        if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
      }
    }
    const svg = $('posted-qr');
    const NS = 'http://www.w3.org/2000/svg';
    svg.setAttribute('viewBox', `0 0 ${n + 8} ${n + 8}`);
    svg.setAttribute('shape-rendering', 'crispEdges');
    svg.replaceChildren();
    const back = document.createElementNS(NS, 'rect');
    back.setAttribute('width', n + 8);
    back.setAttribute('height', n + 8);
    back.setAttribute('fill', '#fff');
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', '#000');
    svg.append(back, path);
    return version;
  }

  async function make() {
    const error = $('posted-error');
    error.textContent = '';
    try {
      const f = figures();
      const t = await text(f);
      if (t.length > Number(form.dataset.max)) {
        throw new Error(say('too-long', { chars: t.length, max: form.dataset.max }));
      }
      const version = draw(t);
      for (const cell of document.querySelectorAll('#posted-sheet [data-of]')) {
        const v = $(cell.dataset.of)?.value.trim() ?? '';
        cell.textContent = v === '' ? '—' : numbers.format(BigInt(v));
      }
      const source = $('posted-source');
      $('posted-when').textContent = `${$('posted-time').value.replace('T', ' ')} UTC · ${source.options[source.selectedIndex].text}`;
      $('posted-text-out').textContent = t;
      $('posted-made').textContent = say('made', { version, chars: t.length });
      const sheet = $('posted-sheet');
      sheet.hidden = false;
      sheet.dataset.text = t;
      sheet.scrollIntoView();
    } catch (e) {
      $('posted-sheet').hidden = true;
      error.textContent = e.message;
    }
  }

  // The time the count ended opens at the current minute, UTC.
  const time = $('posted-time');
  if (!time.value) time.value = new Date().toISOString().slice(0, 16);
  $('posted-make').addEventListener('click', make);
  $('posted-print').addEventListener('click', () => window.print());
  // Anything typed after the code was made hides the sheet until the code is made again.
  form.addEventListener('input', () => { $('posted-sheet').hidden = true; });
  form.dataset.ready = '1';
})();
