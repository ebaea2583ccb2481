//! The printed documents in the party layout: the heading every document shares
//! (`heading`, on `templates/documents/base.html`), and the documents of a meeting — the
//! minutes (with the score sheet attached), the notice, and the score sheet alone. They
//! combine meetings and evaluation, so they live above both; the reports above use the
//! heading too.

pub mod heading;
mod minutes;
mod score_sheet;
mod store;

use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::error::AppResult;
use crate::org::domain::UnitKind;
use crate::org::store::Unit;
use crate::state::AppState;
pub use heading::{DocType, Heading, Named};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/print", get(minutes::minutes))
        .route("/meetings/{id}/notice", get(minutes::notice))
        .route("/meetings/{id}/notice/number", post(minutes::number_notice))
        .route("/meetings/{id}/evaluation/print", get(score_sheet::page))
}

/// Where a document's back link leads (shown on screen, never printed).
pub struct Back {
    pub href: String,
    pub label: &'static str,
}

/// `unit` and the units above it, as named on `on` (a document of a past month is headed
/// with the names of its day).
pub async fn chain(state: &AppState, unit: &Unit, on: NaiveDate) -> AppResult<Vec<Named>> {
    Ok(crate::org::store::chain_on(&state.pool, unit.id, on)
        .await?
        .into_iter()
        .map(|l| Named {
            // The kind column is checked by the database; a branch is the safe reading.
            kind: UnitKind::parse(&l.kind).unwrap_or(UnitKind::Branch),
            name: l.name,
        })
        .collect())
}

/// The heading of a document `unit` issues, dated `day`, its names read on `names_on`.
pub async fn heading_of(
    state: &AppState,
    unit: &Unit,
    names_on: NaiveDate,
    day: NaiveDate,
    number: Option<(DocType, Option<i32>)>,
) -> AppResult<Heading> {
    let chain = chain(state, unit, names_on).await?;
    Ok(heading::heading(&chain, day, number))
}

crate::codes::text_code! {
    /// The post of whoever signs for a branch or a committee ("T/M …").
    pub enum SignerTitle {
        Secretary = "secretary",
        DeputySecretary = "deputy_secretary",
    }
}

impl SignerTitle {
    /// As the signature block prints it.
    pub fn label(self) -> &'static str {
        match self {
            SignerTitle::Secretary => "BÍ THƯ",
            SignerTitle::DeputySecretary => "PHÓ BÍ THƯ",
        }
    }

    /// As a form offers it.
    pub fn choice(self) -> &'static str {
        match self {
            SignerTitle::Secretary => "Bí thư",
            SignerTitle::DeputySecretary => "Phó Bí thư",
        }
    }
}

/// Who signs a document for its issuer, as the signature block prints it.
pub struct Signer {
    /// "BÍ THƯ", "PHÓ BÍ THƯ".
    pub title: &'static str,
    /// Empty where chibo does not know it (a committee's secretary): written by hand.
    pub name: String,
}

/// The signer for `unit` on `day`: a branch's secretary then (or its deputy); for a
/// committee, its secretary, whose name is written by hand.
pub async fn signer(state: &AppState, unit: &Unit, day: NaiveDate) -> AppResult<Signer> {
    if !unit.kind.is_branch() {
        return Ok(Signer {
            title: "BÍ THƯ",
            name: String::new(),
        });
    }
    branch_signer(state, unit.id, day).await
}

/// A branch's signer on `day` (its secretary, or its deputy); the name left blank without.
pub async fn branch_signer(state: &AppState, branch: Uuid, day: NaiveDate) -> AppResult<Signer> {
    use crate::members::domain::PostRole;
    Ok(
        match crate::members::store::signer_on(&state.pool, branch, day).await? {
            Some((PostRole::DeputySecretary, name)) => Signer {
                title: "PHÓ BÍ THƯ",
                name,
            },
            Some((_, name)) => Signer {
                title: "BÍ THƯ",
                name,
            },
            None => Signer {
                title: "BÍ THƯ",
                name: String::new(),
            },
        },
    )
}
