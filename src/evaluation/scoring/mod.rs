//! Scoring a meeting against a rubric: each criterion's points, the total, the band and the
//! gates that cap it; and the annual roll-up of a branch. Pure: the meeting record arrives as
//! `Facts`, the scorer's form as `Entries`.

mod annual;
mod facts;
mod score;

pub use annual::*;
pub use facts::*;
pub use score::*;
