//! The glossary: every text a page shows that does not come from the data, in English,
//! Russian and (where a source gives the term) Kyrgyz. Generated from `glossary/*.toml` by
//! `build.rs`, which refuses a term without English or Russian, a Kyrgyz term without a source,
//! and placeholders that differ between languages.

use std::borrow::Cow;

use maud::{Escaper, Render};

use crate::Lang;

/// One term's texts.
pub(crate) struct Entry {
    pub key: &'static str,
    #[allow(dead_code)]
    pub file: &'static str,
    pub en: &'static str,
    pub ru: &'static str,
    pub ky: Option<&'static str>,
    pub ky_source: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/terms.rs"));

impl T {
    fn entry(self) -> &'static Entry {
        &TERMS[self as usize]
    }

    /// The term's key in the glossary (`votes`).
    pub fn key(self) -> &'static str {
        self.entry().key
    }

    /// The term's text in `lang`, and whether it is the Russian shown for want of a sourced
    /// Kyrgyz term.
    pub fn text(self, lang: Lang) -> (&'static str, bool) {
        let e = self.entry();
        match lang {
            Lang::En => (e.en, false),
            Lang::Ru => (e.ru, false),
            Lang::Ky => e.ky.map_or((e.ru, true), |k| (k, false)),
        }
    }

    /// The term's texts in every language: (English, Russian, Kyrgyz if sourced).
    pub fn texts(self) -> (&'static str, &'static str, Option<&'static str>) {
        let e = self.entry();
        (e.en, e.ru, e.ky)
    }

    /// The source of the Kyrgyz term: (title, where), if it has one.
    pub fn ky_source(self) -> Option<(&'static str, &'static str)> {
        let key = self.entry().ky_source?;
        SOURCES
            .iter()
            .find(|(k, ..)| *k == key)
            .map(|(_, title, at)| (*title, *at))
    }
}

/// A translated text, ready for a page: escaped when rendered; the Russian shown on a Kyrgyz
/// page for want of a sourced term is marked (`lang="ru"`, and a visible "RU" after it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tr {
    text: Cow<'static, str>,
    fallback: bool,
}

impl Tr {
    pub(crate) fn new(term: T, lang: Lang) -> Tr {
        let (text, fallback) = term.text(lang);
        Tr {
            text: Cow::Borrowed(text),
            fallback,
        }
    }

    /// The term with its placeholders (`{name}`) filled. A placeholder not given stays as it
    /// is (the glossary test renders every term with its placeholders to catch that).
    pub(crate) fn filled(term: T, lang: Lang, args: &[(&str, &str)]) -> Tr {
        let (text, fallback) = term.text(lang);
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find('}') else {
                break;
            };
            let name = &rest[i + 1..i + j];
            match args.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => out.push_str(v),
                None => out.push_str(&rest[i..i + j + 1]),
            }
            rest = &rest[i + j + 1..];
        }
        out.push_str(rest);
        Tr {
            text: Cow::Owned(out),
            fallback,
        }
    }

    /// The text alone, for an attribute or a `<title>` (a fallback is not marked there).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text for a `<title>`, which can hold no markup: a fallback followed by " (RU)", as
    /// the page marks it in its body.
    pub fn marked(&self) -> Cow<'_, str> {
        match self.fallback {
            true => Cow::Owned(format!("{} (RU)", self.text)),
            false => Cow::Borrowed(&self.text),
        }
    }

    /// Whether this is the Russian text shown on a Kyrgyz page.
    pub fn is_fallback(&self) -> bool {
        self.fallback
    }
}

impl Tr {
    /// Russian text from the data, shown on a Kyrgyz page for want of a Kyrgyz one: marked
    /// as the glossary's fallbacks are.
    pub fn russian(text: String) -> Tr {
        Tr {
            text: Cow::Owned(text),
            fallback: true,
        }
    }
}

/// Text from the data (a name), shown as it is.
impl From<String> for Tr {
    fn from(text: String) -> Tr {
        Tr {
            text: Cow::Owned(text),
            fallback: false,
        }
    }
}

impl Render for Tr {
    fn render_to(&self, buffer: &mut String) {
        use std::fmt::Write as _;
        if self.fallback {
            buffer.push_str("<span lang=\"ru\" class=\"fb\">");
        }
        let _ = Escaper::new(buffer).write_str(&self.text);
        if self.fallback {
            buffer.push_str("</span>");
        }
    }
}

impl std::fmt::Display for Tr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every term has English and Russian, and Kyrgyz with a source or none (the build refuses
    /// the rest); a filled term with all its placeholders given has none left.
    #[test]
    fn every_term_has_every_language_and_fills() {
        assert!(T::ALL.len() > 50, "the glossary has {} terms", T::ALL.len());
        for &t in T::ALL {
            let (en, ru, ky) = t.texts();
            assert!(!en.is_empty() && !ru.is_empty(), "{}", t.key());
            assert_eq!(ky.is_some(), t.ky_source().is_some(), "{}", t.key());
            let names: Vec<String> = en
                .split('{')
                .skip(1)
                .filter_map(|s| s.split('}').next().map(str::to_string))
                .collect();
            let args: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "X")).collect();
            for lang in Lang::ALL {
                let tr = Tr::filled(t, *lang, &args);
                assert!(
                    !tr.as_str().contains('{'),
                    "{} in {lang:?}: {}",
                    t.key(),
                    tr.as_str()
                );
                assert_eq!(tr.is_fallback(), *lang == Lang::Ky && ky.is_none());
            }
        }
    }

    #[test]
    fn a_fallback_is_marked_and_text_is_escaped() {
        let missing = T::ALL
            .iter()
            .find(|t| t.texts().2.is_none())
            .expect("a term without Kyrgyz");
        let html = maud::html! { (Tr::new(*missing, Lang::Ky)) }.into_string();
        assert!(
            html.starts_with("<span lang=\"ru\" class=\"fb\">"),
            "{html}"
        );
        let tr = Tr::filled(T::ErrorStatus, Lang::En, &[("status", "<script>")]);
        let html = maud::html! { (tr) }.into_string();
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
    }
}
