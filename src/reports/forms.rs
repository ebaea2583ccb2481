//! The committee's text of its monthly report as typed, and its parse into what the store
//! saves. Pure: no database.

use serde::{Deserialize, Serialize};

use crate::web::FieldErrors;

/// The supervisor's text of a monthly report, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SummaryForm {
    pub summary: String,
    pub version: String,
}

/// The text to save (trimmed, possibly empty) and the version of the report the form was
/// built from (`None`: the report had not been saved yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub text: String,
    pub version: Option<i32>,
}

/// The longest text a report takes.
const MAX_CHARS: usize = 20_000;

impl SummaryForm {
    pub fn parse(&self) -> Result<Summary, FieldErrors> {
        let errors = FieldErrors::control_chars(self);
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = self.summary.trim();
        if text.chars().count() > MAX_CHARS {
            return Err(FieldErrors::one(
                "summary",
                "Phần nhận xét dài quá 20.000 ký tự.",
            ));
        }
        Ok(Summary {
            text: text.to_owned(),
            version: self.version.trim().parse().ok(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_trimmed_and_at_most_twenty_thousand_characters() {
        let form = SummaryForm {
            summary: "  Các chi bộ duy trì sinh hoạt đều.\n".into(),
            version: " 2 ".into(),
        };
        assert_eq!(
            form.parse().ok(),
            Some(Summary {
                text: "Các chi bộ duy trì sinh hoạt đều.".into(),
                version: Some(2),
            })
        );
        let first = SummaryForm::default().parse().unwrap();
        assert_eq!((first.text.as_str(), first.version), ("", None));
        let long = SummaryForm {
            summary: "ệ".repeat(MAX_CHARS + 1),
            version: String::new(),
        };
        assert_eq!(
            long.parse().unwrap_err().get("summary"),
            Some("Phần nhận xét dài quá 20.000 ký tự.")
        );
        let exactly = SummaryForm {
            summary: "ệ".repeat(MAX_CHARS),
            version: String::new(),
        };
        assert!(exactly.parse().is_ok());
    }
}
