//! A deployment's incident categories (`serve --incident-categories FILE`, issue 20): the
//! categories an observer group's reporters choose from, in the order its form lists them,
//! each with its name in the pages' languages. TOML, one table per category, keyed by the
//! category's key as the log writes it (`docs/formats.md`, "Incident categories"):
//!
//! ```toml
//! [vote-buying]
//! en = "Vote buying"
//! ru = "Подкуп избирателей"
//! # ky is optional: a Kyrgyz page shows the Russian, marked, without it
//! ky = "Шайлоочуларды сатып алуу"
//! ```

use serde::Deserialize;

use crate::contest::toml_table;
use crate::FormatError;

/// The most categories a deployment offers (a form's list must stay usable on a phone).
pub const MAX_CATEGORIES: usize = 40;
/// The longest name of a category, in characters.
pub const MAX_NAME: usize = 80;

/// A category: its key in the log and its names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Its key (filled from the table's name).
    #[serde(skip)]
    pub key: String,
    /// Its name in English.
    pub en: String,
    /// Its name in Russian.
    pub ru: String,
    /// Its name in Kyrgyz, where a sourced term exists.
    #[serde(default)]
    pub ky: Option<String>,
}

/// Reads a categories file: at least one category and at most [`MAX_CATEGORIES`], each key
/// a category key (`record::is_category`), each name 1 to [`MAX_NAME`] characters of one
/// line. Errors name the file, and the line and column or the category and its field.
pub fn read(file: &str, text: &str) -> Result<Vec<Category>, FormatError> {
    let table = toml_table(file, text)?;
    if table.is_empty() || table.len() > MAX_CATEGORIES {
        return Err(FormatError::file(
            file,
            format!(
                "{} categories: a deployment offers 1 to {MAX_CATEGORIES}",
                table.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(table.len());
    for (key, value) in table {
        let at = |field: Option<&str>, m: String| {
            let f = field.map_or(key.clone(), |f| format!("{key}.{f}"));
            FormatError::at(file, None, None, Some(&f), m)
        };
        if !record::is_category(&key) {
            return Err(at(
                None,
                "a category's key is 1 to 40 lower-case letters, digits and '-'".into(),
            ));
        }
        let mut c: Category = value.try_into().map_err(|e: toml::de::Error| {
            at(
                None,
                format!(
                    "{}: each category has en, ru and, optionally, ky",
                    e.message()
                ),
            )
        })?;
        for (field, name) in [
            ("en", Some(&c.en)),
            ("ru", Some(&c.ru)),
            ("ky", c.ky.as_ref()),
        ] {
            let Some(name) = name else { continue };
            let n = name.trim().chars().count();
            if n == 0 || n > MAX_NAME || name.chars().any(char::is_control) {
                return Err(at(
                    Some(field),
                    format!("a name is 1 to {MAX_NAME} characters on one line"),
                ));
            }
        }
        c.key = key;
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_gives_its_categories_in_its_order() {
        let text = "[vote-buying]\nen = \"Vote buying\"\nru = \"Подкуп\"\n\n\
                    [queue-jumping]\nen = \"Queue jumping\"\nru = \"Очередь\"\nky = \"Кезек\"\n";
        let got = read("c.toml", text).unwrap();
        assert_eq!(
            got.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
            ["vote-buying", "queue-jumping"]
        );
        assert_eq!(got[0].ky, None);
        assert_eq!(got[1].ky.as_deref(), Some("Кезек"));
    }

    #[test]
    fn a_bad_file_is_refused_naming_where() {
        let cases = [
            ("", "c.toml: 0 categories"),
            ("[a\n", "c.toml:1:3"),
            (
                "[Vote]\nen = \"x\"\nru = \"y\"\n",
                "c.toml (Vote): a category's key",
            ),
            ("[a]\nen = \"x\"\n", "c.toml (a): missing field `ru`"),
            (
                "[a]\nen = \"x\"\nru = \"y\"\nfr = \"z\"\n",
                "c.toml (a): unknown field `fr`",
            ),
            (
                "[a]\nen = \" \"\nru = \"y\"\n",
                "c.toml (a.en): a name is 1 to 80",
            ),
            (
                "[a]\nen = \"x\"\nru = \"y\\nz\"\n",
                "c.toml (a.ru): a name is 1 to 80",
            ),
            ("a = 1\n", "c.toml (a): invalid type"),
        ];
        for (text, want) in cases {
            let e = read("c.toml", text).unwrap_err().to_string();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
        let many: String = (0..41)
            .map(|i| format!("[c{i}]\nen = \"x\"\nru = \"y\"\n"))
            .collect();
        assert!(read("c.toml", &many)
            .unwrap_err()
            .to_string()
            .starts_with("c.toml: 41 categories"));
    }
}
