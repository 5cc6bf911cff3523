//! Plain-text tables of a results report for the terminal.

use std::io::Write;

use formats::report::{Report, TURNOUT_DEFINITION};
use model::Line;
use tabulate::ShareBase;

fn cut(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        format!("{s:<width$}")
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// Writes the units table, then the choices table.
pub fn render<W: Write>(out: &mut W, r: &Report, base: ShareBase) -> std::io::Result<()> {
    writeln!(out, "Election: {}   Contest: {}", r.election, r.contest)?;
    if let Some(i) = &r.input {
        writeln!(
            out,
            "Input: {} rows, {} protocols, {} stations did not report, {} control-relation errors, {} warnings (see `tallyproof check`)",
            i.rows, i.protocols, i.not_reported, i.errors, i.warnings
        )?;
    }
    writeln!(out, "Turnout = {TURNOUT_DEFINITION}.")?;
    writeln!(out, "Shares are of {} ballots/votes.", base.key())?;
    writeln!(out)?;
    let name_w = 28;
    writeln!(
        out,
        "{} {:>9} {:>9} {:>11} {:>8} {:>11} {:>9}  leader",
        cut("unit", name_w),
        "stations",
        "reporting",
        "registered",
        "turnout",
        "valid",
        "invalid"
    )?;
    for row in &r.rows {
        let t = &row.totals;
        let name = if row.path.is_empty() {
            "(country)".to_string()
        } else {
            row.path.join(" / ")
        };
        let leader = t
            .leader()
            .map(|i| {
                let share = t
                    .share(i, base)
                    .map_or_else(|| "-".into(), |s| format!("{}%", s.percent(2)));
                format!("{} {share}", cut(&r.choices[i], 24).trim_end())
            })
            .unwrap_or_default();
        writeln!(
            out,
            "{} {:>9} {:>9} {:>11} {:>8} {:>11} {:>9}  {}",
            cut(&name, name_w),
            t.stations,
            t.reporting,
            opt(t.line(Line::Registered)),
            t.turnout()
                .map_or_else(|| "-".into(), |x| format!("{}%", x.percent(2))),
            opt(t.line(Line::Valid)),
            opt(t.line(Line::Invalid)),
            leader
        )?;
    }
    writeln!(out)?;
    let columns: Vec<_> = r
        .rows
        .iter()
        .take(if r.rows.len() <= 12 { r.rows.len() } else { 1 })
        .collect();
    let choice_w = 34;
    write!(out, "{} {:>10}", cut("choice", choice_w), "votes")?;
    for row in &columns {
        let label = row.path.last().map_or("country", String::as_str);
        write!(out, " {:>8}", cut(label, 8).trim_end())?;
    }
    writeln!(out)?;
    let country = &r.rows[0].totals;
    for (i, c) in r.choices.iter().enumerate() {
        write!(out, "{} {:>10}", cut(c, choice_w), country.votes[i])?;
        for row in &columns {
            let s = row
                .totals
                .share(i, base)
                .map_or_else(|| "-".into(), |s| s.percent(2));
            write!(out, " {s:>8}")?;
        }
        writeln!(out)?;
    }
    if r.rows.len() > 12 {
        writeln!(
            out,
            "({} units: shares by unit are in --csv and --json)",
            r.rows.len() - 1
        )?;
    }
    Ok(())
}
