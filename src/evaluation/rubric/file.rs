//! A rubric as a file: read from JSON or TOML, written to either.

use super::document::Rubric;

impl Rubric {
    /// Reads a rubric file: JSON when it starts with `{`, TOML otherwise.
    pub fn parse_file(text: &str) -> Result<Self, String> {
        let t = text.trim_start_matches('\u{feff}').trim();
        if t.is_empty() {
            return Err("Tệp trống.".into());
        }
        if t.starts_with('{') {
            serde_json::from_str(t).map_err(|e| format!("Tệp JSON không đúng mẫu: {e}"))
        } else {
            toml::from_str(t).map_err(|e| format!("Tệp TOML không đúng mẫu: {e}"))
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a rubric serialises")
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a rubric serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::rubric::tests::sample;

    #[test]
    fn the_sample_is_valid_and_round_trips_through_both_formats() {
        let r = sample();
        assert_eq!(r.validate(), vec![]);
        assert_eq!(Rubric::parse_file(&r.to_json()).unwrap(), r);
        assert_eq!(Rubric::parse_file(&r.to_toml()).unwrap(), r);
    }
}
