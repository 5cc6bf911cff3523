//! The staff desk in the reader's language: the login, the desk before a login, every role's
//! desk (with a protocol waiting, an audit before and after its first round), what the desk
//! says after an act, and a refused login come in Russian with `?lang=ru` and in English by
//! default, and carry no word but the glossary's terms in that language, the data's names
//! and codes.

use axum::http::StatusCode;
use record::Role;
use serde_json::json;
use ui::{Lang, T};

use crate::common::{on_every_backend, visible, App};

on_every_backend!(every_desk_speaks_the_readers_language);

/// Words a page may show in any language: the language switch's autonyms, the API's name, the
/// time zone, the law presets, the command that manages users and the API's description.
const CODES: &[&str] = &[
    "English",
    "Русский",
    "Кыргызча",
    "API",
    "UTC",
    "kg2010",
    "kg2015",
    "kg2020",
    "kg2021",
    "tallyproof users --help",
    "/openapi.json",
];

/// The words of `text` (visible text) that are neither a glossary term in `lang` (each piece
/// between its placeholders), nor one of `names`, nor a code: text that did not come from the
/// glossary. A word is a run with two letters in a row (so that numbers, times and single
/// letters pass).
fn stray_words(text: &str, lang: Lang, names: &[String]) -> Vec<String> {
    let mut pieces: Vec<String> = T::ALL
        .iter()
        .flat_map(|t| {
            let (s, _) = t.text(lang);
            let mut out = Vec::new();
            let mut rest = s;
            while let Some(i) = rest.find('{') {
                out.push(rest[..i].to_string());
                rest = rest[i..].split_once('}').map_or("", |(_, r)| r);
            }
            out.push(rest.to_string());
            out
        })
        .chain(names.iter().cloned())
        .chain(CODES.iter().map(|c| c.to_string()))
        .map(|p| p.trim().to_string())
        .filter(|p| p.chars().any(char::is_alphabetic))
        .collect();
    pieces.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    let mut rest = text.to_string();
    for p in &pieces {
        rest = rest.replace(p.as_str(), " ");
    }
    rest.split_whitespace()
        .filter(|w| {
            let c: Vec<char> = w.chars().collect();
            c.windows(2)
                .any(|p| p[0].is_alphabetic() && p[1].is_alphabetic())
        })
        .map(str::to_string)
        .collect()
}

/// The names the desk shows from the data: the elections' titles, units and parties, the
/// users, the audit.
fn names(app: &App, elections: &[&model::Election]) -> Vec<String> {
    let mut out: Vec<String> = Role::ALL.iter().map(|r| r.key().to_string()).collect();
    out.push("d1".into());
    for e in elections.iter().copied().chain([&app.election]) {
        for (id, u) in e.units.iter() {
            out.push(u.name.to_string());
            out.push(e.units.path(id));
        }
        for c in &e.contests {
            out.push(c.name.clone());
            out.extend(c.choices.iter().map(|ch| ch.name.clone()));
        }
    }
    out
}

/// The page at `path` for `cookie`, in English by default and in Russian with `?lang=ru`:
/// each declares its language, shows `want` in it (up to its first placeholder), and nothing
/// stray.
async fn in_both(app: &App, path: &str, cookie: &str, want: T, names: &[String]) {
    let sep = if path.contains('?') { '&' } else { '?' };
    for (lang, url) in [
        (Lang::En, path.to_string()),
        (Lang::Ru, format!("{path}{sep}lang=ru")),
    ] {
        let a = app
            .call("GET", &url, &[("cookie", cookie)], Vec::new())
            .await;
        assert_eq!(a.status, StatusCode::OK, "{url}: {}", a.text());
        let html = a.text();
        assert!(
            html.contains(&format!("<html lang=\"{}\">", lang.key())),
            "{url}"
        );
        let text = visible(&html);
        let (term, _) = want.text(lang);
        let term = term.split('{').next().unwrap_or_default();
        assert!(text.contains(term), "{url}: no '{term}' in {text}");
        let stray = stray_words(&text, lang, names);
        assert!(stray.is_empty(), "{url}: {stray:?} in {text}");
    }
}

async fn every_desk_speaks_the_readers_language(app: &App) {
    let (b, _) = crate::audits::import_b(app).await;
    let names = names(app, &[&b]);
    // A protocol waiting, so that the lists show an entry.
    app.assign_operator_everywhere().await;
    let op = app.token(Role::Operator).await;
    let p = &app.protocols[0];
    let votes: Vec<u64> = p.votes.iter().map(|v| v + 1).collect();
    let a = app
        .api(
            "POST",
            "/api/elections/s/protocols",
            &op,
            json!({"station": p.station.0, "source": "manual", "votes": votes}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let entry = a.json()["id"].as_i64().unwrap();

    in_both(app, "/login", "", T::DeskLoginTitle, &names).await;
    in_both(app, "/elections/s/staff", "", T::DeskLogInToAct, &names).await;
    let screen = format!("/elections/s/staff/pending/{entry}");
    let station = format!("/elections/s/staff?q=1&unit={}", p.station.0);
    let desks = [
        (Role::Operator, "/elections/s/staff", T::DeskEnterHeading),
        (Role::Operator, "/elections/s/staff?q=1", T::DeskFound),
        (Role::Operator, station.as_str(), T::DeskCheckButton),
        (Role::Verifier, "/elections/s/staff", T::DeskPendingHeading),
        (Role::Verifier, screen.as_str(), T::DeskVerify),
        (Role::Commissioner, screen.as_str(), T::DeskChecksHeading),
        (
            Role::Commissioner,
            "/elections/s/staff",
            T::DeskCertifyHeading,
        ),
        (
            Role::Observer,
            "/elections/s/staff",
            T::DeskComplaintHeading,
        ),
        (Role::Observer, "/elections/s/staff?q=1", T::DeskFound),
        (Role::Admin, "/elections/s/staff", T::AdminUsersHeading),
    ];
    for (role, path, want) in desks {
        let (cookie, _) = app.login(role).await;
        in_both(app, path, &cookie, want, &names).await;
    }
    let (cookie, _) = app.login(Role::Verifier).await;
    let done = "/elections/s/staff?done=verified&id=7";
    in_both(app, done, &cookie, T::DeskDoneVerified, &names).await;
    let ru = app
        .call(
            "GET",
            &format!("{done}&lang=ru"),
            &[("cookie", &cookie)],
            Vec::new(),
        )
        .await;
    assert!(ru
        .visible()
        .contains("Запись протокола 7 подтверждена и теперь учитывается."));

    // The auditor's desk: no audit, one waiting for its first round, then for its counts.
    let (cookie, _) = app.login(Role::Auditor).await;
    let aud = app.token(Role::Auditor).await;
    let start = json!({"audit": "d1", "law": "kg2020", "risk_limit": 5, "method": "batch", "seed": "8 8 8"});
    let steps = [
        (None, T::DeskAuditStartHeading),
        (
            Some(("/api/elections/b/audits", start)),
            T::DeskAuditNextRound,
        ),
        (
            Some(("/api/elections/b/audits/d1/rounds", json!({}))),
            T::DeskRecordButton,
        ),
    ];
    for (step, want) in steps {
        if let Some((path, body)) = step {
            let a = app.api("POST", path, &aud, body).await;
            assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text());
        }
        in_both(app, "/elections/b/staff", &cookie, want, &names).await;
    }
    let ru = app
        .call(
            "GET",
            "/elections/b/staff?lang=ru",
            &[("cookie", &cookie)],
            Vec::new(),
        )
        .await
        .visible();
    assert!(
        ru.contains("Раунд 1 проведён: ожидаются результаты ручного подсчёта."),
        "{ru}"
    );
}

/// A refused login is a page in the reader's language that says what went wrong and leads
/// back to the login; a refused act leads back to the desk.
async fn errors_lead_back_to_the_desk(app: &App) {
    let form = ("content-type", "application/x-www-form-urlencoded");
    let a = app
        .call(
            "POST",
            "/login?lang=ru",
            &[form],
            b"name=verifier&password=wrong".to_vec(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let text = a.visible();
    assert!(
        text.contains("Неверное имя пользователя или пароль Код ответа HTTP 401."),
        "{text}"
    );
    assert!(a
        .text()
        .contains("<a href=\"/login\">Вернуться ко входу</a>"));
    let (cookie, csrf) = app.login(Role::Commissioner).await;
    let body = format!("csrf={csrf}&kind=recount&unit=Batken&reason=r");
    let a = app
        .form("/elections/s/staff/decisions", &cookie, body.into_bytes())
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.visible().contains(
        "The form was not accepted: check the field the service names below HTTP status 400."
    ));
    assert!(
        a.text()
            .contains("<a href=\"/elections/s/staff\">Back to the staff desk</a>"),
        "{}",
        a.text()
    );
    // The desk's own page and the public pages lead back to the list only.
    let a = app.get("/elections/none/staff").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(!a.text().contains("Back to the staff desk"));
}

on_every_backend!(errors_lead_back_to_the_desk);
