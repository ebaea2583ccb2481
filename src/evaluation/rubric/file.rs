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

    #[test]
    fn provenance_round_trips_through_both_formats() {
        use crate::evaluation::rubric::{Confidence, Provenance};
        let r = sample();
        assert_eq!(
            r.groups[0].provenance,
            Provenance {
                confidence: Confidence::Secondary,
                source: "Một bản tóm tắt (thử)".into()
            }
        );
        assert_eq!(
            r.groups[0].criteria[0].provenance.confidence,
            Confidence::Official
        );
        assert_eq!(r.bands[0].provenance.confidence, Confidence::Assumed);
        assert_eq!(r.gates[0].provenance.source, "Đảng ủy Khối Bình Thuận");
        for text in [r.to_json(), r.to_toml()] {
            assert!(
                text.contains("secondary") && text.contains("Điều 3"),
                "{text}"
            );
            let back = Rubric::parse_file(&text).unwrap();
            assert_eq!(back, r);
            // parse → serialise → parse again is the same document.
            assert_eq!(Rubric::parse_file(&back.to_json()).unwrap(), r);
            assert_eq!(Rubric::parse_file(&back.to_toml()).unwrap(), r);
        }
    }

    #[test]
    fn a_document_without_provenance_reads_as_assumed_with_no_source() {
        use crate::evaluation::rubric::Confidence;
        let mut json: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        for g in json["groups"].as_array_mut().unwrap() {
            g.as_object_mut().unwrap().remove("provenance");
            for c in g["criteria"].as_array_mut().unwrap() {
                c.as_object_mut().unwrap().remove("provenance");
            }
        }
        for key in ["bands", "gates"] {
            for b in json[key].as_array_mut().unwrap() {
                b.as_object_mut().unwrap().remove("provenance");
            }
        }
        let old = Rubric::parse_file(&json.to_string()).unwrap();
        assert!(
            old.provenances()
                .all(|p| p.confidence == Confidence::Assumed && p.source.is_empty())
        );
        assert!(old.has_assumed());
        assert_eq!(old.validate(), vec![], "an old file still imports");
    }
}
