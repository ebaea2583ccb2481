//! The member's record and its rules (docs/rules.md §4.1–4.2, §9.1–9.2). Pure: no database.
//!
//! By part: the codes a member's data is stored in (`codes`), the record as typed and as
//! checked (`record`), the rules on a probation, a branch's counts and its committee (`rules`),
//! a spreadsheet row read as the member form (`import`), what the stores refuse (`refusal`).

mod codes;
mod import;
mod record;
mod refusal;
mod rules;

pub use codes::*;
pub use import::*;
pub use record::*;
pub use refusal::*;
pub use rules::*;
