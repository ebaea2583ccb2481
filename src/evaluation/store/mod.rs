//! SQL for rubrics and evaluations, by aggregate: the rubric registry (which rubric is in
//! force for a meeting, drafting and publishing), the figures a meeting record gives, the
//! score sheets (saving a score and moving it through the review), a branch's year of scores.

mod facts;
mod history;
mod registry;
mod sheets;

pub use facts::*;
pub use history::*;
pub use registry::*;
pub use sheets::*;

/// JSON for a column; a value that cannot be written is a database-side error.
fn json_of<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, sqlx::Error> {
    serde_json::to_value(v).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}
