//! SQL for meetings, by aggregate: the meeting itself, its attendance, its agenda and
//! guests, its record (minutes, votes, tasks and their review), the year's thematic plan, and the
//! agenda templates.
//! Every change runs in one transaction and checks the version the form was built from.

mod agenda;
mod attendance;
mod meeting;
mod record;
mod templates;
mod thematic;

pub use agenda::*;
pub use attendance::*;
pub use meeting::*;
pub use record::*;
pub use templates::*;
pub use thematic::*;
