//! Server-rendered pages: plain HTML with inline SVG, readable without JavaScript, labels in
//! English and Russian, and in Kyrgyz where the commission's terms are known (шайлоо,
//! добуш, мандат, протокол); a word the same in both (Карта, Аудит, Журнал) is written once.

use formats::report::Report;
use html_escape::encode_text as text;

/// The page frame.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{t}</title><style>body{{font:15px/1.4 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}\
table{{border-collapse:collapse}}td,th{{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:right}}\
td:first-child,th:first-child{{text-align:left}}small{{color:#555}}\
pre{{white-space:pre-wrap}}pre,code{{overflow-wrap:anywhere}}.wide{{overflow-x:auto}}</style></head><body>{body}</body></html>",
        t = text(title)
    )
}

/// A count with thousands separated by commas (`2,413`).
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a unit's totals cover: the stations counted, annulled and reporting.
pub(crate) fn coverage(t: &tabulate::Totals) -> String {
    match t.annulled {
        0 => format!(
            "{} of {} stations reporting",
            thousands(t.reporting),
            thousands(t.stations)
        ),
        a => format!(
            "{} counted, {} annulled, of {} stations; {} of the {} counted reporting",
            thousands(t.stations),
            thousands(a),
            thousands(t.stations + a),
            thousands(t.reporting),
            thousands(t.stations)
        ),
    }
}

/// The turnout with what it covers: in bold only when every counted station reports it.
pub(crate) fn turnout(t: &tabulate::Totals) -> String {
    match t.turnout() {
        None => "Turnout / явка / катышуу: unknown (no counted station gives registered voters and ballots issued).".to_string(),
        Some(ratio) if t.turnout_stations == t.stations => format!(
            "Turnout / явка / катышуу: <b>{}%</b> <small>(every counted station; {})</small>.",
            ratio.percent(2),
            text(formats::report::TURNOUT_DEFINITION)
        ),
        Some(ratio) => format!(
            "Turnout at the {} of {} counted stations that give registered voters and ballots issued: {}%. <small>It is not the turnout of the whole: the other stations' protocols do not give it.</small>",
            thousands(t.turnout_stations),
            thousands(t.stations),
            ratio.percent(2)
        ),
    }
}

/// The list of elections.
pub fn index(elections: &[(String, u64, u64, String)]) -> String {
    let mut rows = String::new();
    for (name, stations, versions, source) in elections {
        let link = format!("/elections/{}", urlencode(name));
        rows.push_str(&format!(
            "<tr><td><a href=\"{}\">{}</a></td><td>{stations}</td><td>{versions}</td><td>{}</td></tr>",
            html_escape::encode_double_quoted_attribute(&link),
            text(name),
            text(source)
        ));
    }
    page(
        "tallyproof: elections",
        &format!(
            "<h1>Elections <small>/ Выборы / Шайлоолор</small></h1><table><tr><th>election</th><th>stations</th><th>protocol versions</th><th>source</th></tr>{rows}</table>\
<p><small>JSON: <a href=\"/api/elections\">/api/elections</a>; the API is described in <a href=\"/openapi.json\">/openapi.json</a>.</small></p>"
        ),
    )
}

/// The results page of an election: the national totals as a table and a bar chart, then
/// each unit at the report's level.
pub fn results(r: &Report, name: &str, annulled: bool, as_of: &crate::data::AsOf) -> String {
    let stage = match (annulled, as_of.certified) {
        (true, _) => "",
        (false, true) => "<b>Certified</b>: the commission's final result.",
        (false, false) => "<b>Preliminary</b>: not certified; the figures may still change.",
    };
    let Some(country) = r.rows.first() else {
        return page("tallyproof", "<p>No results.</p>");
    };
    let t = &country.totals;
    let total: u64 = t.votes.iter().sum();
    let mut order: Vec<usize> = (0..r.choices.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(t.votes.get(i).copied().unwrap_or(0)));
    let max = order
        .first()
        .and_then(|&i| t.votes.get(i))
        .copied()
        .unwrap_or(0)
        .max(1);
    let share = |v: u64| {
        if total == 0 {
            0.0
        } else {
            100.0 * v as f64 / total as f64
        }
    };
    // Labels right-aligned up to x = 315, bars of at most 360 from x = 320, shares after them.
    let (bar_h, width) = (22u64, 750u64);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" role=\"img\" aria-label=\"votes by choice\">",
        bar_h * order.len() as u64 + 4
    );
    let mut table = String::from(
        "<table><tr><th>choice / выбор / тандоо</th><th>votes / голоса / добуштар</th><th>% of votes</th></tr>",
    );
    for (k, &i) in order.iter().enumerate() {
        let v = t.votes.get(i).copied().unwrap_or(0);
        let w = (v as f64 / max as f64 * 360.0).round();
        let y = k as u64 * bar_h;
        svg.push_str(&format!(
            "<rect x=\"320\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"#3a6ea5\"/><text x=\"315\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"12\">{:.2}%</text>",
            y + 3,
            bar_h - 6,
            y + 16,
            text(&shorten(&r.choices[i], 36)),
            325.0 + w,
            y + 16,
            share(v)
        ));
        table.push_str(&format!(
            "<tr><td>{}</td><td>{v}</td><td>{:.2}</td></tr>",
            text(&r.choices[i]),
            share(v)
        ));
    }
    svg.push_str("</svg>");
    table.push_str("</table>");
    let mut units = String::from(
        "<table><tr><th>unit / участок</th><th>stations reporting</th><th>votes</th></tr>",
    );
    for row in r.rows.iter().skip(1) {
        let t = &row.totals;
        let annulled = match t.annulled {
            0 => String::new(),
            a => format!(" ({} annulled)", thousands(a)),
        };
        units.push_str(&format!(
            "<tr><td><a href=\"/elections/{}/units/{}\">{}</a></td><td>{} of {}{annulled}</td><td>{}</td></tr>",
            urlencode(name),
            row.unit.0,
            text(&row.path.join(" / ")),
            thousands(t.reporting),
            thousands(t.stations),
            thousands(t.votes.iter().sum::<u64>())
        ));
    }
    units.push_str("</table>");
    let levels: Vec<String> = ["country", "region", "district", "station"]
        .iter()
        .map(|l| format!("<a href=\"/elections/{}?by={l}\">{l}</a>", urlencode(name)))
        .collect();
    units.push_str(&format!(
        "<p><small>by / по: {}</small></p>",
        levels.join(" · ")
    ));
    let api = format!("/api/elections/{}/results", urlencode(name));
    let map = crate::map::tiles(r, name);
    page(
        &format!("{name}: results"),
        &format!(
            "<p><a href=\"/\">elections</a></p><h1>{} <small>/ Результаты / Жыйынтыктар</small></h1>{}\
<p>{}. {} votes, over the stations reporting. {}</p><p><small>{stage} Results {as_of}.</small></p>{svg}{table}{map}<h2>By unit <small>/ По единицам</small></h2>{units}\
<p><a href=\"/elections/{n}/seats\">seats and margins</a> · <a href=\"/elections/{n}/forensics\">forensic tests</a> · \
<a href=\"/elections/{n}/counts\">machine and manual counts</a> · <a href=\"/elections/{n}/revotes\">re-votes</a> · <a href=\"/elections/{n}/audits\">audits</a> · <a href=\"/verify\">the log</a> · <a href=\"/elections/{n}/staff\">staff desk</a></p>\
<p><small>JSON: <a href=\"{a}\">{a}</a> · exports: <a href=\"/api/elections/{n}/export.csv\">CSV</a> · \
<a href=\"/api/elections/{n}/export.json\">JSON</a> · <a href=\"/api/elections/{n}/export.cdf.json\">NIST CDF</a></small></p>",
            text(&r.contest),
            if annulled {
                "<p><strong>This election was annulled by the commission. Its results stay published for the record. / Выборы признаны недействительными.</strong></p>"
            } else {
                ""
            },
            coverage(t),
            thousands(total),
            turnout(t),
            n = urlencode(name),
            a = html_escape::encode_double_quoted_attribute(&api)
        ),
    )
}

/// A unit's page: where it is, its totals, its children, and a station's protocol versions
/// with the cells that changed from one version to the next in bold.
pub fn unit(
    u: &crate::data::UnitView,
    name: &str,
    check: Option<&crate::check::StationCheck>,
) -> String {
    let base = format!("/elections/{}", urlencode(name));
    let mut crumbs = format!("<a href=\"{base}\">{}</a>", text(name));
    for (id, n) in &u.path {
        crumbs.push_str(&format!(" / <a href=\"{base}/units/{id}\">{}</a>", text(n)));
    }
    let total: u64 = u.totals.votes.iter().sum();
    let mut table =
        String::from("<div class=\"wide\"><table><tr><th>choice / выбор / тандоо</th><th>votes / голоса / добуштар</th><th>%</th></tr>");
    for (c, &v) in u.choices.iter().zip(&u.totals.votes) {
        let pct = if total == 0 {
            0.0
        } else {
            100.0 * v as f64 / total as f64
        };
        table.push_str(&format!(
            "<tr><td>{}</td><td>{v}</td><td>{pct:.2}</td></tr>",
            text(c)
        ));
    }
    table.push_str("</table></div>");
    let mut children = String::new();
    if !u.children.is_empty() {
        children.push_str("<h2>Units <small>/ Состав</small></h2><div class=\"wide\"><table><tr><th>unit</th><th>stations</th><th>votes</th></tr>");
        for (id, n, st, v) in &u.children {
            children.push_str(&format!(
                "<tr><td><a href=\"{base}/units/{id}\">{}</a></td><td>{st}</td><td>{v}</td></tr>",
                text(n)
            ));
        }
        children.push_str("</table></div>");
    }
    let mut versions = String::new();
    if !u.versions.is_empty() {
        versions.push_str("<h2>Protocol versions <small>/ Версии протокола / Протоколдун версиялары</small></h2><div class=\"wide\"><table><tr><th>version</th><th>source</th>");
        for c in &u.choices {
            versions.push_str(&format!("<th>{}</th>", text(&shorten(c, 14))));
        }
        versions.push_str("</tr>");
        let mut previous: Option<&model::Protocol> = None;
        for p in &u.versions {
            versions.push_str(&format!(
                "<tr><td>{}</td><td>{}</td>",
                p.version,
                text(p.source.key())
            ));
            for (k, v) in p.votes.iter().enumerate() {
                let changed = previous.is_some_and(|q| q.votes.get(k) != Some(v));
                if changed {
                    versions.push_str(&format!("<td><b>{v}</b></td>"));
                } else {
                    versions.push_str(&format!("<td>{v}</td>"));
                }
            }
            versions.push_str("</tr>");
            previous = Some(p);
        }
        versions.push_str("</table></div>");
    }
    let api = format!("/api{base}/units/{}", u.id);
    let logged = logged(u, check);
    let flag = match &u.flag {
        Ok(Some((f, rank, of))) => format!(
            "<h2>Forensic flags <small>/ Статистические признаки / Статистикалык белгилер</small></h2><p>Score {:.1}: rank {rank} of {of} stations \
(turnout {:.1}%, robust z {:.1}; leader's share {:.1}%, robust z {:.1}{}{}). A flag is a reason to look, not evidence of \
fraud: see <a href=\"/elections/{}/forensics\">the forensic report</a>.</p>",
            f.score,
            f.turnout_pct,
            f.turnout_z,
            f.leader_pct,
            f.leader_z,
            if f.whole().is_empty() { String::new() } else { format!("; whole percentages: {}", f.whole()) },
            if f.impossible { "; <b>impossible counts</b>" } else { "" },
            urlencode(name)
        ),
        Err(why) if u.level == model::UnitLevel::Station => format!(
            "<p><small>No forensic flags: {}.</small></p>",
            text(why)
        ),
        _ => String::new(),
    };
    let annulled = if u.annulled {
        "<p><strong>Annulled by the commission: not counted. / Итоги отменены.</strong></p>"
    } else {
        ""
    };
    page(
        &format!("{name}: {}", u.path.last().map_or("country", |x| x.1.as_str())),
        &format!(
            "<p>{crumbs}</p><h1>{} <small>({})</small></h1>{annulled}<p>{}. {total} votes. {}</p>{table}{children}{versions}{flag}{logged}<p><small>JSON: <a href=\"{a}\">{a}</a></small></p>",
            text(u.path.last().map_or(name, |x| x.1.as_str())),
            text(u.level.key()),
            coverage(&u.totals),
            turnout(&u.totals),
            a = html_escape::encode_double_quoted_attribute(&api)
        ),
    )
}

/// The log entries about a unit, each with its leaf hash and inclusion proof, the command
/// that checks the proof, and the check of a station in the browser.
fn logged(u: &crate::data::UnitView, check: Option<&crate::check::StationCheck>) -> String {
    if u.logged.is_empty() {
        return String::new();
    }
    let (size, root) = (u.log.0, u.log.1.hex());
    let signed = match &u.checkpoint {
        Some(c) if c.size == size => format!(
            "The log's checkpoint for this size, signed by the log key (see <a href=\"/verify\">the log</a> for the key and how to check everything):</p><pre id=\"checkpoint-note\">{}</pre><p>",
            text(&c.note)
        ),
        _ => "This service signs no checkpoint of its log: these proofs are against an unsigned root.</p><p>".to_string(),
    };
    let mut out = format!(
        "<h2>In the log <small>/ В журнале / Журналда</small></h2><p>The entries about this unit in the election's log (size {size}, root <code>{root}</code>), each with its inclusion proof (RFC 6962). {signed}Check a proof with <code>tallyproof log verify-inclusion</code>.</p><div class=\"wide\"><table><tr><th>entry</th><th>when</th><th>what</th><th>leaf hash, proof</th></tr>"
    );
    for l in &u.logged {
        let proof: Vec<String> = l.proof.iter().map(|h| h.hex()).collect();
        // When the act that logged it was made, by the staff entry before it ("—": imported).
        let when = l.made_at.map_or("—".to_string(), |t| t.to_string());
        out.push_str(&format!(
            "<tr><td>{}</td><td>{when}</td><td>{}</td><td><details><summary><code>{}</code></summary><pre>tallyproof log verify-inclusion \\\n  --leaf-hash {} --index {} --size {size} \\\n  --root {root} \\\n  --proof {}</pre></details></td></tr>",
            l.index,
            text(&crate::data::describe(&l.about)),
            &l.leaf.hex()[..16],
            l.leaf.hex(),
            l.index,
            proof.join(",")
        ));
    }
    out.push_str("</table></div>");
    if let Some(c) = check {
        out.push_str(&crate::check::section(c));
    }
    out
}

/// The page about the elections' logs: the log key, each election's signed checkpoint and
/// how to check it from anywhere (`base` is this service's URL as the reader reached it).
pub fn verify(
    logs: &[(String, Option<readmodel::Signed>)],
    key: Option<&translog::note::NoteVerifier>,
    base: &str,
) -> String {
    let Some(key) = key else {
        return page(
            "tallyproof: the log",
            "<p><a href=\"/\">elections</a></p><h1>The log <small>/ Журнал</small></h1><p>This service signs no log.</p>",
        );
    };
    let mut rows = String::new();
    for (name, signed) in logs {
        let url = format!("{base}/elections/{}/log/", urlencode(name));
        let cp = signed.as_ref().map_or_else(
            || "(not loaded yet)".to_string(),
            |c| format!("<pre>{}</pre>", text(&c.note)),
        );
        rows.push_str(&format!(
            "<h2>{}</h2>{cp}<pre>tallyproof verify {} --key LOGKEY</pre>",
            text(name),
            text(&url)
        ));
    }
    page(
        "tallyproof: the log",
        &format!(
            "<p><a href=\"/\">elections</a></p><h1>The log <small>/ Журнал</small></h1>\
<p>Every protocol, correction, decision, complaint, publication and audit step of an election is an entry of its \
append-only Merkle log (RFC 6962 hashing, served as C2SP tlog-tiles). The service signs a new checkpoint of the log \
after every write, before any page shows it. The log key:</p><pre>{}</pre>\
<p>Its fingerprint (the first 128 bits of the SHA-256 of the key): <b><code>{}</code></b></p>\
<p>Take the key or its fingerprint from a channel you trust (the commission's notice, the copy posted at a polling station, a newspaper), \
not only from this page: a server that lied could show another. Each station's page checks that station in your browser against the fingerprint you give. Then check a log, its every entry, and every \
publication's totals and seats with <code>tallyproof verify</code> (pass your key as LOGKEY) or with the independent \
Python verifier (<code>verifier/verify.py</code>). Save the checkpoint: a later one must be consistent with it \
(<code>--saved</code>).</p>{rows}",
            text(&key.text()),
            key.fingerprint()
        ),
    )
}

/// Colours for parties with seats, in seat order.
const COLOURS: [&str; 10] = [
    "#3a6ea5", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#2c4d75", "#772c2a",
    "#5f7530", "#4d3b62",
];

/// The seat allocation page: a hemicycle of the seats, each party's votes, threshold tests
/// and seats, and the closest margins.
pub fn seats(a: &crate::data::Allocation, name: &str, law: &str) -> String {
    let (p, o, m) = (&a.problem, &a.outcome, &a.margins);
    let mut holders: Vec<usize> = (0..o.parties.len())
        .filter(|&i| o.parties[i].seats > 0)
        .collect();
    holders.sort_by_key(|&i| std::cmp::Reverse(o.parties[i].seats));
    let colour = |k: usize| COLOURS[k % COLOURS.len()];
    let mut seat_colours = Vec::new();
    for (k, &i) in holders.iter().enumerate() {
        seat_colours.extend(std::iter::repeat_n(colour(k), o.parties[i].seats as usize));
    }
    let svg = hemicycle(&seat_colours);
    let mut table = String::from(
        "<table><tr><th>party / партия</th><th>votes</th><th>national threshold</th><th>regional threshold</th><th>seats / места / мандаттар</th></tr>",
    );
    let mut order: Vec<usize> = (0..o.parties.len()).collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(o.parties[i].seats),
            std::cmp::Reverse(o.parties[i].votes),
        )
    });
    for i in order {
        let x = &o.parties[i];
        let swatch = holders
            .iter()
            .position(|&h| h == i)
            .map_or(String::new(), |k| {
                format!("<span style=\"color:{}\">&#9679;</span> ", colour(k))
            });
        table.push_str(&format!(
            "<tr><td>{swatch}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            text(&x.name),
            x.votes,
            text(x.national.key()),
            text(x.regional.key()),
            x.seats
        ));
    }
    table.push_str("</table>");
    let mut margins = String::from("<ul>");
    if let Some(e) = &m.election {
        margins.push_str(&format!(
            "<li>The closest seat: {} ballots moved from {} to {} would move a seat.</li>",
            e.ballots,
            text(&p.parties[e.winner]),
            text(&p.parties[e.loser])
        ));
    }
    for t in m.thresholds.iter().take(3) {
        margins.push_str(&format!(
            "<li>{}: {} ballots would {} the {} threshold.</li>",
            text(&p.parties[t.party]),
            t.ballots,
            if t.passes {
                "take it below"
            } else {
                "carry it over"
            },
            text(&t.threshold)
        ));
    }
    margins.push_str("</ul>");
    let notes: String = a
        .notes
        .iter()
        .chain(&m.notes)
        .map(|n| format!("<li><small>{}</small></li>", text(n)))
        .collect();
    let api = format!(
        "/api/elections/{}/seats?law={}",
        urlencode(name),
        urlencode(law)
    );
    page(
        &format!("{name}: seats under {law}"),
        &format!(
            "<p><a href=\"/\">elections</a> · <a href=\"/elections/{n}\">results</a></p><h1>Seats <small>/ Распределение мест / Мандаттарды бөлүштүрүү</small>: {} under {}</h1><p>Computed from the {} count, the legal one: {}.</p>{svg}{table}<h2>Margins <small>/ Запас</small></h2>{margins}<ul>{notes}</ul><p><small>JSON: <a href=\"{a}\">{a}</a></small></p>",
            text(name),
            text(law),
            a.legal.key(),
            coverage(&a.country),
            n = urlencode(name),
            a = html_escape::encode_double_quoted_attribute(&api)
        ),
    )
}

/// A hemicycle of seats, coloured in order from left to right: rows of growing radius, each
/// with seats in proportion to its length.
fn hemicycle(colours: &[&str]) -> String {
    let n = colours.len();
    if n == 0 {
        return String::new();
    }
    let rows = ((n as f64 / 8.0).sqrt().ceil() as usize).max(1);
    let radii: Vec<f64> = (0..rows)
        .map(|r| 1.0 + r as f64 * 0.9 / rows.max(2) as f64 * 1.6)
        .collect();
    let total: f64 = radii.iter().sum();
    let mut per_row: Vec<usize> = radii
        .iter()
        .map(|r| ((n as f64) * r / total).floor() as usize)
        .collect();
    let mut k = rows;
    while per_row.iter().sum::<usize>() < n {
        k = if k == 0 { rows - 1 } else { k - 1 };
        per_row[k] += 1;
    }
    let mut seats: Vec<(f64, f64, f64)> = Vec::with_capacity(n);
    for (r, &count) in radii.iter().zip(&per_row) {
        for j in 0..count {
            let angle = if count == 1 {
                std::f64::consts::FRAC_PI_2
            } else {
                std::f64::consts::PI * (1.0 - j as f64 / (count - 1) as f64)
            };
            seats.push((angle, r * angle.cos(), r * angle.sin()));
        }
    }
    seats.sort_by(|a, b| b.0.total_cmp(&a.0));
    let scale = 150.0 / radii.last().copied().unwrap_or(1.0);
    let dot = (scale * 0.9 / rows as f64).clamp(2.0, 9.0);
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"340\" height=\"180\" role=\"img\" aria-label=\"seats\">",
    );
    for ((_, x, y), c) in seats.iter().zip(colours) {
        svg.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"{c}\"/>",
            170.0 + x * scale,
            170.0 - y * scale,
            dot * 0.45
        ));
    }
    svg.push_str("</svg>");
    svg
}

pub(crate) fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Percent-encodes a path segment.
pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Machine count versus manual count: national and per-unit totals side by side, the
/// differences, and the seats each count gives.
pub fn counts(c: &crate::data::Counts, name: &str) -> String {
    let n = urlencode(name);
    let Some((_, national)) = c.rows.first() else {
        return page("tallyproof", "<p>No results.</p>");
    };
    let mut table = String::from(
        "<table><tr><th>choice / выбор / тандоо</th><th>manual count / ручной подсчёт / кол менен эсептөө</th>\
<th>machine count / КЭУ (АСУ)</th><th>difference / разница</th></tr>",
    );
    for (i, choice) in c.choices.iter().enumerate() {
        let (m, a) = (national[0].votes[i], national[1].votes[i]);
        let d = a as i128 - m as i128;
        let diff = if d == 0 {
            "0".to_string()
        } else {
            format!("<b>{d:+}</b>")
        };
        table.push_str(&format!(
            "<tr><td>{}</td><td>{m}</td><td>{a}</td><td>{diff}</td></tr>",
            text(choice)
        ));
    }
    table.push_str("</table>");
    let p = &c.coverage;
    let coverage = format!(
        "<p><b>Compared at {} of {} counted stations</b>: those with both counts. {} have the manual count only, {} the machine count only; they are left out of this comparison. \
The official results use the {} count, the legal one; the other is shown here beside it and never replaces it.</p>",
        thousands(p.both),
        thousands(p.stations),
        thousands(p.manual_only),
        thousands(p.machine_only),
        c.legal.key()
    );
    // Nothing to compare: no table of zeros that could be read as results.
    if p.both == 0 {
        table = "<p>No station has both counts yet: there is nothing to compare.</p>".to_string();
    }
    let seat_cell = |s: &Result<Vec<(String, u64)>, String>, party: &str| match s {
        Ok(v) => v
            .iter()
            .find(|(p, _)| p == party)
            .map_or("0".to_string(), |(_, k)| k.to_string()),
        Err(_) => "–".into(),
    };
    let parties: Vec<&String> = match (&c.seats[0], &c.seats[1]) {
        (Ok(v), _) | (Err(_), Ok(v)) => v.iter().map(|(p, _)| p).collect(),
        _ => Vec::new(),
    };
    let mut seats = String::from(
        "<table><tr><th>party / партия</th><th>seats, manual</th><th>seats, machine</th></tr>",
    );
    for p in &parties {
        let (m, a) = (seat_cell(&c.seats[0], p), seat_cell(&c.seats[1], p));
        let mark = if m != a {
            " style=\"font-weight:bold\""
        } else {
            ""
        };
        seats.push_str(&format!(
            "<tr{mark}><td>{}</td><td>{m}</td><td>{a}</td></tr>",
            text(p)
        ));
    }
    seats.push_str("</table>");
    for (s, label) in c.seats.iter().zip(["manual", "machine"]) {
        if let Err(why) = s {
            seats.push_str(&format!(
                "<p><small>No seats from the {label} count: {}.</small></p>",
                text(why)
            ));
        }
    }
    let mut units = String::from(
        "<table><tr><th>unit / единица</th><th>votes, manual</th><th>votes, machine</th><th>difference</th></tr>",
    );
    for (path, t) in c.rows.iter().skip(1) {
        let (m, a): (u64, u64) = (t[0].votes.iter().sum(), t[1].votes.iter().sum());
        units.push_str(&format!(
            "<tr><td>{}</td><td>{m}</td><td>{a}</td><td>{:+}</td></tr>",
            text(&path.join(" / ")),
            a as i128 - m as i128
        ));
    }
    units.push_str("</table>");
    if c.coverage.both == 0 {
        units.clear();
    }
    page(
        &format!("{name}: machine and manual counts"),
        &format!(
            "<p><a href=\"/elections/{n}\">results</a> · <a href=\"/elections/{n}/seats\">seats</a></p>\
<h1>Machine count and manual count <small>/ Машинный и ручной подсчёт / Автоматтык жана кол менен эсептөө</small></h1>\
<p>Each station's latest protocol of each kind: the ballot scanners' count (Kyrgyz АСУ/КЭУ) and the commission's \
count by hand. On 5 October 2020 the manual count from most precincts put a different set of parties over the \
threshold than the machine count had. Annulled stations are left out of both.</p>{coverage}{table}\
<h2>Seats under {} <small>/ Места / Мандаттар</small></h2>{seats}<h2>By unit <small>/ По единицам</small></h2>{units}\
<p><small>JSON: <a href=\"/api/elections/{n}/counts?law={l}\">/api/elections/{n}/counts?law={l}</a></small></p>",
            text(c.law.as_deref().unwrap_or("no law")),
            l = urlencode(c.law.as_deref().unwrap_or("")),
        ),
    )
}

/// The re-votes beside what they replace.
pub fn revotes(list: &[crate::data::Revote], name: &str) -> String {
    let mut body = format!(
        "<p><a href=\"/elections/{}\">results</a></p><h1>Re-votes <small>/ Повторное голосование / Кайра добуш берүү</small></h1>",
        urlencode(name)
    );
    if list.is_empty() {
        body.push_str("<p>No re-vote is linked to this election.</p>");
    }
    for r in list {
        body.push_str(&format!(
            "<h2>{} <small>in</small> {}</h2><p>The re-vote <a href=\"/elections/{}\">{}</a> of <a href=\"/elections/{}\">{}</a>: \
the annulled results of the unit are kept and shown beside the re-vote's. {} of {} stations have reported in the re-vote.</p>\
<table><tr><th>choice / выбор / тандоо</th><th>annulled vote</th><th>re-vote</th></tr>",
            text(&r.election),
            text(&r.unit),
            urlencode(&r.election),
            text(&r.election),
            urlencode(&r.parent),
            text(&r.parent),
            r.after.reporting,
            r.after.stations
        ));
        for (i, c) in r.choices.iter().enumerate() {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                text(c),
                r.before.votes.get(i).copied().unwrap_or(0),
                r.after.votes.get(i).copied().unwrap_or(0)
            ));
        }
        body.push_str("</table>");
    }
    page(&format!("{name}: re-votes"), &body)
}

/// The audits: each one's progress, verdict and the risk of every assertion.
pub fn audits(list: &[Result<audit::logged::Report, String>], name: &str) -> String {
    let mut body = format!(
        "<p><a href=\"/elections/{}\">results</a></p><h1>Risk-limiting audits <small>/ Аудит</small></h1>\
<p>Each audit checks the seat allocation against the paper ballots; its state is recomputed here from the log's \
audit entries (the seed, the rounds, every reading), as <code>tallyproof audit status --log DIR</code> does for an \
observer.</p>",
        urlencode(name)
    );
    if list.is_empty() {
        body.push_str("<p>No audit has been started.</p>");
    }
    for r in list {
        let r = match r {
            Ok(r) => r,
            Err(why) => {
                body.push_str(&format!("<p>{}</p>", text(why)));
                continue;
            }
        };
        let unit = if r.method == "batch" {
            "stations counted"
        } else {
            "ballots read"
        };
        let of = if r.method == "batch" {
            r.stations
        } else {
            r.ballots
        };
        body.push_str(&format!(
            "<h2>{} <small>({}, risk limit {}%)</small></h2><p><strong>{}</strong></p>\
<p>{} of {of} {unit} in {} round(s){}; seed <code>{}</code>.</p>",
            text(&r.audit),
            text(r.method),
            text(&r.risk_limit_percent),
            text(&r.verdict),
            r.audited,
            r.rounds.len(),
            if r.method == "comparison" {
                format!(", {} discrepancies", r.discrepancies)
            } else {
                String::new()
            },
            text(&r.seed)
        ));
        let mut risks = r.assertions.clone();
        risks.sort_by(|x, y| y.p_value.total_cmp(&x.p_value));
        body.push_str(
            "<table><tr><th>assertion</th><th>risk (p-value)</th><th>progress</th><th></th></tr>",
        );
        for x in &risks {
            // Progress towards the risk limit on a log scale: 1 = p down to the limit.
            let limit: f64 = r.risk_limit_percent.parse::<f64>().unwrap_or(5.0) / 100.0;
            let done = if x.p_value <= limit {
                1.0
            } else {
                (x.p_value.ln() / limit.ln()).clamp(0.0, 1.0)
            };
            let w = (done * 120.0).round();
            body.push_str(&format!(
                "<tr><td>{}</td><td>{:.6}</td><td><svg width=\"122\" height=\"12\"><rect x=\"0\" y=\"1\" width=\"120\" height=\"10\" fill=\"#eee\"/>\
<rect x=\"0\" y=\"1\" width=\"{w}\" height=\"10\" fill=\"{}\"/></svg></td><td>{}</td></tr>",
                text(&x.label),
                x.p_value,
                if x.confirmed { "#2ca02c" } else { "#3a6ea5" },
                if x.confirmed { "confirmed" } else { "open" }
            ));
        }
        body.push_str("</table>");
    }
    page(&format!("{name}: audits"), &body)
}
