//! The frame every page shares: the language switch, the site's navigation, and on an
//! election's pages its title, date, status ("preliminary", "certified", "annulled" with the
//! decision) and the log size and time the figures are as of, then the election's sections.
//! One stylesheet, written for a 375 px phone first: nothing wider than the screen (wide
//! tables scroll inside their own box), touch targets of at least 44 × 44 px (a link alone in
//! its paragraph, list item, heading or table cell too; a link within a sentence is WCAG's inline
//! exception), contrast of at least 4.5:1.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::{urlencode, Lang, Tr, T};

/// Where an election stands, as its pages say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing published yet: the count goes on.
    Open,
    /// Published figures that may still change.
    Preliminary,
    /// The commission's final result.
    Certified,
    /// Annulled by the commission: its results are kept for the record and count for nothing.
    Annulled,
}

impl Status {
    /// Its CSS class and its words.
    pub fn shown(self) -> (&'static str, T) {
        match self {
            Status::Open => ("s-preliminary", T::StatusOpen),
            Status::Preliminary => ("s-preliminary", T::StatusPreliminary),
            Status::Certified => ("s-certified", T::StatusCertified),
            Status::Annulled => ("s-annulled", T::StatusAnnulled),
        }
    }
}

/// The decision that annulled an election: its entry in the log, and where to read it.
#[derive(Clone, Debug)]
pub struct Annulment {
    /// The decision's index in the log.
    pub entry: u64,
    /// A page that shows the entry (with its inclusion proof).
    pub link: String,
}

/// What every page of an election says about it.
#[derive(Clone, Debug)]
pub struct Heading {
    /// The election's name in the store (`kg2020-2413`), as its addresses use it.
    pub name: String,
    /// Its title, from the data (the contest's official name).
    pub title: String,
    /// The day of the vote, `YYYY-MM-DD`, when known.
    pub date: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// The log size the page's figures are computed at.
    pub size: u64,
    /// The time of the latest staff act in the log (UTC), when the log has one.
    pub time: Option<String>,
    /// The annulment, for the banner.
    pub annulment: Option<Annulment>,
    /// The election this one re-votes (a unit of it), if it is a re-vote.
    pub revote_of: Option<String>,
}

/// The part of the site a page belongs to (marked in the navigation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// The list of elections.
    Elections,
    /// An election's results, a unit's page.
    Results,
    /// The station search and lists.
    Units,
    /// Seats and margins.
    Seats,
    /// Machine and manual counts.
    Counts,
    /// The forensic report.
    Forensics,
    /// The audits.
    Audits,
    /// The re-votes.
    Revotes,
    /// The complaint register.
    Complaints,
    /// Observers' incident reports.
    Incidents,
    /// The log and how to check it.
    Log,
    /// The staff desk and its login.
    Staff,
    /// An error.
    Error,
}

/// A page: its language, title, address (for the language switch), election and body.
pub struct Page<'a> {
    /// The page's language.
    pub lang: Lang,
    /// The page's heading and title.
    pub title: Tr,
    /// This page's path and query, without `lang` (the switch adds it).
    pub here: &'a str,
    /// The election the page is about.
    pub election: Option<&'a Heading>,
    /// Where the page is in the navigation.
    pub section: Section,
    /// The content under the heading.
    pub body: Markup,
}

/// The stylesheet: phone first; `.scroll` boxes scroll wide tables inside themselves (each is
/// focusable, `tabindex="0"`, so a keyboard can scroll it, and shows its focus).
const STYLE: &str = "*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}\
.sheet{border-top:2px solid #1b1b1b;margin-top:1.5rem}.sheet h2{overflow-wrap:anywhere}\
table.copy td.box{border:1px solid #1b1b1b;width:40%;min-width:6rem;height:2.5rem}\
table.copy td.code{font-family:monospace;font-weight:700;text-align:center;width:3rem}.sms{font-weight:700;overflow-wrap:anywhere}\
table.copy th{font-weight:400;background:none}.sign{margin:1.25rem 0 .25rem;border-bottom:1px solid #1b1b1b;padding-bottom:1.5rem}\
@media print{.sheet{break-before:page;border-top:0}.sheet:first-of-type{break-before:auto}}\
body{font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fff}\
.wrap{max-width:64rem;margin:0 auto;padding:0 1rem}\
a{color:#0a4f99}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible,.scroll:focus-visible{outline:3px solid #c25400;outline-offset:2px}\
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.5rem}\
header.top{border-bottom:1px solid #d0d7de;background:#f6f8fa}\
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem .5rem;margin:.25rem 0;padding:0}\
nav a{display:inline-flex;align-items:center;min-height:44px;min-width:44px;padding:0 .5rem;text-decoration:none;border-radius:6px}\
nav a:hover{text-decoration:underline}nav a[aria-current]{background:#0a4f99;color:#fff}\
ol.crumbs{list-style:none;display:flex;flex-wrap:wrap;padding:0;margin:.5rem 0}.crumbs li+li::before{content:\"›\";padding:0 .4rem;color:#3d4550}.crumbs a{display:inline-flex;align-items:center;min-height:44px}\
.bar-top{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:0 1rem}\
.brand{font-weight:700}\
.etitle{font-size:1.05rem;font-weight:600;margin:.5rem 0 0;overflow-wrap:anywhere}\
.meta{margin:.1rem 0 .25rem;color:#3d4550;font-size:.95rem}\
.status{display:inline-block;padding:0 .4rem;border-radius:4px;font-weight:600}\
.s-preliminary{background:#fff3c4;color:#4d3800}.s-certified{background:#dcf2dc;color:#0c4a12}.s-annulled{background:#fde2e1;color:#7a0e0e}\
.banner,.alert{border-left:6px solid #a4161a;background:#fde2e1;color:#3b0606;padding:.6rem .9rem;margin:.5rem 0}\
h1{font-size:1.5rem;line-height:1.25;margin:1rem 0 .5rem;overflow-wrap:anywhere}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}\
p,li{overflow-wrap:anywhere}\
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}\
table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;padding:.25rem 0}\
th,td{padding:.45rem .5rem;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top}\
th{background:#f6f8fa}.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}\
td.name{overflow-wrap:break-word;hyphens:auto;min-width:7rem}td.path{min-width:13rem}\
.track{position:relative;height:.6rem;background:#e6eaee;margin-top:.25rem;border-radius:2px}\
.fill{height:100%;background:#0a4f99;border-radius:2px}\
.thr{position:absolute;top:-.2rem;bottom:-.2rem;border-left:2px dashed #a4161a}\
svg{max-width:100%;height:auto}figure{margin:1rem 0}\
pre,code{overflow-wrap:anywhere;white-space:pre-wrap;font-size:.9rem}pre{background:#f6f8fa;padding:.5rem}\
small,.note{color:#3d4550}\
.fb::after{content:\"\\a0(RU)\";font-size:.75em;color:#3d4550}\
input,select,button,textarea{font:inherit;min-height:44px;max-width:100%}\
button,.button{padding:.4rem 1rem;border:1px solid #0a4f99;background:#0a4f99;color:#fff;border-radius:6px;cursor:pointer}a.button{display:inline-flex;align-items:center;min-height:44px}\
p>a:only-child,li>a:only-child,h2>a,h3>a,td>a,th>a,.banner a{display:inline-flex;align-items:center;min-height:44px;min-width:44px}\
label{display:block;margin:.5rem 0 .2rem;font-weight:600}\
details summary{min-height:44px;display:flex;align-items:center;cursor:pointer;color:#0a4f99}details summary::before{content:\"\u{25b8}\\a0\"}details[open]>summary::before{content:\"\u{25be}\\a0\"}\
.pager{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.pager a{display:inline-flex;align-items:center;min-height:44px;padding:0 .5rem}\
ul.plain{list-style:none;padding:0}.card{border:1px solid #d0d7de;border-radius:8px;padding:.25rem 1rem;margin:.75rem 0}.card h2{margin:.5rem 0 .25rem}\
.form{max-width:32rem}.form.wide{max-width:none}.form.wide>div{max-width:32rem}\
.form input:not([type=hidden]),.form select,.form textarea{display:block;width:100%;padding:.4rem .5rem;border:1px solid #6e7781;border-radius:6px;background:#fff;color:inherit}\
.form input[type=file]{border-style:dashed}.form textarea{min-height:6rem}label{overflow-wrap:anywhere}\
fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:700;padding:0}\
.rows{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:0 1.5rem}.rows>div{display:flex;flex-direction:column;justify-content:flex-end}\
.hint{margin:.1rem 0 .4rem;color:#3d4550;font-size:.95rem}\
.acts{display:flex;flex-wrap:wrap;gap:.5rem;margin:.75rem 0}button.alt{background:#fff;color:#0a4f99}\
.choices{display:flex;flex-wrap:wrap;gap:.6rem;margin:.5rem 0}.choices button{min-height:48px;text-align:left}\
dl.where{display:grid;grid-template-columns:auto minmax(0,1fr);gap:.2rem 1rem;margin:.5rem 0}dl.where dd{margin:0;font-weight:700;overflow-wrap:anywhere}\
tr.unmarked td{color:#3d4550}\
.done{border-left:6px solid #1a7f37;background:#dcf2dc;color:#0c3b12;padding:.6rem .9rem;margin:.5rem 0}\
ul.relations{padding-left:1.2rem}ul.relations li.error{color:#7a0e0e;font-weight:600}\
tr.changed td{background:#fff3c4}img.scan{display:block;max-width:100%;height:auto;border:1px solid #d0d7de}\
.side{display:grid;grid-template-columns:minmax(0,1fr);gap:0 1.5rem}\
.posted-id dt{font-weight:600}.posted-id dd{margin:0 0 .4rem;overflow-wrap:anywhere}\
@media (min-width:40rem){.posted-id{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem}.posted-id dd{margin:0}}\
@media (min-width:60rem){.side{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}}\
ul.found li a{display:inline-flex;align-items:center;min-height:44px}code.password{font-size:1.3rem;letter-spacing:.05em}\
div.check{display:flex;gap:.6rem;align-items:center;margin:.75rem 0;min-height:44px}.form .check input[type=checkbox]{display:inline-block;width:44px;height:44px;min-height:0;flex:none;margin:0}div.check label{margin:0;font-weight:400}\
@media (max-width:40rem){nav ul{gap:0 .1rem;margin:0}nav a{padding:0 .35rem}.bar-top{font-size:.95rem}.etitle{font-size:1rem}th,td{padding:.4rem .3rem}table.cmp{font-size:.875rem}table.cmp td.name{min-width:0;max-width:7rem}table.cmp th{font-size:.8rem}table.cmp th,table.cmp td{padding:.35rem .2rem}nav.sections ul{flex-wrap:nowrap;overflow-x:auto}nav.sections a{white-space:nowrap}h1{font-size:1.3rem}}\
th.station{background:#e6eaee}.retrieval .blank{min-width:9rem}.retrieval .ticket code{white-space:nowrap;font-size:.85rem}\
@media screen and (max-width:40rem){.retrieval .blank,.retrieval .ticket{display:none}}\
@media print{header.top,footer,.skip,.noprint,nav{display:none}.scroll{overflow:visible}tbody{break-inside:avoid}td.blank{border-bottom:1px solid #000}a{color:inherit}}\
footer{margin:2rem 0 1rem;padding-top:.5rem;border-top:1px solid #d0d7de;font-size:.9rem;color:#3d4550}";

impl Page<'_> {
    /// The page as HTML.
    pub fn render(self) -> String {
        let l = self.lang;
        let title = match self.election {
            Some(e) => format!("{} · {} · tallyproof", self.title.marked(), e.title),
            None => format!("{} · tallyproof", self.title.marked()),
        };
        html! {
            (DOCTYPE)
            html lang=(l.key()) {
                (head(&title))
                body {
                    a.skip href="#main" { (l.t(T::SkipToContent)) }
                    header.top {
                        div.wrap {
                            div.bar-top {
                                nav aria-labelledby="l-site" {
                                    (label("l-site", &l.t(T::NavSite)))
                                    ul {
                                        li { a.brand href="/" aria-current=[current(self.section == Section::Elections)] { (l.t(T::NavElections)) } }
                                        li { a href="/verify" aria-current=[current(self.section == Section::Log)] { (l.t(T::NavLog)) } }
                                        li { a href=(staff_link(self.election)) aria-current=[current(self.section == Section::Staff)] { (l.t(T::NavStaff)) } }
                                    }
                                }
                                (switch(l, self.here))
                            }
                            @if let Some(e) = self.election {
                                (heading(l, e, self.section))
                            }
                        }
                    }
                    main.wrap #main {
                        h1 { (self.title) }
                        (self.body)
                    }
                    footer.wrap {
                        p { (l.t(T::FooterAbout)) " " a href="/openapi.json" { "API" } }
                    }
                }
            }
        }
        .into_string()
    }
}

/// An element's accessible name from the glossary, in a hidden span that the element names by
/// `aria-labelledby="ID"`: an attribute (`aria-label`) cannot carry the `lang` of the Russian
/// shown on a Kyrgyz page for want of a sourced term, a span can.
pub fn label(id: &str, text: &Tr) -> Markup {
    html! { span hidden id=(id) { (text) } }
}

/// A choice of a `<select>`: an option holds only text (a parser drops a `<span>` in it), so a
/// Russian fallback is marked on the option itself, `lang="ru"` and "(RU)".
pub fn option(value: &str, selected: bool, text: &Tr) -> Markup {
    html! {
        option value=(value) selected[selected] lang=[text.is_fallback().then_some("ru")] { (text.marked()) }
    }
}

/// A page on its own, for a file rather than the service (the command line's forensic
/// report): the same head and stylesheet, its title and body, and no site to navigate.
pub fn standalone(l: Lang, title: Tr, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang=(l.key()) {
            (head(&format!("{} · tallyproof", title.marked())))
            body {
                main.wrap #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
    .into_string()
}

/// The head every page shares: its character set, a phone's viewport, title and stylesheet.
fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            style { (PreEscaped(STYLE)) }
        }
    }
}

fn current(yes: bool) -> Option<&'static str> {
    yes.then_some("page")
}

fn staff_link(e: Option<&Heading>) -> String {
    match e {
        Some(e) => format!("/elections/{}/staff", urlencode(&e.name)),
        None => "/login".to_string(),
    }
}

/// The language switch: each language in itself, marked with its own `lang`.
fn switch(l: Lang, here: &str) -> Markup {
    let sep = if here.contains('?') { '&' } else { '?' };
    html! {
        nav aria-labelledby="l-language" {
            (label("l-language", &l.t(T::NavLanguage)))
            ul {
                @for other in Lang::ALL {
                    li {
                        a href=(format!("{here}{sep}lang={}", other.key())) lang=(other.key()) hreflang=(other.key())
                            aria-current=[current(*other == l)] { (other.autonym()) }
                    }
                }
            }
        }
    }
}

/// The election's title, date, status, as-of line, banner and sections.
fn heading(l: Lang, e: &Heading, section: Section) -> Markup {
    let base = format!("/elections/{}", urlencode(&e.name));
    let (status_class, status) = e.status.shown();
    let as_of = match &e.time {
        Some(t) => l.f(T::AsOfTime, &[("time", t), ("size", &l.count(e.size))]),
        None => l.f(T::AsOfSize, &[("size", &l.count(e.size))]),
    };
    let sections: [(Section, T, String); 9] = [
        (Section::Results, T::NavResults, base.clone()),
        (Section::Units, T::NavUnits, format!("{base}/units")),
        (Section::Seats, T::NavSeats, format!("{base}/seats")),
        (Section::Counts, T::NavCounts, format!("{base}/counts")),
        (
            Section::Forensics,
            T::NavForensics,
            format!("{base}/forensics"),
        ),
        (Section::Audits, T::NavAudits, format!("{base}/audits")),
        (Section::Revotes, T::NavRevotes, format!("{base}/revotes")),
        (
            Section::Complaints,
            T::NavComplaints,
            format!("{base}/complaints"),
        ),
        (
            Section::Incidents,
            T::NavIncidents,
            format!("{base}/incidents"),
        ),
    ];
    html! {
        p.etitle { (e.title) }
        p.meta {
            @if let Some(d) = &e.date { (l.date(d)) " · " }
            span.status.(status_class) { (l.t(status)) }
            " · " (as_of)
        }
        @if let Some(of) = &e.revote_of {
            p.meta { (l.f(T::RevoteOf, &[("of", of)])) }
        }
        @if e.status == Status::Annulled {
            div.banner role="note" {
                strong { (l.t(T::AnnulledBanner)) }
                @if let Some(a) = &e.annulment {
                    " " a href=(a.link) { (l.f(T::AnnulledDecision, &[("entry", &a.entry.to_string())])) }
                }
            }
        }
        nav.sections aria-labelledby="l-election" {
            (label("l-election", &l.t(T::NavElection)))
            ul {
                @for (s, t, href) in &sections {
                    li { a href=(href) aria-current=[current(*s == section)] { (l.t(*t)) } }
                }
            }
        }
    }
}

/// A way back from an error besides the list of elections (the staff desk, the login), and
/// what to call the error where the page that sent the reader knows better.
pub struct Back {
    /// Where to.
    pub href: String,
    /// The link's text.
    pub label: Tr,
    /// The page's heading instead of the status's.
    pub title: Option<Tr>,
}

/// An error as a page: what happened in the page's language, the service's own words
/// beside it (marked as English), and a way back.
pub fn error_page(l: Lang, status: u16, detail: &str, here: &str, back: Option<Back>) -> String {
    let what = match status {
        400 | 422 => T::ErrorBadRequest,
        401 => T::ErrorUnauthorized,
        403 => T::ErrorForbidden,
        404 => T::ErrorNotFound,
        409 => T::ErrorConflict,
        413 => T::ErrorTooLarge,
        415 => T::ErrorUnsupported,
        429 => T::ErrorTooMany,
        503 => T::ErrorBusy,
        _ => T::ErrorInternal,
    };
    let (title, back) = match back {
        Some(b) => (
            b.title.unwrap_or_else(|| l.t(what)),
            Some((b.href, b.label)),
        ),
        None => (l.t(what), None),
    };
    Page {
        lang: l,
        title,
        here,
        election: None,
        section: Section::Error,
        body: html! {
            p { (l.f(T::ErrorStatus, &[("status", &status.to_string())])) }
            @if !detail.is_empty() {
                p { (l.t(T::ErrorDetail)) " " span lang="en" { (detail) } }
            }
            @if let Some((href, label)) = back {
                p { a href=(href) { (label) } }
            }
            p { a href="/" { (l.t(T::ErrorBack)) } }
        },
    }
    .render()
}
