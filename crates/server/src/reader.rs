//! Who reads a page: the language of the page ([`ui::Lang::negotiate`] over `?lang=`, the
//! `lang` cookie kept from an earlier choice, `Accept-Language`), and the page's own address
//! without `lang`, for the language switch. Handlers take it as an extractor; the edge
//! ([`crate::headers::Edge`]) uses it to keep a choice in the cookie and to write errors as
//! pages in that language.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use ui::Lang;

/// The cookie that keeps the reader's language.
const COOKIE: &str = "lang";

/// A page's reader.
#[derive(Clone, Debug)]
pub struct Reader {
    /// The page's language.
    pub lang: Lang,
    /// The page's path and query, without `lang`.
    pub here: String,
    /// The language named by `?lang=` (to be kept in the cookie), if any.
    pub chosen: Option<Lang>,
}

impl Reader {
    /// The reader of a request with this address and these headers.
    pub fn of(uri: &Uri, headers: &HeaderMap) -> Reader {
        Reader::at(uri, headers, true)
    }

    /// [`Reader::of`] a request that may not be a page one can return to (a form's POST):
    /// then its language switch leads to the list of elections.
    pub fn at(uri: &Uri, headers: &HeaderMap, get: bool) -> Reader {
        let pairs: Vec<(String, String)> = uri
            .query()
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        let asked = pairs
            .iter()
            .rev()
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.as_str());
        let chosen = asked.and_then(|v| v.to_ascii_lowercase().parse::<Lang>().ok());
        let jar = axum_extra::extract::CookieJar::from_headers(headers);
        let cookie = jar.get(COOKIE).map(|c| c.value().to_string());
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let lang = Lang::negotiate(asked, cookie.as_deref(), accept);
        let rest: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "lang").collect();
        // A path a browser would read as another site's (`//host/x`, `/\host/x`: the page
        // is a 404 then) leads back to the list of elections.
        let path = uri.path();
        let elsewhere = path.starts_with("//") || path.contains('\\');
        let here = match serde_urlencoded::to_string(&rest) {
            _ if !get || elsewhere => "/".to_string(),
            Ok(q) if !q.is_empty() => format!("{path}?{q}"),
            _ => path.to_string(),
        };
        Reader { lang, here, chosen }
    }

    /// The `Set-Cookie` that keeps a language chosen by `?lang=` for a year.
    pub fn keep(&self) -> Option<HeaderValue> {
        let c = cookie::Cookie::build((COOKIE, self.chosen?.key()))
            .path("/")
            .max_age(cookie::time::Duration::days(365))
            .same_site(cookie::SameSite::Lax)
            .build();
        HeaderValue::from_str(&c.to_string()).ok()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Reader, Self::Rejection> {
        // The edge has read it for every page request; a request that did not pass the edge
        // (none in the service) is read here.
        Ok(match parts.extensions.get::<Reader>() {
            Some(r) => r.clone(),
            None => Reader::of(&parts.uri, &parts.headers),
        })
    }
}

/// Whether a path is a page's (rather than the API's, the log's files, a script or the
/// OpenAPI document): its errors are pages, its language is negotiated.
pub fn is_page(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path.starts_with("/static/")
        || path == "/openapi.json"
        || (path.starts_with("/elections/") && path.contains("/log/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_loses_lang_and_keeps_the_rest() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("session=x; lang=ru"),
        );
        let r = Reader::of(
            &"/elections/a-b?by=station&lang=ky&page=2".parse().unwrap(),
            &h,
        );
        assert_eq!(r.lang, Lang::Ky);
        assert_eq!(r.here, "/elections/a-b?by=station&page=2");
        assert!(r.keep().unwrap().to_str().unwrap().starts_with("lang=ky;"));
        let r = Reader::of(&"/verify?lang=xx".parse().unwrap(), &h);
        assert_eq!(
            (r.lang, r.here.as_str(), r.chosen),
            (Lang::Ru, "/verify", None)
        );
        assert!(is_page("/elections/x/units/3") && !is_page("/elections/x/log/checkpoint"));
        // The language's key in any case is kept; a path another site's leads home.
        let r = Reader::of(&"/verify?lang=KY".parse().unwrap(), &h);
        assert_eq!((r.lang, r.chosen), (Lang::Ky, Some(Lang::Ky)));
        for path in ["//evil.example/x?a=1", "/\\evil.example/x"] {
            let r = Reader::of(&path.parse().unwrap(), &h);
            assert_eq!(r.here, "/", "{path}");
        }
        assert!(!is_page("/api/elections") && is_page("/login"));
    }
}
