//! Server-rendered pages: plain HTML with inline SVG, readable without JavaScript, labels in
//! English and Russian.

use formats::report::Report;
use html_escape::encode_text as text;

/// The page frame.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{t}</title><style>body{{font:15px/1.4 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}\
table{{border-collapse:collapse}}td,th{{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:right}}\
td:first-child,th:first-child{{text-align:left}}small{{color:#555}}</style></head><body>{body}</body></html>",
        t = text(title)
    )
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
            "<h1>Elections <small>/ Выборы</small></h1><table><tr><th>election</th><th>stations</th><th>protocol versions</th><th>source</th></tr>{rows}</table>\
<p><small>JSON: <a href=\"/api/elections\">/api/elections</a>; the API is described in <a href=\"/openapi.json\">/openapi.json</a>.</small></p>"
        ),
    )
}

/// The results page of an election: the national totals as a table and a bar chart, then
/// each unit at the report's level.
pub fn results(r: &Report, name: &str) -> String {
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
    let (bar_h, width) = (22u64, 640u64);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" role=\"img\" aria-label=\"votes by choice\">",
        bar_h * order.len() as u64 + 4
    );
    let mut table = String::from(
        "<table><tr><th>choice / выбор</th><th>votes / голоса</th><th>% of votes</th></tr>",
    );
    for (k, &i) in order.iter().enumerate() {
        let v = t.votes.get(i).copied().unwrap_or(0);
        let w = (v as f64 / max as f64 * 380.0).round();
        let y = k as u64 * bar_h;
        svg.push_str(&format!(
            "<rect x=\"250\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"#3a6ea5\"/><text x=\"245\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"12\">{:.2}%</text>",
            y + 3,
            bar_h - 6,
            y + 16,
            text(&shorten(&r.choices[i], 36)),
            255.0 + w,
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
    let mut units =
        String::from("<table><tr><th>unit / участок</th><th>stations</th><th>votes</th></tr>");
    for row in r.rows.iter().skip(1) {
        units.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            text(&row.path.join(" / ")),
            row.totals.stations,
            row.totals.votes.iter().sum::<u64>()
        ));
    }
    units.push_str("</table>");
    let api = format!("/api/elections/{}/results", urlencode(name));
    page(
        &format!("{name}: results"),
        &format!(
            "<p><a href=\"/\">elections</a></p><h1>{} <small>/ Результаты</small></h1>\
<p>{} of {} stations reporting / участков: {} из {}. {} votes.</p>{svg}{table}<h2>By unit <small>/ По единицам</small></h2>{units}\
<p><small>JSON: <a href=\"{a}\">{a}</a></small></p>",
            text(&r.contest),
            t.reporting,
            t.stations,
            t.reporting,
            t.stations,
            total,
            a = html_escape::encode_double_quoted_attribute(&api)
        ),
    )
}

fn shorten(s: &str, n: usize) -> String {
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
