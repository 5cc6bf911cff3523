// The control relations of the protocol an operator is typing at the staff desk, checked as
// they type. The rules are model's (crates/model/src/rules.rs, ControlRule::sides): a term
// is a line of the form, `issued` and `found` (the total line, else the sum of the parts
// present) or `choices` (the votes summed); a relation missing a term is not checked, and an
// error-level one says so (an entry that leaves it blank is quarantined). Sums are exact
// (BigInt). The page gives the rules and their words (#live-relations, data-rules); the
// service checks everything again when the protocol is entered.
const box = document.getElementById("live-relations");
const form = box && box.closest("form");
if (box && form) {
  const rules = JSON.parse(box.dataset.rules);
  const group = box.dataset.group;
  const list = box.querySelector("ul");
  const hold = box.querySelector("p");
  const parts = {
    issued: ["issued_total", ["issued_early", "issued_in_station", "issued_outside"]],
    found: ["found_total", ["found_mobile", "found_stationary"]],
  };
  // A field's count: undefined when blank or absent, null when not a count the service takes
  // (a whole number from 0 to 2^64 - 1, a "+" before it allowed, as Rust's u64 parses it).
  const most = 2n ** 64n - 1n;
  const field = (name) => {
    const input = form.querySelector(`input[name="${name}"]`);
    const text = input ? input.value.trim() : "";
    if (text === "") return undefined;
    if (!/^\+?[0-9]+$/.test(text)) return null;
    const n = BigInt(text.replace("+", ""));
    return n <= most ? n : null;
  };
  const known = (v) => v !== undefined && v !== null;
  const total = (values) => values.reduce((a, b) => a + b, 0n);
  const term = (t) => {
    if (t === "choices") {
      const votes = [...form.querySelectorAll("input[name^='vote_']")].map((i) => field(i.name));
      return votes.every(known) ? total(votes) : undefined;
    }
    if (parts[t]) {
      const [whole, pieces] = parts[t];
      const v = field(whole);
      if (v !== undefined) return v;
      const present = pieces.map(field).filter((p) => p !== undefined);
      return present.length && present.every(known) ? total(present) : undefined;
    }
    return field(t);
  };
  const side = (terms) => {
    const values = terms.map(term);
    return values.every(known) ? total(values) : undefined;
  };
  const holds = (rel, a, b) => (rel === "=" ? a === b : rel === "<=" ? a <= b : a >= b);
  const digits = (n) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const item = (cls, text, fallback) => {
    const li = document.createElement("li");
    li.className = cls;
    if (fallback) {
      const span = document.createElement("span");
      span.lang = "ru";
      span.className = "fb";
      span.textContent = text;
      li.append(span);
    } else {
      li.textContent = text;
    }
    return li;
  };
  const show = () => {
    const broken = [];
    const unchecked = [];
    for (const r of rules) {
      const a = side(r.lhs);
      const b = side(r.rhs);
      if (a === undefined || b === undefined) {
        if (r.error) unchecked.push(r);
      } else if (!holds(r.rel, a, b)) {
        broken.push([r, a, b]);
      }
    }
    // Errors first, as the service lists them.
    broken.sort((x, y) => Number(y[0].error) - Number(x[0].error));
    list.replaceChildren(
      ...broken.map(([r, a, b]) =>
        item(r.error ? "error" : "warning",
          r.broken.replace("{lv}", digits(a)).replace("{rv}", digits(b)), r.fallback)),
      ...unchecked.map((r) => item("warning", r.unchecked, r.fallback)),
    );
    hold.hidden = broken.length + unchecked.length > 0;
    box.hidden = false;
  };
  form.addEventListener("input", () => {
    // The service's answer to the Check button is about the figures as they were.
    document.getElementById("checked-relations")?.remove();
    show();
  });
  // Figures already in the form (after a check) are checked at once.
  if ([...form.querySelectorAll("input[inputmode=numeric]")].some((i) => i.value.trim() !== "")) {
    show();
  }
}
