//! A spreadsheet row as the member form: the import's columns, the labels a person types
//! turned into codes, and the problems of every row, checked before the commit.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::*;

/// The import columns, in order, as the template writes them and the import expects them.
pub const COLUMNS: [&str; 10] = [
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Quê quán",
    "Điện thoại",
    "Số thẻ đảng viên",
    "Ngày kết nạp",
    "Ngày quyết định kết nạp",
    "Ngày công nhận chính thức",
    "Đảng viên",
];

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

impl MemberForm {
    /// A row as the member form: labels ("Nam", "Chính thức") turned into codes.
    pub fn from_cells(cells: &[String]) -> MemberForm {
        let cell = |i: usize| cells.get(i).cloned().unwrap_or_default();
        // The spreadsheet holds the labels a person types, with or without diacritics.
        let gender = match norm(&cell(1)).as_str() {
            "nam" => Gender::Male.as_str(),
            "nữ" | "nu" => Gender::Female.as_str(),
            _ => "",
        }
        .to_owned();
        let status = match norm(&cell(9)).as_str() {
            "chính thức" | "chinh thuc" => Status::Full.as_str(),
            "dự bị" | "du bi" => Status::Probationary.as_str(),
            _ => "",
        }
        .to_owned();
        MemberForm {
            full_name: cell(0),
            gender,
            birth_date: cell(2),
            hometown: cell(3),
            phone: cell(4),
            card_no: cell(5),
            admission_date: cell(6),
            admission_decision_date: cell(7),
            official_date: cell(8),
            status,
            version: 0,
        }
    }
}

/// The column a field of the member form is read from.
fn column_of(field: &str) -> &'static str {
    match field {
        "full_name" => COLUMNS[0],
        "gender" => COLUMNS[1],
        "birth_date" => COLUMNS[2],
        "hometown" => COLUMNS[3],
        "phone" => COLUMNS[4],
        "card_no" => COLUMNS[5],
        "admission_date" => COLUMNS[6],
        "admission_decision_date" => COLUMNS[7],
        "official_date" => COLUMNS[8],
        "status" => COLUMNS[9],
        _ => "",
    }
}

/// The problems of an import's rows, by line, as the preview lists them: the form's checks
/// and card numbers repeated in the file; then, from the registry, card numbers held by
/// someone already (`taken`).
#[derive(Debug, Default)]
pub struct RowCheck {
    pub problems: HashMap<usize, Vec<String>>,
    /// Each card number of the file, by the first line that holds it.
    cards: HashMap<String, usize>,
}

impl RowCheck {
    /// Checks the rows to import (line, cells); skipped rows are left out by the caller.
    pub fn of<'a>(rows: impl IntoIterator<Item = (usize, &'a [String])>, today: NaiveDate) -> Self {
        let mut check = RowCheck::default();
        for (line, cells) in rows {
            match MemberForm::from_cells(cells).parse(today) {
                Err(errors) => {
                    let list = check.problems.entry(line).or_default();
                    // Each column's own message; the form-wide line is for a page.
                    for (field, message) in errors.iter().filter(|(f, _)| *f != "form") {
                        let message = match field {
                            "gender" => "Giới tính phải là Nam hoặc Nữ.",
                            "status" => "Cột Đảng viên phải là Chính thức hoặc Dự bị.",
                            _ => message,
                        };
                        list.push(format!("{}: {message}", column_of(field)));
                    }
                }
                Ok(rec) => {
                    if let Some(card) = rec.card_no {
                        if let Some(first) = check.cards.get(&card) {
                            check
                                .problems
                                .entry(line)
                                .or_default()
                                .push(format!("{}: trùng với dòng {first}.", COLUMNS[5]));
                        } else {
                            check.cards.insert(card, line);
                        }
                    }
                }
            }
        }
        check
    }

    /// The card numbers the registry must be asked about.
    pub fn cards(&self) -> Vec<String> {
        self.cards.keys().cloned().collect()
    }

    /// `card` is held by `holder` already (named only if the user may see them): a problem
    /// of the line that holds it.
    pub fn taken(&mut self, card: &str, holder: Option<&str>) {
        if let Some(line) = self.cards.get(card) {
            let problem = match holder {
                Some(holder) => format!("{}: đã cấp cho đảng viên {holder}.", COLUMNS[5]),
                None => format!("{}: đã cấp cho một đảng viên khác.", COLUMNS[5]),
            };
            self.problems.entry(*line).or_default().push(problem);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &str) -> Vec<String> {
        cells.split(',').map(str::to_owned).collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn a_row_reads_the_labels_a_person_types() {
        let form = MemberForm::from_cells(&row(
            "Trần Văn Bình,nu,02/03/1970,,,11112222,05/05/1995,,05/05/1996,Chinh thuc",
        ));
        assert_eq!(form.gender, Gender::Female.as_str());
        assert_eq!(form.status, Status::Full.as_str());
        assert_eq!(form.card_no, "11112222");
        // A short row reads as empty cells.
        assert_eq!(MemberForm::from_cells(&row("Lê Văn Ân")).status, "");
    }

    #[test]
    fn every_problem_is_named_by_its_column_and_line() {
        let rows = [
            row("Trần Văn Bình,Nam,02/03/1970,,,11112222,05/05/1995,,05/05/1996,Chính thức"),
            row("Lê Thị Cúc,Nữ,31/02/1980,,,11113333,01/01/2005,,01/01/2006,Chính thức"),
            row("Võ Văn Dũng,Nam,01/01/1975,,,11112222,01/01/2000,,01/01/2001,Chính thức"),
            row("Đặng Thị Em,Khác,01/01/1990,,,,01/06/2012,,,Dự bị lâu"),
        ];
        let mut check = RowCheck::of(
            rows.iter().enumerate().map(|(i, r)| (i + 2, r.as_slice())),
            today(),
        );
        assert!(!check.problems.contains_key(&2));
        assert!(check.problems[&3][0].starts_with("Ngày sinh: Ngày không hợp lệ"));
        assert_eq!(
            check.problems[&4],
            vec!["Số thẻ đảng viên: trùng với dòng 2."]
        );
        assert!(
            check.problems[&5].contains(&"Giới tính: Giới tính phải là Nam hoặc Nữ.".to_owned())
        );
        assert!(
            check.problems[&5]
                .contains(&"Đảng viên: Cột Đảng viên phải là Chính thức hoặc Dự bị.".to_owned())
        );
        assert_eq!(check.cards(), vec!["11112222".to_owned()]);
        check.taken("11112222", Some("Chu Thị Nghiệm"));
        assert_eq!(
            check.problems[&2],
            vec!["Số thẻ đảng viên: đã cấp cho đảng viên Chu Thị Nghiệm."]
        );
        // A holder the user may not see is not named.
        let mut check = RowCheck::of([(3, rows[0].as_slice())], today());
        check.taken("11112222", None);
        assert_eq!(
            check.problems[&3],
            vec!["Số thẻ đảng viên: đã cấp cho một đảng viên khác."]
        );
    }
}
