//! SQL for the member registry. Every change runs in one transaction (`db::transaction`); a
//! change to a member goes through `change_member`, which locks the member's row and checks
//! the version the form was built from, and leaves a member_events row (what, when, under
//! which reference, by whom, before and after): history is added to, never overwritten.
//! Refusals are `MemberRefusal`s, worded by the domain.
//!
//! By aggregate: what is read of the registry (`roster`), the member's record and its history
//! (`record`), the life-cycle steps (`lifecycle`), the committee posts (`posts`), an import
//! staged between its preview and its commit (`import`).

pub mod import;
mod lifecycle;
mod posts;
mod record;
mod roster;

pub use lifecycle::*;
pub use posts::*;
pub use record::*;
pub use roster::*;
