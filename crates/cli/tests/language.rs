//! One language per page, checked against the glossary (issue 16): what a page shows outside
//! the elements marked with another `lang` (the language switch, the Russian shown for want of
//! a Kyrgyz term, the service's own words) and outside the names that come from the data
//! (parties, units, the election's title) holds no glossary term of another language that is
//! not also a term of the page's, no Latin word on a Russian or Kyrgyz page but the codes of
//! [`CODES`], and no Cyrillic on an English page.

use std::collections::HashSet;

use ui::{Lang, T};

/// Latin words a Russian or Kyrgyz page may show: names of formats, standards and the
/// program itself (a command inside `<code>` is allowed too).
pub const CODES: &[&str] = &[
    "JSON",
    "CSV",
    "NIST",
    "CDF",
    "API",
    "SHA",
    "RFC",
    "UTC",
    "C2SP",
    "tallyproof",
];

/// A text the page shows (a text node, an attribute a reader is given, the title), whether it
/// is inside `<code>`, `<pre>`, `<kbd>` or `<samp>`, and where it is: empty for a text node,
/// else the attribute's name or `<title>`.
#[derive(Debug, Clone)]
pub struct Shown {
    pub text: String,
    pub code: bool,
    pub at: String,
}

/// The script that collects what a page shows, as `[[text, in code, where], ...]`: every text node of
/// the body (hidden ones too: a closed `<details>` opens) and the attributes read to a reader
/// (`aria-label`, `alt`, `title`, `placeholder`, a button's value), outside elements whose
/// `lang` is not the page's; then the document's title.
pub const COLLECT: &str = r#"
const lang = document.documentElement.lang;
const other = el => { const m = el.closest('[lang]'); return m !== null && m.lang !== lang; };
const out = [];
const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = w.nextNode(); n; n = w.nextNode()) {
  const el = n.parentElement;
  if (!el || el.closest('script,style,noscript,template') || other(el)) continue;
  const t = n.textContent.replace(/\s+/g, ' ').trim();
  if (t) out.push([t, el.closest('code,pre,kbd,samp') !== null, '']);
}
const read = '[aria-label],[alt],[title],[placeholder],input[type=submit],input[type=button]';
for (const el of document.body.querySelectorAll(read)) {
  if (other(el)) continue;
  for (const a of ['aria-label', 'alt', 'title', 'placeholder']) {
    const v = (el.getAttribute(a) || '').trim();
    if (v) out.push([v, false, a]);
  }
  if (el.matches('input[type=submit],input[type=button]') && el.value.trim()) out.push([el.value.trim(), false, 'value']);
}
if (document.title.trim()) out.push([document.title.trim(), false, '<title>']);
return out;
"#;

/// The names that come from the data: shown as they are in every language.
#[derive(Default)]
pub struct Names {
    /// Every name, for a text that is exactly one (a table cell, a link).
    whole: HashSet<String>,
    /// The names looked for inside longer texts, longest first, lower case.
    inside: Vec<String>,
}

impl Names {
    /// The names of `election`: its name in the store, its contests and choices, and its units
    /// (but the root's, which tallyproof names itself); station names only as whole texts when
    /// there are more than `few` units (a national file).
    pub fn add(&mut self, e: &model::Election, few: usize) {
        let mut inside = vec![e.name.clone()];
        for c in &e.contests {
            inside.push(c.name.clone());
            inside.extend(c.choices.iter().map(|ch| ch.name.clone()));
        }
        for (id, u) in e.units.iter() {
            if id == e.units.root() {
                continue;
            }
            if u.level != model::UnitLevel::Station || e.units.len() <= few {
                inside.push(u.name.to_string());
            } else {
                self.whole.insert(u.name.to_string());
            }
        }
        self.add_names(inside);
    }

    /// More names (the staff users'), looked for inside texts too (but single letters).
    pub fn add_names(&mut self, names: impl IntoIterator<Item = String>) {
        for n in names {
            if n.chars().count() >= 2 {
                self.inside.push(n.to_lowercase());
            }
            self.whole.insert(n);
        }
        self.inside.sort_by_key(|n| std::cmp::Reverse(n.len()));
        self.inside.dedup();
    }

    /// Whether `text` is one name, or a name shortened with an ellipsis.
    fn is_name(&self, text: &str) -> bool {
        let bare = text.trim_start_matches(['●', '■', ' ']).trim();
        if self.whole.contains(bare) {
            return true;
        }
        match bare.strip_suffix('…') {
            Some(start) if !start.is_empty() => {
                self.whole.iter().any(|n| n.starts_with(start.trim_end()))
            }
            _ => false,
        }
    }
}

/// A glossary text, cut at its placeholders into the pieces a page shows as they are.
struct Piece {
    lang: Lang,
    key: &'static str,
    /// Lower case.
    text: String,
    /// Whether it is the whole term (no placeholder): a finding names such a term before a
    /// piece of a longer one with the same words.
    whole: bool,
}

/// The glossary as pieces to look for on a page.
pub struct Glossary {
    /// Longest first.
    pieces: Vec<Piece>,
}

impl Glossary {
    /// Every term of `ui::T` in English, Russian and (where sourced) Kyrgyz.
    pub fn of_ui() -> Glossary {
        let mut pieces = Vec::new();
        for &t in T::ALL {
            let (en, ru, ky) = t.texts();
            let texts = [(Lang::En, Some(en)), (Lang::Ru, Some(ru)), (Lang::Ky, ky)];
            for (lang, text) in texts {
                let whole = text.is_some_and(|x| !x.contains('{'));
                for p in text.map(cut).unwrap_or_default() {
                    pieces.push(Piece {
                        lang,
                        key: t.key(),
                        text: p,
                        whole,
                    });
                }
            }
        }
        pieces.sort_by_key(|p| (std::cmp::Reverse(p.text.len()), !p.whole));
        Glossary { pieces }
    }
}

/// A text's pieces between placeholders, trimmed of spaces and punctuation, in lower case,
/// those with a word of at least four letters.
fn cut(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let (piece, next) = match rest.find('{') {
            Some(i) => (&rest[..i], rest[i..].find('}').map(|j| &rest[i + j + 1..])),
            None => (rest, None),
        };
        let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
        let long_word = piece
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w.chars().count() >= 4);
        if long_word {
            out.push(piece.to_lowercase());
        }
        match next {
            Some(n) => rest = n,
            None => return out,
        }
    }
}

/// What is wrong with the language of a page in `page` that shows `shown`: one finding per
/// text, naming the other language's terms and the words of the wrong script in it.
pub fn findings(page: Lang, shown: &[Shown], names: &Names, glossary: &Glossary) -> Vec<String> {
    let mut out = Vec::new();
    for s in shown.iter().filter(|s| !names.is_name(&s.text)) {
        // A `<title>` holds no markup: the Russian shown for want of a Kyrgyz term is marked
        // there by a " (RU)" after it, between the title's " · ".
        let marked = |p: &&str| page == Lang::Ky && s.at == "<title>" && p.ends_with(" (RU)");
        let unmarked: Vec<&str> = s.text.split(" · ").filter(|p| !marked(p)).collect();
        let text = technical_blanked(&unmarked.join(" · ").to_lowercase());
        // Names are looked for only in a text that shows something wrong without them: few do,
        // and a national file has thousands.
        let mut wrong = wrong_in(page, text.clone(), s.code, glossary);
        if !wrong.is_empty() {
            let mut text = text;
            for n in &names.inside {
                blank_all(&mut text, n);
            }
            wrong = wrong_in(page, text, s.code, glossary);
        }
        if !wrong.is_empty() {
            let at = match s.at.as_str() {
                "" => String::new(),
                a => format!(" ({a})"),
            };
            out.push(format!("{}: «{}»{at}", wrong.join(", "), s.text));
        }
    }
    let mut seen = HashSet::new();
    out.retain(|f| seen.insert(f.clone()));
    out
}

/// The other languages' terms and the words of the wrong script in `text` (lower case), once
/// the page language's terms are blanked.
fn wrong_in(page: Lang, mut text: String, code: bool, glossary: &Glossary) -> Vec<String> {
    for p in glossary.pieces.iter().filter(|p| p.lang == page) {
        blank_all(&mut text, &p.text);
    }
    let mut wrong = Vec::new();
    for p in glossary.pieces.iter().filter(|p| p.lang != page && !code) {
        if find_word(&text, &p.text).is_some() {
            wrong.push(format!("{} term '{}'", p.lang.key(), p.key));
            blank_all(&mut text, &p.text);
        }
    }
    let words = script(page, &text, code);
    if !words.is_empty() {
        wrong.push(format!("{} «{}»", script_name(page), words.join(" ")));
    }
    wrong
}

/// `text` with its technical words blanked: paths, addresses, file names, options (a word
/// holding `/`, `_`, `=`, `@` or `.` between letters, or starting with `--`).
fn technical_blanked(text: &str) -> String {
    let technical = |w: &str| {
        w.starts_with("--")
            || w.contains(['/', '_', '=', '@'])
            || w.trim_end_matches(|c: char| !c.is_alphanumeric())
                .split('.')
                .filter(|p| !p.is_empty())
                .count()
                > 1
                && !w.starts_with(|c: char| c.is_ascii_digit())
    };
    text.split(' ')
        .map(|w| if technical(w) { "" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of the wrong script left in `text` (names and terms blanked): Latin on a Russian
/// or Kyrgyz page (but [`CODES`], hex digests and `<code>`), Cyrillic on an English page.
fn script(page: Lang, text: &str, code: bool) -> Vec<String> {
    let words = text.split(|c: char| !c.is_alphanumeric());
    words
        .filter(|w| match page {
            Lang::En => w.chars().any(is_cyrillic),
            Lang::Ru | Lang::Ky => !code && latin_word(w),
        })
        .map(str::to_string)
        .collect()
}

fn script_name(page: Lang) -> &'static str {
    match page {
        Lang::En => "Cyrillic",
        Lang::Ru | Lang::Ky => "Latin",
    }
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{052F}').contains(&c)
}

/// A word of at least three Latin letters that is not a code of [`CODES`] (with or without
/// its digits: `sha256`) or a hex digest.
fn latin_word(w: &str) -> bool {
    let letters = w.chars().filter(char::is_ascii_alphabetic).count();
    let hex = w.len() >= 8 && w.chars().all(|c| c.is_ascii_hexdigit());
    let bare: String = w.chars().filter(|c| !c.is_ascii_digit()).collect();
    let code = CODES
        .iter()
        .any(|c| c.eq_ignore_ascii_case(w) || c.eq_ignore_ascii_case(&bare));
    letters >= 3 && !hex && !code
}

/// Where `needle` stands in `hay` as whole words (no letter or digit on either side).
fn find_word(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let at = from + i;
        let end = at + needle.len();
        let before = hay[..at].chars().next_back();
        let after = hay[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(at);
        }
        from = at + needle.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Replaces every whole-word `needle` in `hay` with a space.
fn blank_all(hay: &mut String, needle: &str) {
    while let Some(at) = find_word(hay, needle) {
        hay.replace_range(at..at + needle.len(), " ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(texts: &[&str]) -> Vec<Shown> {
        texts
            .iter()
            .map(|t| {
                let (code, text) = match t.strip_prefix("code:") {
                    Some(c) => (true, c),
                    None => (false, *t),
                };
                Shown {
                    text: text.to_string(),
                    code,
                    at: String::new(),
                }
            })
            .collect()
    }

    /// The checker's cases: the page's language, what it shows, and the words it reports.
    /// Terms from `crates/ui/glossary/common.toml` (nav-elections: Elections / Выборы /
    /// Шайлоолор; nav-seats: Seats / Мандаты / Мандаттар; nav-election: This election / Эти
    /// выборы, no Kyrgyz); names from a made-up election.
    #[test]
    fn the_language_check_finds_what_is_not_in_the_page_language() {
        let mut e = model::Election::new("kg2020-2413");
        let party = |n: &str| model::Choice::new(n, model::ChoiceKind::Party);
        e.contests.push(model::Contest::new(
            "Выборы депутатов Жогорку Кенеша",
            model::ContestKind::PartyList,
            vec![party("«БИРИМДИК»"), party("Мекеним Кыргызстан")],
        ));
        let (root, level) = (e.units.root(), model::UnitLevel::Region);
        let region = e.units.insert(root, level, "Чуйская область").unwrap();
        e.units
            .insert(region, model::UnitLevel::Station, "УИК №1001")
            .unwrap();
        let mut names = Names::default();
        names.add(&e, 1000);
        let g = Glossary::of_ui();
        type Case<'a> = (Lang, &'a [&'a str], &'a [&'a str]);
        let cases: &[Case<'_>] = &[
            (Lang::Ru, &["Выборы", "Мандаты", "JSON · CSV · API"], &[]),
            (
                Lang::Ru,
                &["Мандаттар"],
                &["ky term 'nav-seats': «Мандаттар»"],
            ),
            (Lang::Ky, &["Шайлоолор", "Мандаттар"], &[]),
            (
                Lang::Ky,
                &["Эти выборы"],
                &["ru term 'nav-election': «Эти выборы»"],
            ),
            (Lang::Ky, &["Seats"], &["en term 'nav-seats': «Seats»"]),
            (Lang::En, &["Elections", "Seats: «БИРИМДИК» 12"], &[]),
            (
                Lang::En,
                &["Seats Итого"],
                &["Cyrillic «итого»: «Seats Итого»"],
            ),
            (
                Lang::En,
                &["Мекеним Кыргызстан", "Чуйская об…", "УИК №1001"],
                &[],
            ),
            (
                Lang::Ru,
                &["Скачать download now (ZIP)"],
                &["Latin «download now zip»: «Скачать download now (ZIP)»"],
            ),
            (
                Lang::Ru,
                &[
                    "code:tallyproof verify --key",
                    "sha256:0a1b2c3d4e5f60718293",
                    "/api/elections",
                    "stations_2399.csv (kg2020)",
                    "Результаты kg2020-2413",
                ],
                &[],
            ),
        ];
        for (lang, texts, want) in cases {
            let got = findings(*lang, &shown(texts), &names, &g);
            assert_eq!(got, *want, "{lang:?} {texts:?}");
        }
    }
}
