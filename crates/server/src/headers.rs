//! Headers every answer carries, whatever the route: no content sniffing, a content security
//! policy that runs no script at all (but on a station page with its check, which runs this
//! site's own static script: [`CHECK_POLICY`]) and lets no other site frame them, a referrer
//! sent only to this site, and the login cookie marked `Secure` when the request came over
//! HTTPS: the service's own TLS, or a proxy that says so.
//!
//! A route that sets its own policy (a stored scan's sandbox) keeps it.
//!
//! [`Edge`] also rewrites the API's errors as JSON ([`crate::error::as_json`]). It is one
//! layer around the whole router, written as a plain tower service: every request of the
//! service passes through it, and axum's `from_fn` middleware costs a boxed service and a
//! boxed future per request each (measured: as two `from_fn` layers, these took the national
//! results from 1.02 to about 0.85 of their throughput before; as this one, 1.05).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::Response;

/// The policy of every page and answer: nothing but this site's own images, inline style,
/// forms posted back here; no script, no plugin, no frame around it, no `<base>`.
pub const POLICY: &str = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of a station page with its check (`crate::check`): the pages' policy, and this
/// site's own scripts (the one static check script and the pure-JavaScript cryptography it
/// imports) and requests back to it (a consistency proof). Uploads are never served as
/// scripts: they carry their checked type, `nosniff` and a sandbox.
pub const CHECK_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The policy of the staff desk and the posted protocol's form: the pages' policy, and this
/// site's own static scripts (the control relations checked as an operator types,
/// `static/relations.js`; the form's `static/protocol-form.js` and the QR encoder it uses);
/// no inline script, and no request from a script.
pub const DESK_POLICY: &str = "default-src 'none'; script-src 'self'; img-src 'self' data:; \
     style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The layer of [`Edge`].
pub(crate) fn layer(
) -> impl tower::Layer<axum::routing::Route, Service = Edge<axum::routing::Route>> + Clone {
    tower::layer::layer_fn(|inner| Edge { inner })
}

/// Adds the headers to every answer of `inner`, and rewrites the errors of the API as JSON.
#[derive(Clone)]
pub(crate) struct Edge<S> {
    inner: S,
}

impl<S> tower::Service<Request> for Edge<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let api = req.uri().path().starts_with("/api/");
        let reader = crate::reader::is_page(req.uri().path()).then(|| {
            let get = matches!(
                *req.method(),
                axum::http::Method::GET | axum::http::Method::HEAD
            );
            crate::reader::Reader::at(req.uri(), req.headers(), get)
        });
        // Read once: the page's handler takes this one (`Reader`'s extractor).
        if let Some(r) = &reader {
            req.extensions_mut().insert(r.clone());
        }
        let desk = reader
            .as_ref()
            .and_then(|_| crate::desk::home(req.uri().path()));
        let https =
            req.extensions().get::<crate::conn::Https>().is_some() || over_https(req.headers());
        let answer = self.inner.call(req);
        Box::pin(async move {
            let res = answer.await?;
            let res = match &reader {
                _ if api => crate::error::as_json(res).await,
                Some(r) => page(crate::error::as_page(res, r, desk.as_deref()).await, r),
                None => res,
            };
            Ok(secure(res, https))
        })
    }
}

/// A page's answer: the reader's language kept in a cookie when `?lang=` chose it, and the
/// headers that say the page depends on the language.
fn page(mut res: Response, r: &crate::reader::Reader) -> Response {
    let h = res.headers_mut();
    if let Some(c) = r.keep() {
        h.append(header::SET_COOKIE, c);
    }
    if let Ok(l) = HeaderValue::from_str(r.lang.key()) {
        h.insert(header::CONTENT_LANGUAGE, l);
    }
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    res
}

/// The policy of every answer that is not a page (JSON, CSV, a file): nothing at all may load,
/// nothing may frame it. Shorter than the pages' (every byte of a small, hot answer counts).
pub const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds the headers to an answer (and `Secure` to its cookies if the request came over
/// HTTPS).
fn secure(mut res: Response, https: bool) -> Response {
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    let html = h
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let policy = if html { POLICY } else { DATA_POLICY };
    set(h, header::CONTENT_SECURITY_POLICY, policy);
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    if https {
        let cookies: Vec<HeaderValue> = h
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|c| {
                let mut c = cookie::Cookie::parse(c.to_str().ok()?).ok()?;
                c.set_secure(true);
                HeaderValue::from_str(&c.to_string()).ok()
            })
            .collect();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            h.append(header::SET_COOKIE, c);
        }
    }
    res
}

/// Whether the request reached the proxy in front of the service over HTTPS
/// (`X-Forwarded-Proto: https` or `Forwarded: proto=https`, RFC 7239). A client that sends
/// either over plain HTTP only gets a cookie its browser will not send back.
fn over_https(h: &HeaderMap) -> bool {
    let value = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    value("x-forwarded-proto").eq_ignore_ascii_case("https")
        || value("forwarded")
            .split([';', ','])
            .any(|p| p.trim().eq_ignore_ascii_case("proto=https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_told_by_the_proxy() {
        let mut h = HeaderMap::new();
        assert!(!over_https(&h));
        h.insert("x-forwarded-proto", HeaderValue::from_static("HTTPS"));
        assert!(over_https(&h));
        let mut h = HeaderMap::new();
        h.insert(
            "forwarded",
            HeaderValue::from_static("for=192.0.2.60;proto=https;by=203.0.113.43"),
        );
        assert!(over_https(&h));
    }
}
