//! Every route the service answers, once: the router, the authorization guard and the
//! OpenAPI 3.1 document are all made from [`ROUTES`], so they cannot disagree.

use record::Role;
use serde_json::{json, Value};

/// An HTTP method the service uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Reads.
    Get,
    /// Acts (forms and the API).
    Post,
    /// Uploads a scan.
    Put,
    /// Gives up an upload under way.
    Delete,
}

impl Method {
    /// The method's name in lower case, as OpenAPI writes it.
    pub fn key(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Delete => "delete",
        }
    }
}

/// One route.
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path (axum syntax: `{name}` is the election, `{id}` a unit or an entered protocol).
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// What it answers: `application/json` or `text/html`.
    pub media: &'static str,
    /// Query parameters: name and description.
    pub query: &'static [(&'static str, &'static str)],
    /// The roles allowed; empty for the public (no login).
    pub roles: &'static [Role],
    /// The request body's fields, for writes.
    pub body: Option<&'static str>,
}

const PUBLIC: &[Role] = &[];
const ANY_STAFF: &[Role] = Role::ALL;
const ADMIN: &[Role] = &[Role::Admin];
const OPERATOR: &[Role] = &[Role::Operator];
const VERIFIER: &[Role] = &[Role::Verifier];
const OBSERVER: &[Role] = &[Role::Observer];
const COMMISSIONER: &[Role] = &[Role::Commissioner];
const SUPERVISOR: &[Role] = &[Role::Supervisor];
const UPLOADERS: &[Role] = &[Role::Operator, Role::Observer, Role::Auditor];
const AUDITOR: &[Role] = &[Role::Auditor];
const BOARD_MEMBER: &[Role] = &[Role::BoardMember];
/// Who reads a board's share: its own members (no other board's), and the auditor.
const BOARD_READERS: &[Role] = &[Role::BoardMember, Role::Auditor];
/// Who reads an entered protocol's screen: not operators (under blind double entry an
/// operator must not see another's keying).
const VERIFIERS: &[Role] = &[Role::Verifier, Role::Commissioner];
const SCAN_READERS: &[Role] = &[
    Role::Operator,
    Role::Verifier,
    Role::Commissioner,
    Role::Auditor,
];

const BY: (&str, &str) = (
    "by",
    "country, region, constituency, district or station (default region)",
);

/// The query parameters of the unit search.
const SEARCH: &[(&str, &str)] = &[
    (
        "q",
        "a name, a station's number or a path of names separated by '/' (at most 1000 bytes; empty: every unit)",
    ),
    (
        "level",
        "country, region, constituency, district or station (default: every level)",
    ),
    ("page", "the page, from 1 (100 units a page; default 1)"),
];

const fn get(path: &'static str, media: &'static str, summary: &'static str) -> Route {
    Route {
        method: Method::Get,
        path,
        summary,
        media,
        query: &[],
        roles: PUBLIC,
        body: None,
    }
}

const fn write(
    method: Method,
    path: &'static str,
    roles: &'static [Role],
    body: &'static str,
    summary: &'static str,
) -> Route {
    let media = if is_api(path) {
        "application/json"
    } else {
        "text/html"
    };
    Route {
        method,
        path,
        summary,
        media,
        query: &[],
        roles,
        body: Some(body),
    }
}

/// Whether a path is the API's (`/api/...`), in a constant context.
const fn is_api(path: &str) -> bool {
    let (p, pre) = (path.as_bytes(), b"/api/");
    if p.len() < pre.len() {
        return false;
    }
    let mut i = 0;
    while i < pre.len() {
        if p[i] != pre[i] {
            return false;
        }
        i += 1;
    }
    true
}

const JSON: &str = "application/json";
const HTML: &str = "text/html";
const TEXT: &str = "text/plain";
const BYTES: &str = "application/octet-stream";

/// Every route.
pub const ROUTES: &[Route] = &[
    get("/", HTML, "The stored elections (page)"),
    Route {
        query: &[BY],
        ..get(
            "/elections/{name}",
            HTML,
            "An election's results: national totals, a bar chart and every unit at a level (page)",
        )
    },
    Route {
        query: &[("law", "kg2010, kg2015, kg2020 or kg2021 (default: the election's own law)")],
        ..get(
            "/elections/{name}/seats",
            HTML,
            "The seat allocation under a law preset: a hemicycle, threshold tests, seats and the closest margins (page)",
        )
    },
    get(
        "/elections/{name}/units/{id}",
        HTML,
        "A unit (region, district, station): its totals, its units, and a station's every protocol version with the changes marked (page)",
    ),
    get(
        "/api/elections/{name}/units/{id}",
        JSON,
        "A unit: its path, totals, units, and a station's every protocol version",
    ),
    Route {
        query: SEARCH,
        ..get(
            "/elections/{name}/units",
            HTML,
            "Finds units by name, station number or path, 100 a page, each with its path, stations reporting and votes: every station of an election is reachable here (page)",
        )
    },
    Route {
        query: &[(
            "station",
            "the station's unit id (its page links here); without it, how to find one",
        )],
        ..get(
            "/elections/{name}/protocol-form",
            HTML,
            "The posted protocol's form of a station: the precinct commission types its figures and prints the protocol with its QR code, made in the browser (docs/protocol-qr.md); works offline once loaded (page)",
        )
    },
    get(
        "/scan",
        HTML,
        "Scans a posted protocol's QR code with the phone's camera (HTTPS or localhost) or from a photo, keeps what it read on the phone, and once online checks it against the commission's signed log in the browser (docs/protocol-qr.md) (page)",
    ),
    Route {
        query: &[("code", "the QR code's text (TPQ1/..., docs/protocol-qr.md)")],
        ..get(
            "/api/posted",
            JSON,
            "What the log says of the station a posted protocol's QR code names: the comparison with its official versions (match, superseded by a correction, mismatch, the differing lines) and the station check's data (checkpoint, keys, the current protocol entry and its inclusion proof)",
        )
    },
    Route {
        query: SEARCH,
        ..get(
            "/api/elections/{name}/units",
            JSON,
            "Finds units by name, station number or path ('Region / 1001', parts in order), folded for case, quotation marks and look-alike letters: exact matches first, then names that start with the query, then words that do, then names that contain it, each in tree order; 100 a page with the total, and each unit's path, stations, reporting, annulled and votes (an empty q lists every unit in tree order)",
        )
    },
    get(
        "/api/elections",
        JSON,
        "The stored elections, each with its title, date, law, status (open, preliminary, certified, annulled: the log index that made it so and a decision's public text), what a re-vote re-votes, and as of when",
    ),
    get(
        "/api/elections/{name}/context",
        JSON,
        "What every page says of an election: its title, date, law, status (open, preliminary, certified, annulled: the log index that made it so and a decision's public text), what a re-vote re-votes, and as of when",
    ),
    Route {
        query: &[BY],
        ..get(
            "/api/elections/{name}/results",
            JSON,
            "Totals of the first contest at every unit of a level, as `tallyproof results --json`, without annulled stations",
        )
    },
    Route {
        query: &[("law", "kg2010, kg2015, kg2020 or kg2021 (default: the election's own law)")],
        ..get(
            "/api/elections/{name}/seats",
            JSON,
            "The seat allocation under a law preset, as `tallyproof seats --json`, with the law; for an election without a law, `{\"law\": null, \"seats\": null, \"why\": ...}`",
        )
    },
    get(
        "/elections/{name}/forensics",
        HTML,
        "The forensic report: integer percentages, Shpilkin, the Klimek fingerprint, digit tests and station flags, each with what it does and does not mean (page)",
    ),
    get(
        "/verify",
        HTML,
        "The elections' logs: the log key, each log's current signed checkpoint and how to verify it (page)",
    ),
    get(
        "/elections/{name}/log/checkpoint",
        TEXT,
        "The log's checkpoint, signed for its current size after every write (C2SP signed note), with witnesses' cosignatures when they cosigned that size",
    ),
    get(
        "/elections/{name}/log/cosigned",
        TEXT,
        "The latest checkpoint of the log that witnesses cosigned, with their cosignatures",
    ),
    get(
        "/elections/{name}/log/log.pub",
        TEXT,
        "The log's verifier key as this service states it (take it from a trusted channel to verify)",
    ),
    get(
        "/elections/{name}/log/tile/{*tile}",
        BYTES,
        "A tile of the log at its signed size (C2SP tlog-tiles: a hash tile L/N[.p/W] or an entry bundle entries/N[.p/W])",
    ),
    get(
        "/elections/{name}/log/content/{commitment}",
        TEXT,
        "The public content behind one of the log's commitments: the salt in hex, a newline, the text (never an observer's or complainant's name)",
    ),
    Route {
        query: &[
            ("from", "the smaller log size (one the reader's browser saw)"),
            ("to", "the larger log size, at most the log's"),
        ],
        ..get(
            "/api/elections/{name}/consistency",
            JSON,
            "The consistency proof between two sizes of the log (RFC 6962): that the log at 'from' entries is a prefix of the log at 'to'",
        )
    },
    get(
        "/static/{*file}",
        "text/javascript",
        "A static script: the station check (check.js, its SHA-256 in the README) and the pure-JavaScript Ed25519 and SHA-2 it uses where the browser has none (vendor/...)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/cosignatures",
        PUBLIC,
        "{checkpoint}: the checkpoint as a witness cosigned it (C2SP cosignature/v1)",
        "Submits a witness's cosignature of one of the log's checkpoints; kept if a witness the service knows (serve --witness) signed a checkpoint this log signed",
    ),
    get("/openapi.json", JSON, "This API's OpenAPI 3.1 description"),
    get(
        "/api/ready",
        JSON,
        "Whether the service is ready: every stored election loaded and its log signed since the start (503 until then)",
    ),
    Route {
        query: &[BY, ("law", "kg2010, kg2015, kg2020 or kg2021 (default: the election's own law)")],
        ..get(
            "/elections/{name}/counts",
            HTML,
            "The machine count and the manual count side by side: totals, differences and the seats each gives (page)",
        )
    },
    Route {
        query: &[BY, ("law", "kg2010, kg2015, kg2020 or kg2021 (default: the election's own law)")],
        ..get(
            "/api/elections/{name}/counts",
            JSON,
            "The machine count and the manual count side by side, and the seats each gives",
        )
    },
    get(
        "/elections/{name}/audits",
        HTML,
        "The risk-limiting audits: each one's verdict, rounds and the risk of every assertion, recomputed from the log (page)",
    ),
    get(
        "/elections/{name}/audits/{audit}/rounds/{round}",
        HTML,
        "A round's retrieval list to print, station by station and by position, redrawn from the log and the seed (page)",
    ),
    get(
        "/api/elections/{name}/audits",
        JSON,
        "The risk-limiting audits, recomputed from the log, as `tallyproof audit status --json`",
    ),
    get(
        "/elections/{name}/revotes",
        HTML,
        "The re-votes linked to this election, or the election this one re-votes part of: the annulled results beside the re-vote's (page)",
    ),
    get(
        "/elections/{name}/complaints",
        HTML,
        "The complaint register: every complaint with its unit, category, status and reviews, its text unless redacted, never its complainant (page)",
    ),
    get(
        "/api/elections/{name}/complaints",
        JSON,
        "The complaint register as JSON: entry, unit, category, status, text (null if redacted or not public), attachment, reviews with their reasons and answering decisions",
    ),
    get(
        "/api/elections/{name}/export.csv",
        "text/csv",
        "The current results as tallyproof station CSV (latest protocols, annulled stations left out)",
    ),
    get(
        "/api/elections/{name}/export.json",
        JSON,
        "The current results as tallyproof election JSON (the election and the latest protocols)",
    ),
    get(
        "/api/elections/{name}/export.cdf.json",
        JSON,
        "The current results as a NIST SP 1500-100 Election Results CDF (JSON, precinct level)",
    ),
    get("/login", HTML, "The staff login form (page)"),
    get(
        "/elections/{name}/staff",
        HTML,
        "The staff desk: the forms of the logged-in user's role (protocol entry, verification, decisions) (page)",
    ),
    write(
        Method::Post,
        "/login",
        PUBLIC,
        "form: name, password, new_password and new_password_again (optional)",
        "Logs in: sets a session cookie and goes to the staff desk; failed logins are limited. With a one-time password (both halves, as two admins handed them out), answers the page on which the user chooses their own (new_password), which logs them in",
    ),
    write(
        Method::Post,
        "/api/login",
        PUBLIC,
        "{name, password, new_password (optional)}",
        "Logs in: sets a session cookie, answers the user, role and the session's CSRF token (send it as X-CSRF-Token). A one-time password (a new account or a reset: the first half from the admin who made it, then the second from the one who approved it, in one string) is refused (403) without new_password, a password of the user's own that replaces it",
    ),
    write(
        Method::Post,
        "/logout",
        ANY_STAFF,
        "form: csrf",
        "Logs out",
    ),
    Route {
        query: &[(
            "tokens",
            "revoke: also revoke every API token of the caller (by default only the session ends)",
        )],
        ..write(
            Method::Post,
            "/api/logout",
            ANY_STAFF,
            "{}",
            "Logs out: ends the session; API tokens stay valid unless `?tokens=revoke`",
        )
    },
    write(
        Method::Post,
        "/api/tokens",
        ANY_STAFF,
        "{label, days?}",
        "Creates an API token for the caller, shown once; send it as `Authorization: Bearer TOKEN`. Made from a logged-in session (a token cannot make another, so a leaked one cannot outlive its expiry). It lasts `days` (default 30, at most 365); answers the token, its id and its expiry (Unix seconds)",
    ),
    Route {
        roles: ANY_STAFF,
        ..get(
            "/api/tokens",
            JSON,
            "The caller's own API tokens: id (the token's SHA-256), label, created, expires, expired",
        )
    },
    write(
        Method::Post,
        "/api/tokens/{id}/revoke",
        ANY_STAFF,
        "{}",
        "Revokes one of the caller's own API tokens, by its id",
    ),
    Route {
        roles: ANY_STAFF,
        ..get("/api/me", JSON, "The caller: name, role")
    },
    Route {
        roles: ADMIN,
        ..get("/api/users", JSON, "The staff users and their roles")
    },
    write(
        Method::Post,
        "/api/users",
        ADMIN,
        "{name, role, elections (optional: the elections the role applies in; default every stored election)}",
        "Adds a user with one role: operator, verifier, commissioner, auditor, observer or admin (only an admin of each of those elections). The name is NFKC-normalised, only letters, digits, '.', '-' and '_', and must not look like an existing user's. Answers the first half of the user's one-time password (first_half), shown once; no admin chooses it. The user holds no role (cannot log in) until a second admin approves, which gives the second half; the user logs in with both and replaces them with a password of their own"
    ),
    write(
        Method::Post,
        "/api/users/{user}/approve",
        ADMIN,
        "{}",
        "Approves what another admin granted a user, the account and the elections (two-person rule): the user may then log in and act there. For an account an admin added or reset, answers the second half of its one-time password (second_half), shown once",
    ),
    write(
        Method::Post,
        "/api/users/{user}/reset",
        ADMIN,
        "{}",
        "Resets a user's password (only an admin of each of the user's elections): answers the first half of a new one-time password (first_half), shown once; the user's sessions and tokens end, and the account waits for a second admin's approval, which gives the second half; the user logs in with both and replaces them with their own",
    ),
    write(
        Method::Post,
        "/api/users/{user}/disable",
        ADMIN,
        "{}",
        "Disables a user (only an admin of each of the user's elections, never the last other active admin): they can no longer log in, their sessions and tokens end; their acts stay in the logs",
    ),
    write(
        Method::Post,
        "/api/users/{user}/phone",
        ADMIN,
        "{phone}",
        "Registers an observer's phone for SMS reports: the store keeps only its pseudonym (HMAC under the service's --phone-key), never the number, and no log entry names it",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/grants",
        ADMIN,
        "{user}",
        "Grants a user's role in this election too (a role applies only in the elections it is granted in); pending until a second admin approves",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/assignments",
        ADMIN,
        "{user, unit}",
        "Lets an operator enter protocols for the stations in or under a unit",
    ),
    write(
        Method::Put,
        "/api/scans",
        UPLOADERS,
        "the scan's bytes (at most 8 MiB), with its Content-Type",
        "Uploads a scan (a paper protocol, a complaint's attachment) or an audit's cast-vote records; answers its sha256 to cite",
    ),
    Route {
        roles: SCAN_READERS,
        ..get("/api/scans/{sha256}", "application/octet-stream", "A stored scan")
    },
    write(
        Method::Post,
        "/api/audit-files",
        AUDITOR,
        "{sha256 (the whole file's), size (its bytes, at most 16 GiB)}",
        "Begins sending cast-vote records in parts into the audit files' directory (serve --audit-files DIR), or answers where an upload of the same file stands",
    ),
    Route {
        roles: AUDITOR,
        ..get(
            "/api/audit-files/{sha256}",
            JSON,
            "Where an upload in parts stands: the bytes received, the next part's offset",
        )
    },
    Route {
        method: Method::Delete,
        roles: AUDITOR,
        ..get(
            "/api/audit-files/{sha256}",
            JSON,
            "Gives up the caller's upload in parts under way: its parts are deleted (a finished one stays)",
        )
    },
    write(
        Method::Put,
        "/api/audit-files/{sha256}/parts/{offset}",
        AUDITOR,
        "the part's bytes (at most 8 MiB), at the offset received so far",
        "Appends a part; the last makes the file whole, refused (and deleted) unless it has the declared SHA-256 and reads as records; the audit then names it sha256:<hex>",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/protocols",
        OPERATOR,
        "{station, contest, source, lines: {key: count}, votes: [count per choice], scan}",
        "Enters a protocol for an assigned station: it counts once a verifier confirms it. Answers the control-relation diagnostics and the differences from the station's current version",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/protocols",
        OPERATOR,
        "form (urlencoded, or multipart with a file 'scan'): csrf, station, source, one field per line key, vote_0, vote_1, ..., action (enter, or check: the desk again with the control relations the figures break, nothing stored)",
        "Enters a protocol, or checks its figures first (the staff desk's form)",
    ),
    Route {
        // Not operators: under blind double entry an operator must not read another's keying.
        roles: VERIFIERS,
        ..get(
            "/api/elections/{name}/pending",
            JSON,
            "Protocols entered and waiting for verification (for verifiers and commissioners: under blind double entry no operator reads another's keying)",
        )
    },
    write(
        Method::Post,
        "/api/elections/{name}/pending/{id}/verify",
        VERIFIER,
        "{}",
        "Verifies an entered protocol (by someone other than who entered it): it becomes the station's next version",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/pending/{id}/reject",
        VERIFIER,
        "{reason}",
        "Rejects an entered protocol, saying why (the operator reads it; the reason enters the log as a commitment): it never counts",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/pending/{id}/override",
        COMMISSIONER,
        "{reason}",
        "Lifts the quarantine of an entered protocol that breaks an error-level control relation, saying why (shown with the station's protocol): a verifier may then verify it",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/pending/{id}/resolve",
        COMMISSIONER,
        "{reason}",
        "Chooses, between two keyings of a blind double entry that differ, the one a verifier may verify, saying why",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/intake",
        COMMISSIONER,
        "{double: true | false}",
        "Switches blind double entry on or off: with it on, two operators key each protocol without seeing each other's keying before a verifier verifies it",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/pending/{id}",
        VERIFIER,
        "form: csrf, action (verify or reject), reason (a rejection's, which the operator reads)",
        "Verifies or rejects an entered protocol (the staff desk's form)",
    ),
    Route {
        roles: VERIFIERS,
        ..get(
            "/elections/{name}/staff/pending/{id}",
            HTML,
            "The verifier's screen of an entered protocol: the parties' names, the control relations it breaks, the differences from the version that counts, the scan, and the acts of the reader's role",
        )
    },
    write(
        Method::Post,
        "/elections/{name}/staff/pending/{id}/override",
        COMMISSIONER,
        "form: csrf, reason",
        "Lifts the quarantine of an entered protocol, giving a reason (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/pending/{id}/resolve",
        COMMISSIONER,
        "form: csrf, reason",
        "Chooses one of two keyings that differ, giving a reason (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/complaints/{id}/status",
        COMMISSIONER,
        "form: csrf, status (under-review, upheld or dismissed), reason, decision (a decision's log entry, or empty)",
        "Moves a complaint forward, with a reason and the decision that answers it (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/users",
        ADMIN,
        "form: csrf, name, role",
        "Adds a user whose role applies in this election, pending until a second admin approves; answers the page with the first half of the one-time password, shown once (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/users/{user}/approve",
        ADMIN,
        "form: csrf",
        "Approves what another admin granted or reset (the staff desk's form); for an account added or reset, answers the page with the second half of its one-time password, shown once",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/users/{user}/reset",
        ADMIN,
        "form: csrf",
        "Resets a user's password; answers the page with the first half of the new one-time password, shown once (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/users/{user}/disable",
        ADMIN,
        "form: csrf",
        "Disables a user (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/assignments",
        ADMIN,
        "form: csrf, user, unit (chosen by the unit search)",
        "Lets an operator enter protocols in a unit (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/intake",
        COMMISSIONER,
        "form: csrf, double (on or off)",
        "Switches blind double entry on or off (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/complaints",
        OBSERVER,
        "{unit, category: count | voter-list | ballot-stuffing | vote-buying | pressure | procedure | other, text, scan}",
        "Files a complaint against a station or unit; the name, text and scan enter the log as commitments",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/complaints/{id}/status",
        COMMISSIONER,
        "{status: under-review | upheld | dismissed, reason, decision (the log index of the decision that answers it)}",
        "Moves a complaint forward (received, under review, upheld or dismissed: final), with a reason and the decision that answers it",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/complaints",
        OBSERVER,
        "form (urlencoded, or multipart with a file 'scan'): csrf, unit, text",
        "Files a complaint (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/decisions",
        COMMISSIONER,
        "{kind: annul-unit | annul-election | recount | revote | reopen, unit, reason}",
        "Decides: annuls a unit or the election, orders a recount or a re-vote",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/decisions",
        COMMISSIONER,
        "form: csrf, kind, unit, reason",
        "Decides (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/revotes",
        COMMISSIONER,
        "{unit, name}",
        "Creates the decided re-vote of a unit as a new election linked to this one (the unit and everything under it, no protocols yet)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/certify",
        COMMISSIONER,
        "{law, reason (needed while complaints are open: why certify now)}",
        "Certifies the final result: a final publication of every contest (totals, and seats under the law preset for the first) enters the log and freezes the election; refused while complaints are open unless a reason is given",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/publish",
        COMMISSIONER,
        "{law}",
        "Publishes preliminary results: a preliminary publication of every contest (totals, and seats under the law preset for the first) enters the log; refused once the election is certified or annulled",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/certify",
        COMMISSIONER,
        "form: csrf, law, confirm (yes), reason (needed while complaints are open), at (the log's size the summary was shown at: refused if the log has grown)",
        "Certifies the final result after showing what it certifies (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/audits",
        AUDITOR,
        "{audit, law, risk_limit (percent), method: comparison | polling | batch, seed, manifest (Arlo's CSV text; default each station's reported ballots), cvrs (the records, comparison only: sha256:<hex> of an uploaded file, or file:NAME, a file in the audit files' directory of serve --audit-files, without a size limit)}",
        "Starts a risk-limiting audit of the seat allocation under a law preset (as `tallyproof audit start`); refused if it would amount to a full count",
    ),
    Route {
        roles: AUDITOR,
        query: &[
            ("law", "kg2010, kg2015, kg2020 or kg2021 (default: the election's own law)"),
            ("risk_limit", "the risk limit in percent, above 0 and at most 50 (default 5)"),
        ],
        ..get(
            "/api/elections/{name}/audits/methods",
            JSON,
            "Before an audit starts: each method's expected work (ballots to read, stations to open) at the risk limit, which would amount to a full count and why (the hardest assertion and its margin in ballots), and from which larger risk limit it would not (as `tallyproof audit plan --json`)",
        )
    },
    write(
        Method::Post,
        "/elections/{name}/staff/audits",
        AUDITOR,
        "form (multipart): csrf, audit, law, risk_limit, method, seed, manifest (file), cvrs (file)",
        "Starts an audit (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/audits/{audit}",
        AUDITOR,
        "form (urlencoded, or multipart with a file): csrf, action (round, readings, escalate, target-flagged, target-complaint or targeted-counts), ballots, readings (file), flagged_above, complaint, targeted (file)",
        "Draws a round, records its readings, escalates, adds targeted stations or records their hand counts (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/audits/{audit}/rounds",
        AUDITOR,
        "{ballots (default: the estimate for the hardest open assertion)}",
        "Draws the next round from the seed (as `tallyproof audit sample`); answers the retrieval list",
    ),
    Route {
        media: "text/csv",
        ..get(
            "/api/elections/{name}/audits/{audit}/rounds/{round}",
            "text/csv",
            "A round's retrieval list, redrawn from the log and the seed (CSV: the Choice column, or a batch audit's count columns, left for the audit boards)",
        )
    },
    write(
        Method::Post,
        "/api/elections/{name}/audits/{audit}/readings",
        AUDITOR,
        "the round's retrieval list with the Choice column filled (a batch audit: each station's count per choice and Ballots), CSV",
        "Records the waiting round (as `tallyproof audit record`; a comparison audit reads its stored cast-vote records); answers the audit's status",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/audits/{audit}/escalate",
        AUDITOR,
        "{}",
        "Escalates the audit to a full hand count",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/audits/{audit}/targets",
        AUDITOR,
        "{flagged_above (a forensic flags score: every station scoring at least that, not targeted yet)} or {complaint (an upheld complaint's entry index), stations (unit ids under its unit; default the complaint's own station)}",
        "Adds stations to the latest round as a targeted sample, counted by hand beside the random one and never counted toward the risk limit (as `tallyproof audit target`)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/audits/{audit}/targeted-counts",
        AUDITOR,
        "the targeted stations' hand counts, CSV: Batch Name, a column per choice, Ballots",
        "Records targeted stations' hand counts, reported apart from the risk (as `tallyproof audit record --targeted`); answers the audit's status",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/audits/{audit}/boards",
        AUDITOR,
        "{boards: [[member, member], ...] (board members' login names, two different people a board, nobody on two)}",
        "Forms the audit boards of the latest round: each board's share is whole stations, contiguous in the order a warehouse pulls them; the round's readings then come only from the boards' sign-offs",
    ),
    Route {
        roles: AUDITOR,
        ..get(
            "/api/elections/{name}/audits/{audit}/boards",
            JSON,
            "Every board of the latest round: its members, ballots (or stations) marked, who signed off, whether its readings are logged",
        )
    },
    Route {
        roles: BOARD_READERS,
        ..get(
            "/api/elections/{name}/audits/{audit}/boards/{board}",
            JSON,
            "A board's share of the latest round with its marks, in the order a warehouse pulls it (a board member sees only their own board's)",
        )
    },
    write(
        Method::Put,
        "/api/elections/{name}/audits/{audit}/boards/{board}/marks/{item}",
        BOARD_MEMBER,
        "{choice (the choice's name as typed: case, quotes and look-alike letters folded; one matching two choices is refused)} or {index (the choice's index in the contest, from 0)} or {mark: blank | not-found} or {votes (one per choice), ballots} (a batch audit's station)",
        "Marks a ballot (or a station's hand count) of the member's own board: a draft until both members sign off",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/audits/{audit}/boards/{board}/sign-off",
        BOARD_MEMBER,
        "{entry (the SHA-256 the board's share answers once every item is marked: the marks reviewed; refused if they changed since)}",
        "Signs off the board's marks with the member's own login (a staff sign-off entry); the second member's sign-off of the same marks logs the board's readings",
    ),
    Route {
        roles: BOARD_MEMBER,
        ..get(
            "/elections/{name}/staff/boards/{audit}/{board}",
            HTML,
            "A board's screen: the next ballot of the member's own board to mark, with the party names as on the ballot, blank or invalid, not found (a batch audit: a station's hand count), the share's marks, and the sign-off (page)",
        )
    },
    write(
        Method::Post,
        "/elections/{name}/staff/boards/{audit}/{board}/marks/{item}",
        BOARD_MEMBER,
        "form: csrf, index (a choice's index in the contest) or typed (a name as typed) or mark (blank or not-found), or vote_0, vote_1, ... and ballots (a station's hand count)",
        "Marks a ballot of the member's own board (the board's screen's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/boards/{audit}/{board}/sign-off",
        BOARD_MEMBER,
        "form: csrf, entry (the SHA-256 of the marks the screen showed)",
        "Signs off the board's marks with the member's own login (the board's screen's form)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/redactions",
        COMMISSIONER,
        "{commitment}",
        "Redacts a stored text or name behind a commitment; the commitment stays in the log",
    ),
    get(
        "/api/elections/{name}/pvt",
        JSON,
        "The election's quick counts (an observer group's log): each one's drawn stations, how its sample reported, the stations left out (observers disagreeing, in quarantine) and revised, and its estimates with their bases and the stations they cover; no observer is named",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/pvt/{pvt}/reports",
        OBSERVER,
        "{station (unit id), lines: {registered, issued_total, invalid, ...}, votes: [...]}; or {code}: a posted protocol's QR code as read (docs/protocol-qr.md), whose figures are the report, logged with it; or a CSV file (Content-Type: text/csv): a header 'station', line keys and every choice's name, then a row per station (its unit id or path), at most 500",
        "Logs an observer's copies of drawn stations' protocols, all or none: each of a station drawn and assigned to them, within its registered voters and the ballots issued, keeping the election's relations; answers each report's log entry, never how other observers' copies of the station stand",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/pvt/{pvt}/reviews",
        SUPERVISOR,
        "{station (unit id), action: choose | quarantine | release, report (the chosen report's log index), reason}",
        "Logs a supervisor's review of a drawn station: the report that counts among its observers' that differ, or a quarantine and its release, with a public reason; refused (409) if the log grew since it was checked",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/pvt/{pvt}/sms/{gateway}",
        PUBLIC,
        "{id (the gateway's message id), from (the sender's number), text, reference, part, parts (a part of a message sent in parts)}; signed by the gateway: headers X-Tallyproof-Time (Unix seconds) and X-Tallyproof-Signature (hex HMAC-SHA256 of 'tallyproof-sms-v2', the gateway's name, the time, the request's path and the body, each on its own line: docs/sms.md)",
        "An SMS gateway's message from an observer (no login: the gateway's signature authenticates it; 401 unsigned, wrongly signed, stale or signed before the service started, 409 a message id taken before): read by the quick count's codes, its sender found by the phone's pseudonym, logged as the observer's report; answers {id, reply}, the reply to send in the sender's alphabet (null while parts are waiting)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/pvt/{pvt}/reports",
        OBSERVER,
        "form: csrf, station (unit id), registered, issued_total, invalid, vote_0, vote_1, ...",
        "Logs an observer's copy of a drawn station's protocol (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/pvt/{pvt}/reviews",
        SUPERVISOR,
        "form: csrf, station (unit id), action (choose, quarantine or release), report (the chosen copy's log entry), reason",
        "Logs a supervisor's review of a drawn station (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/incidents",
        OBSERVER,
        "form (multipart): csrf, unit (a station's or unit's id), category, time (YYYY-MM-DDTHH:MM, UTC), coarsen (yes), text, photos (up to 5 JPEG or PNG files, 8 MiB in all)",
        "Reports an incident (the staff desk's form): as POST /api/elections/{name}/incidents, its photos stored without their metadata and taken back if the report is refused",
    ),
    write(
        Method::Post,
        "/elections/{name}/staff/incidents/{id}/status",
        SUPERVISOR,
        "form: csrf, status (confirmed or rejected), reason",
        "Gives an incident report a status (the staff desk's form)",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/incidents",
        OBSERVER,
        "{category (the deployment's: by default vote-buying, carousel-voting, ballot-stuffing, multiple-voting, pressure-or-violence, obstruction-of-observers, campaigning-at-station, other), unit (a station's or unit's id), time ('YYYY-MM-DD HH:MM', UTC, not later than now), coarsen (publish only the district and the hour), text, photos (['sha256:<hex>'] of the reporter's own uploads, stored without metadata)}",
        "Reports an incident: the reporter appears only as their act's commitment; coarsened, the log holds the district and the hour and only a commitment to the exact station and minute",
    ),
    write(
        Method::Post,
        "/api/elections/{name}/incidents/{id}/status",
        SUPERVISOR,
        "{status: confirmed | rejected | citizen, reason (public: name no one)}",
        "Gives an incident report a new status with its public reason; checked again if the log grew meanwhile",
    ),
    Route {
        query: &[
            ("category", "only this category"),
            ("status", "only this status: citizen, confirmed or rejected"),
            ("from", "from this day or minute (UTC): 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'"),
            ("to", "up to this day or minute (UTC)"),
            ("page", "the page, 100 incidents a page, the latest first"),
        ],
        ..get(
            "/api/elections/{name}/incidents",
            JSON,
            "Incident reports that pass the filters, the latest first, with the counts by category, status and region of all that pass and of every incident in the log; never a reporter",
        )
    },
    Route {
        query: &[
            ("category", "only this category"),
            ("status", "only this status: citizen, confirmed or rejected"),
            ("from", "from this day (UTC): 'YYYY-MM-DD'"),
            ("to", "up to this day (UTC)"),
            ("page", "the page, 100 incidents a page, the latest first"),
        ],
        ..get(
            "/elections/{name}/incidents",
            HTML,
            "Incident reports (page): the filters, the counts by region as a tile map with its table, the reports the latest first with their statuses and reasons; never a reporter",
        )
    },
    Route {
        query: &[
            ("category", "only this category"),
            ("status", "only this status"),
            ("from", "from this day or minute (UTC)"),
            ("to", "up to this day or minute (UTC)"),
        ],
        ..get(
            "/api/elections/{name}/incidents.csv",
            "text/csv",
            "Every incident report that passes the filters as CSV, the form's fields as columns; never a reporter",
        )
    },
    get(
        "/elections/{name}/incidents/{id}/photos/{k}",
        "image/*",
        "An incident's photo, as stored (no metadata), if the log makes it public and it is not redacted; served as an image, never as a page",
    ),
    Route {
        roles: SUPERVISOR,
        ..get(
            "/api/elections/{name}/pvt/{pvt}/stations/{id}",
            JSON,
            "A drawn station's reports for its supervisors: each observer's latest copy, the choice and quarantine in force, and every report and review in log order with who made it",
        )
    },
];

/// The description of a path parameter.
fn path_parameter(path: &str, name: &str) -> &'static str {
    match name {
        "name" => "the election's name",
        "id" if path.contains("/pending/") => "the entered protocol's id",
        "id" if path.contains("/complaints/") => "the complaint's entry in the log (its index)",
        "id" if path.contains("/incidents/") => {
            "the incident report's entry in the log (its index)"
        }
        "k" => "the photo's number in the report, from 0",
        "id" => "the unit's id (as in the log's units entries)",
        "sha256" => "the scan's SHA-256, hex",
        "user" => "the user's login name",
        "audit" => "the audit's name",
        "round" => "the round's number, from 1",
        "board" => "the audit board's number in the latest round, from 1",
        "item" => "a drawn ballot's draw number, or a batch audit's station's unit id",
        "tile" => "the tile's path below tile/ (C2SP tlog-tiles)",
        "commitment" => "the commitment: 64 hex digits",
        "pvt" => "the quick count's name in the log",
        "gateway" => "the SMS gateway's name (serve --sms-gateway NAME=FILE)",
        "file" => "the file's path below /static/",
        _ => "",
    }
}

/// The OpenAPI 3.1 document of [`ROUTES`].
pub fn openapi_document() -> Value {
    let mut paths = serde_json::Map::new();
    for r in ROUTES {
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|n| n.trim_start_matches('*'))
            .map(|n| {
                let kind = if matches!(n, "id" | "round" | "board" | "item") { "integer" } else { "string" };
                json!({"name": n, "in": "path", "required": true, "description": path_parameter(r.path, n), "schema": {"type": kind}})
            })
            .collect();
        params.extend(r.query.iter().map(|(n, d)| {
            json!({"name": n, "in": "query", "required": false, "description": d, "schema": {"type": "string"}})
        }));
        let mut op = json!({
            "summary": r.summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {r.media: {}}},
                "400": {"description": "a parameter or field is wrong", "content": {JSON: {}}},
                "404": {"description": "no such election, law, unit or entry", "content": {JSON: {}}}
            }
        });
        if let Some(body) = r.body {
            let media = match (r.method, r.path.starts_with("/api/")) {
                (Method::Put, _) if !r.path.contains("/marks/") => "application/octet-stream",
                (_, true) if r.path.ends_with("/readings") => "text/csv",
                (_, true) => JSON,
                (_, false) => "application/x-www-form-urlencoded",
            };
            op["requestBody"] = json!({"description": body, "content": {media: {}}});
        }
        if !r.roles.is_empty() {
            let roles: Vec<&str> = r.roles.iter().map(|x| x.key()).collect();
            op["security"] = json!([{"session": []}, {"bearer": []}]);
            op["x-roles"] = json!(roles);
            op["responses"]["401"] = json!({"description": "not logged in", "content": {JSON: {}}});
            op["responses"]["403"] = json!({"description": "the role may not, or the CSRF token is missing", "content": {JSON: {}}});
        }
        let entry = paths
            .entry(r.path.replace("{*", "{"))
            .or_insert_with(|| json!({}));
        entry[r.method.key()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "tallyproof",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Election results anyone can check: the public results and the staff workflow (protocol entry under the two-person rule, complaints, decisions, certification), every write in the tamper-evident log."
        },
        "paths": paths,
        "components": {"securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::COOKIE},
            "bearer": {"type": "http", "scheme": "bearer"}
        }},
    })
}
