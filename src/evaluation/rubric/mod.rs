//! A scoring rubric as data (docs/rules.md §2.3, §9.1): groups of criteria with their points,
//! how each value is obtained, classification bands, gates that cap the class and the rule
//! of the annual roll-up. The same shape is stored in the database, edited by
//! administrators and exchanged as a JSON or TOML file. No point value lives in Rust code:
//! the shipped rubrics are rows written by a migration.

mod document;
mod file;
mod validate;

pub use document::*;
pub use validate::*;

#[cfg(test)]
pub(crate) mod tests;
