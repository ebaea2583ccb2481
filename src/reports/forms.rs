//! The committee's text of its monthly report as typed, and its parse into what the store
//! saves. Pure: no database.

use serde::{Deserialize, Serialize};

use crate::documents::SignerTitle;
use crate::web::FieldErrors;

/// The supervisor's text of a monthly report, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SummaryForm {
    pub summary: String,
    pub version: String,
    /// Who signs for the committee: the post's code and the name ("" where not said).
    pub signer_title: String,
    pub signer_name: String,
}

/// The text to save (trimmed, possibly empty) and the version of the report the form was
/// built from (`None`: the report had not been saved yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub text: String,
    pub version: Option<i32>,
    /// The signer, when a name is given.
    pub signer: Option<(SignerTitle, String)>,
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
        let name = self
            .signer_name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if name.chars().count() > 120 {
            return Err(FieldErrors::one(
                "signer_name",
                "Họ tên người ký dài quá 120 ký tự.",
            ));
        }
        let title = match self.signer_title.trim() {
            "" => SignerTitle::Secretary,
            code => SignerTitle::parse(code).ok_or_else(|| {
                FieldErrors::one("signer_title", "Vui lòng chọn chức vụ người ký.")
            })?,
        };
        Ok(Summary {
            text: text.to_owned(),
            version: self.version.trim().parse().ok(),
            signer: (!name.is_empty()).then_some((title, name)),
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
            ..Default::default()
        };
        assert_eq!(
            form.parse().ok(),
            Some(Summary {
                text: "Các chi bộ duy trì sinh hoạt đều.".into(),
                version: Some(2),
                signer: None,
            })
        );
        let first = SummaryForm::default().parse().unwrap();
        assert_eq!((first.text.as_str(), first.version), ("", None));
        let long = SummaryForm {
            summary: "ệ".repeat(MAX_CHARS + 1),
            ..Default::default()
        };
        assert_eq!(
            long.parse().unwrap_err().get("summary"),
            Some("Phần nhận xét dài quá 20.000 ký tự.")
        );
        let exactly = SummaryForm {
            summary: "ệ".repeat(MAX_CHARS),
            ..Default::default()
        };
        assert!(exactly.parse().is_ok());
    }

    #[test]
    fn the_signer_is_a_post_and_a_name_or_nobody() {
        let form = |title: &str, name: &str| SummaryForm {
            signer_title: title.into(),
            signer_name: name.into(),
            ..Default::default()
        };
        assert_eq!(
            form("deputy_secretary", "  Nguyễn   Văn An ")
                .parse()
                .unwrap()
                .signer,
            Some((SignerTitle::DeputySecretary, "Nguyễn Văn An".into()))
        );
        assert_eq!(
            form("", "Lê Thị Hoa").parse().unwrap().signer.unwrap().0,
            SignerTitle::Secretary
        );
        assert_eq!(form("secretary", "  ").parse().unwrap().signer, None);
        assert_eq!(
            form("chairman", "Lê Thị Hoa")
                .parse()
                .unwrap_err()
                .get("signer_title"),
            Some("Vui lòng chọn chức vụ người ký.")
        );
        assert!(form("secretary", &"a".repeat(121)).parse().is_err());
    }
}
