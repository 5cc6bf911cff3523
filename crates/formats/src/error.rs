//! The formats crate's one error type.

use std::fmt;

use model::names::shown;

/// Where in a file something was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file's name as the user gave it.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column (field number in CSV, character in JSON), when known.
    pub column: Option<u64>,
    /// The column's header name or the JSON field's path, when known.
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if let Some(name) = &self.field {
            write!(f, " ({})", shown(name))?;
        }
        Ok(())
    }
}

/// Why an import or export failed. A failed import has imported nothing: the caller discards
/// whatever its sink received.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The input is malformed at a known place.
    #[error("{at}: {message}")]
    Invalid {
        /// Where.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// The sink refused a protocol (e.g. the store failed).
    #[error("{at}: {error}")]
    Sink {
        /// The row being imported.
        at: Location,
        /// The sink's error, said in this one's message (not as its source as well, so that
        /// a chain of causes does not say it twice).
        error: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Writing an export failed.
    #[error("cannot write {what}: {message}")]
    Write {
        /// What was being written.
        what: String,
        /// Why.
        message: String,
    },
}

impl FormatError {
    /// An error at a file, line, column and named field.
    pub fn at(
        file: &str,
        line: Option<u64>,
        column: Option<u64>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> FormatError {
        FormatError::Invalid {
            at: Location {
                file: file.to_string(),
                line,
                column,
                field: field.map(str::to_string),
            },
            message: message.into(),
        }
    }

    /// An error about the whole file.
    pub fn file(file: &str, message: impl Into<String>) -> FormatError {
        FormatError::at(file, None, None, None, message)
    }
}

/// A problem that does not stop the import, e.g. an impossible attribute value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where.
    pub at: Location,
    /// What is odd.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {}: {}", self.at, self.message)
    }
}
