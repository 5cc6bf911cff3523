//! The page's language: English, Russian or Kyrgyz, chosen by `?lang=`, else the reader's
//! cookie, else `Accept-Language`, else English.

use crate::glossary::{Tr, T};

/// A language the pages are written in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, strum::EnumString, strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Russian.
    Ru,
    /// Kyrgyz: the glossary's sourced terms, and the Russian, marked, where it has none.
    Ky,
}

impl Lang {
    /// Every language, in the order the switch shows them.
    pub const ALL: &'static [Lang] = &[Lang::Ky, Lang::Ru, Lang::En];

    /// The BCP 47 tag (`ky`), as `lang="..."` and `?lang=` take it.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// The language's name in itself, for the switch (CLDR's autonyms).
    pub fn autonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
            Lang::Ky => "Кыргызча",
        }
    }

    /// The language a request asks for: `?lang=` first, then the cookie kept from an earlier
    /// choice, then the best-weighted language of `Accept-Language` that the pages have, else
    /// English. Unknown values are passed over, never an error.
    pub fn negotiate(query: Option<&str>, cookie: Option<&str>, accept: Option<&str>) -> Lang {
        let parse = |s: &str| s.trim().to_ascii_lowercase().parse::<Lang>().ok();
        if let Some(l) = query.and_then(parse).or_else(|| cookie.and_then(parse)) {
            return l;
        }
        let mut best: Option<(u32, Lang)> = None;
        for item in accept.unwrap_or("").split(',').take(32) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let primary = tag.split(['-', '_']).next().unwrap_or("");
            let Some(lang) = parse(primary) else { continue };
            // q in thousandths; an earlier item wins a tie.
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(1000, |q| {
                    (q.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0) as u32
                });
            if q > 0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, l)| l)
    }

    /// A term in this language.
    pub fn t(self, term: T) -> Tr {
        Tr::new(term, self)
    }

    /// A term with its placeholders filled (`{reporting}`...): the values are text, escaped
    /// when the page is rendered.
    pub fn f(self, term: T, args: &[(&str, &str)]) -> Tr {
        Tr::filled(term, self, args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_query_then_cookie_then_header() {
        /// `?lang=`, the cookie, `Accept-Language`, and the language they give.
        type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, Lang);
        let cases: &[Case<'_>] = &[
            (None, None, None, Lang::En),
            (Some("ky"), Some("ru"), Some("en"), Lang::Ky),
            (Some("xx"), Some("ru"), None, Lang::Ru),
            (None, Some("KY"), Some("ru"), Lang::Ky),
            (
                None,
                None,
                Some("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"),
                Lang::Ru,
            ),
            (None, None, Some("de-DE,ky;q=0.5,ru;q=0.7"), Lang::Ru),
            (None, None, Some("ky-KG, ru;q=0.9"), Lang::Ky),
            (None, None, Some("fr, de"), Lang::En),
            (None, None, Some("ru;q=0, en;q=0.1"), Lang::En),
            (None, None, Some(";;;,q=,ru;q=abc"), Lang::En),
        ];
        for (q, c, a, want) in cases {
            assert_eq!(Lang::negotiate(*q, *c, *a), *want, "{q:?} {c:?} {a:?}");
        }
    }
}
