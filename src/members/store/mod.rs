//! SQL for the member registry. Every change runs in one transaction, checks the version the
//! form was built from, and leaves a member_events row (what, when, under which reference,
//! by whom, before and after): history is added to, never overwritten.
//!
//! By aggregate: what is read of the registry (`roster`), the member's record and its history
//! (`record`), the life-cycle steps (`lifecycle`), the committee posts (`posts`).

mod lifecycle;
mod posts;
mod record;
mod roster;

pub use lifecycle::*;
pub use posts::*;
pub use record::*;
pub use roster::*;
