//! SQL for supervision, by aggregate: the dashboard (one row per branch of a subtree for a
//! month, the trend over twelve months), the alerts (the member-level facts behind them and
//! the thresholds), the model-meeting programme. Every read starts from the subtree (a GiST
//! scan of the unit's path), so its cost follows the size of the subtree, not of the
//! database; every change runs in one transaction.

mod alerts;
mod dashboard;
mod model;

pub use alerts::*;
pub use dashboard::*;
pub use model::*;
