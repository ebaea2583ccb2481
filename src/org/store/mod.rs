//! SQL for the organisation tree: reading it (a unit, a subtree, its neighbours) and
//! changing it (create, rename, move, close, merge), each change in one transaction with its
//! audit row, forms checked against the version they were built from.

mod changes;
mod tree;

pub use changes::*;
pub use tree::*;
