//! A meeting's evaluation: the scoring form (the branch's self-score, or a supervisor's own
//! score), the sheets side by side, the review steps and the printed score sheet.

mod compare;
mod form;
mod review;
mod sheet;

pub use form::*;
pub use review::*;
pub use sheet::*;
