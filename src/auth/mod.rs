//! Accounts, sessions, roles and the scope every request is checked against.
//!
//! Sessions live in Postgres (tower-sessions); axum-login keeps the user id and a hash of the
//! password in the session, renews the session id at login, and drops every session of a
//! user whose password changed.

mod handlers;
mod limit;
pub mod lockout;
pub mod password;
mod refusal;
pub mod scope;
pub mod sessions;
pub mod store;

pub use refusal::{AccountRefusal, check_new_user};

use std::fmt;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use uuid::Uuid;

use crate::codes::text_code;
use crate::error::AppError;
use crate::state::AppState;

pub use store::Backend;

pub type AuthSession = axum_login::AuthSession<Backend>;

text_code! {
    /// What a grant lets its holder do (stored in `role_grants.role`).
    #[derive(clap::ValueEnum)]
    pub enum Role {
        /// Organisation tree, users and rubrics of a unit's subtree (or everything).
        Admin = "admin",
        /// Sees and acts on a committee's whole subtree.
        Supervisor = "supervisor",
        /// Bí thư of a branch.
        Secretary = "secretary",
        /// Phó bí thư.
        Deputy = "deputy",
        /// Chi ủy viên.
        Committee = "committee",
        /// A party member: their own records.
        Member = "member",
    }
}

/// A grant's role arrives from the database inside JSON (`load_user` reads the user and
/// every grant in one query): decoded from the same codes.
impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Role::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown Role code: {code}")))
    }
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị viên",
            Role::Supervisor => "Cấp ủy cấp trên",
            Role::Secretary => "Bí thư chi bộ",
            Role::Deputy => "Phó Bí thư chi bộ",
            Role::Committee => "Chi ủy viên",
            Role::Member => "Đảng viên",
        }
    }

    /// Roles whose grant opens the unit's subtree for reading.
    fn opens_subtree(self) -> bool {
        !matches!(self, Role::Member)
    }
}

/// One role at one unit (no unit: a system-wide administrator).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub unit_id: Option<Uuid>,
    pub unit_path: Option<String>,
    pub unit_name: Option<String>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub member_id: Option<Uuid>,
    pub grants: Vec<Grant>,
    password_hash: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("grants", &self.grants)
            .field("password_hash", &"[redacted]")
            .finish()
    }
}

impl axum_login::AuthUser for User {
    type Id = Uuid;

    fn id(&self) -> Uuid {
        self.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        self.password_hash.as_bytes()
    }
}

/// Is `path` the unit at `ancestor` or below it? Paths are ltree text: labels joined by dots.
pub fn path_within(ancestor: &str, path: &str) -> bool {
    path == ancestor
        || (path.len() > ancestor.len()
            && path.starts_with(ancestor)
            && path.as_bytes()[ancestor.len()] == b'.')
}

impl User {
    /// The user as the page header shows them.
    pub fn layout_ctx(&self) -> crate::web::Ctx {
        let primary = self.primary_grant();
        crate::web::Ctx {
            user: Some(crate::web::UserBox {
                display_name: self.display_name.clone(),
                role_label: primary
                    .map(|g| g.role.label().to_owned())
                    .unwrap_or_default(),
                unit_name: primary
                    .and_then(|g| g.unit_name.clone())
                    .unwrap_or_else(|| "Toàn hệ thống".to_owned()),
                is_admin: self.is_admin_anywhere(),
            }),
        }
    }

    /// The grant shown in the layout and used for the home page: the widest one.
    pub fn primary_grant(&self) -> Option<&Grant> {
        self.grants.iter().min_by_key(|g| {
            (
                g.unit_path
                    .as_ref()
                    .map(|p| p.split('.').count())
                    .unwrap_or(0),
                g.role as u8,
            )
        })
    }

    pub fn is_admin_anywhere(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Admin)
    }

    /// Does this user administer the whole installation: an administrator's grant with no
    /// unit, or administrators' grants covering every top unit of the tree (`tops`, their
    /// paths; in a one-province installation, the province)? Installation-wide settings —
    /// the alert thresholds, the national agenda templates and rubrics, the top of the tree
    /// — are theirs alone; an administrator of a ward or a town manages inside it only.
    pub fn administers_all(&self, tops: &[String]) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::Admin && g.unit_path.is_none())
            || (!tops.is_empty() && tops.iter().all(|top| self.administers(top)))
    }

    /// May this administrator manage the account whose grants are at `account_grants` (the
    /// paths of their units; `None`: a grant over everything) — unlock it? Only when every
    /// grant of it lies in units this user administers: an account with a grant beside or
    /// above them is someone else's to manage. `all`: this user administers the whole
    /// installation ([`User::administers_all`]), who manages every account, one without
    /// grants included.
    pub fn administers_account(&self, account_grants: &[Option<String>], all: bool) -> bool {
        all || (!account_grants.is_empty()
            && account_grants
                .iter()
                .all(|p| p.as_deref().is_some_and(|p| self.administers(p))))
    }

    fn has_role_over(&self, path: &str, pred: impl Fn(Role) -> bool) -> bool {
        self.grants.iter().any(|g| {
            pred(g.role)
                && match &g.unit_path {
                    None => g.role == Role::Admin,
                    Some(root) => path_within(root, path),
                }
        })
    }

    /// May this user open the unit at `path` (its page, its members, its meetings)?
    pub fn sees_unit(&self, path: &str) -> bool {
        self.has_role_over(path, Role::opens_subtree)
    }

    /// May this user write the records of the unit at `path` (see `scope::Keep`): a post in
    /// the branch, an administrator's grant over it, or a seat on that very committee.
    pub fn keeps(&self, path: &str) -> bool {
        self.holds_branch_post(path) || self.administers(path) || self.sits_on(path)
    }

    /// May this user restructure the unit at `path` (rename, move, close, merge, add below)?
    pub fn administers(&self, path: &str) -> bool {
        self.has_role_over(path, |r| r == Role::Admin)
    }

    /// Does this user hold a post in the branch at `path` (bí thư, phó bí thư, chi ủy viên)?
    /// Such a user scores for the branch and may never approve its score.
    pub fn holds_branch_post(&self, path: &str) -> bool {
        self.has_role_over(path, |r| {
            matches!(r, Role::Secretary | Role::Deputy | Role::Committee)
        })
    }

    /// May this user agree and send up the branch's self-score (bí thư or phó bí thư)?
    pub fn leads_branch(&self, path: &str) -> bool {
        self.has_role_over(path, |r| matches!(r, Role::Secretary | Role::Deputy))
    }

    /// Is this user on a committee above the unit at `path` (a supervisor or an
    /// administrator of a unit strictly above it, or of everything)?
    pub fn supervises(&self, path: &str) -> bool {
        self.grants.iter().any(|g| {
            matches!(g.role, Role::Supervisor | Role::Admin)
                && match &g.unit_path {
                    None => g.role == Role::Admin,
                    Some(root) => root != path && path_within(root, path),
                }
        })
    }

    /// Does this user sit on the committee of exactly the unit at `path` (a supervisor or an
    /// administrator granted there)? The committee directly above a branch decides on its
    /// score (docs/rules.md §3.6).
    pub fn sits_on(&self, path: &str) -> bool {
        self.grants.iter().any(|g| {
            matches!(g.role, Role::Supervisor | Role::Admin) && g.unit_path.as_deref() == Some(path)
        })
    }

    /// Does this user sit on the committee of the unit at `path` or one above it (a
    /// supervisor or an administrator there)? Such a user writes the committee's reports and
    /// runs its programmes.
    pub fn oversees(&self, path: &str) -> bool {
        self.has_role_over(path, |r| matches!(r, Role::Supervisor | Role::Admin))
    }

    /// The subtrees this user may read; `None` means every unit.
    pub fn scope_roots(&self) -> Option<Vec<String>> {
        let mut roots = Vec::new();
        for g in self.grants.iter().filter(|g| g.role.opens_subtree()) {
            match &g.unit_path {
                None => return None,
                Some(p) => roots.push(p.clone()),
            }
        }
        Some(roots)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = AuthSession::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::Internal(anyhow::anyhow!("auth session: {msg}")))?;
        session.user.ok_or_else(|| AppError::Unauthenticated {
            next: (parts.method == axum::http::Method::GET)
                .then(|| parts.uri.path_and_query().map(|p| p.to_string()))
                .flatten(),
        })
    }
}

pub fn session_store(pool: sqlx::PgPool) -> sessions::PgSessionStore {
    sessions::PgSessionStore::new(pool)
}

/// Session cookie: HttpOnly, SameSite=Lax, Secure when served over https; a day of
/// inactivity ends the session.
pub fn session_layer(
    pool: sqlx::PgPool,
    secure: bool,
) -> SessionManagerLayer<sessions::PgSessionStore> {
    SessionManagerLayer::new(session_store(pool))
        .with_name("chibo_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(24)))
}

/// The sign-in pages; POST /login under the per-address rate limit `login_limit`.
pub fn router(login_limit: crate::config::LoginLimit) -> Router<AppState> {
    Router::new()
        .route(
            "/login",
            get(handlers::login_form).merge(limit::post_login(login_limit)),
        )
        .route("/logout", axum::routing::post(handlers::logout))
        .route(
            "/account/password",
            get(handlers::password_form).post(handlers::change_password),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(grants: Vec<(Role, Option<&str>)>) -> User {
        User {
            id: Uuid::nil(),
            username: "u".into(),
            display_name: "U".into(),
            member_id: None,
            password_hash: String::new(),
            grants: grants
                .into_iter()
                .map(|(role, p)| Grant {
                    role,
                    unit_id: None,
                    unit_path: p.map(str::to_owned),
                    unit_name: None,
                })
                .collect(),
        }
    }

    #[test]
    fn subtree_membership_is_label_wise() {
        assert!(path_within("a", "a"));
        assert!(path_within("a", "a.b.c"));
        assert!(!path_within("a", "ab"));
        assert!(!path_within("a.b", "a"));
        assert!(!path_within("a.b", "a.bc.d"));
    }

    #[test]
    fn supervisors_read_a_branch_and_its_posts_and_administrators_keep_it() {
        let ward = user(vec![(Role::Supervisor, Some("p.t.w1"))]);
        assert!(ward.sees_unit("p.t.w1.b7") && !ward.keeps("p.t.w1.b7"));
        // The committee keeps its own records.
        assert!(ward.keeps("p.t.w1"));
        let secretary = user(vec![(Role::Secretary, Some("p.t.w1.b7"))]);
        assert!(secretary.keeps("p.t.w1.b7") && !secretary.keeps("p.t.w1.b8"));
        let member = user(vec![(Role::Member, Some("p.t.w1.b7"))]);
        assert!(!member.keeps("p.t.w1.b7"));
        let admin = user(vec![(Role::Admin, Some("p.t.w1"))]);
        assert!(admin.keeps("p.t.w1.b7") && !admin.keeps("p.t.w2.b1"));
        let system = user(vec![(Role::Admin, None)]);
        assert!(system.keeps("p.t.w2.b1"));
    }

    #[test]
    fn supervisors_see_their_subtree_only() {
        let ward = user(vec![(Role::Supervisor, Some("p.t.w1"))]);
        assert!(ward.sees_unit("p.t.w1"));
        assert!(ward.sees_unit("p.t.w1.b7"));
        assert!(!ward.sees_unit("p.t.w2.b1"));
        assert!(!ward.sees_unit("p.t"));
        assert!(!ward.administers("p.t.w1"));
    }

    #[test]
    fn members_open_no_unit_and_system_admins_open_all() {
        let member = user(vec![(Role::Member, Some("p.t.w1.b1"))]);
        assert!(!member.sees_unit("p.t.w1.b1"));
        assert_eq!(member.scope_roots(), Some(vec![]));
        let admin = user(vec![(Role::Admin, None)]);
        assert!(admin.sees_unit("anything.at.all"));
        assert!(admin.administers("x"));
        assert_eq!(admin.scope_roots(), None);
    }

    #[test]
    fn supervisors_are_strictly_above_and_branch_posts_are_within() {
        let ward = user(vec![(Role::Supervisor, Some("p.t.w1"))]);
        assert!(ward.supervises("p.t.w1.b7"));
        assert!(!ward.supervises("p.t.w1"));
        assert!(!ward.supervises("p.t.w2.b1"));
        assert!(!ward.holds_branch_post("p.t.w1.b7"));
        let both = user(vec![
            (Role::Supervisor, Some("p.t.w1")),
            (Role::Secretary, Some("p.t.w1.b7")),
        ]);
        assert!(both.supervises("p.t.w1.b7") && both.holds_branch_post("p.t.w1.b7"));
        assert!(both.leads_branch("p.t.w1.b7") && !both.leads_branch("p.t.w1.b8"));
        let committee = user(vec![(Role::Committee, Some("p.t.w1.b7"))]);
        assert!(committee.holds_branch_post("p.t.w1.b7") && !committee.leads_branch("p.t.w1.b7"));
        assert!(user(vec![(Role::Admin, None)]).supervises("p"));
        // Deciding on a branch's score: the committee exactly there, not one further up.
        assert!(ward.sits_on("p.t.w1") && !ward.sits_on("p.t.w1.b7") && !ward.sits_on("p.t"));
        let town = user(vec![(Role::Supervisor, Some("p.t"))]);
        assert!(town.supervises("p.t.w1.b7") && !town.sits_on("p.t.w1"));
        assert!(!user(vec![(Role::Admin, None)]).sits_on("p.t.w1"));
    }

    #[test]
    fn only_a_grant_over_the_whole_tree_administers_the_installation() {
        let tops = vec!["p".to_owned()];
        assert!(user(vec![(Role::Admin, None)]).administers_all(&tops));
        assert!(user(vec![(Role::Admin, None)]).administers_all(&[]));
        assert!(user(vec![(Role::Admin, Some("p"))]).administers_all(&tops));
        // A ward's or a town's administrator manages inside it only.
        assert!(!user(vec![(Role::Admin, Some("p.t.w1"))]).administers_all(&tops));
        assert!(!user(vec![(Role::Admin, Some("p.t"))]).administers_all(&tops));
        // A supervisor of the province is not its administrator.
        assert!(!user(vec![(Role::Supervisor, Some("p"))]).administers_all(&tops));
        // Two provinces: the first's administrator is not the installation's.
        let two = vec!["p".to_owned(), "q".to_owned()];
        assert!(!user(vec![(Role::Admin, Some("p"))]).administers_all(&two));
        assert!(
            user(vec![(Role::Admin, Some("p")), (Role::Admin, Some("q"))]).administers_all(&two)
        );
        assert!(!user(vec![(Role::Admin, Some("p"))]).administers_all(&[]));
    }

    #[test]
    fn an_administrator_manages_the_accounts_inside_their_units_only() {
        let ward = user(vec![(Role::Admin, Some("p.t.w1"))]);
        let at = |p: &[&str]| p.iter().map(|p| Some(p.to_string())).collect::<Vec<_>>();
        assert!(ward.administers_account(&at(&["p.t.w1.b7"]), false));
        assert!(ward.administers_account(&at(&["p.t.w1", "p.t.w1.b2"]), false));
        // One grant outside (another ward, the town above) makes it someone else's.
        assert!(!ward.administers_account(&at(&["p.t.w1.b7", "p.t.w2"]), false));
        assert!(!ward.administers_account(&at(&["p.t"]), false));
        assert!(!ward.administers_account(&[None], false));
        assert!(!ward.administers_account(&[], false));
        // A supervisor of the ward is no administrator.
        let supervisor = user(vec![(Role::Supervisor, Some("p.t.w1"))]);
        assert!(!supervisor.administers_account(&at(&["p.t.w1.b7"]), false));
        // The installation's administrators manage every account.
        assert!(ward.administers_account(&[None], true));
        assert!(ward.administers_account(&[], true));
    }

    #[test]
    fn the_widest_grant_is_primary() {
        let u = user(vec![
            (Role::Secretary, Some("p.t.w1.b1")),
            (Role::Supervisor, Some("p.t.w1")),
        ]);
        assert_eq!(u.primary_grant().unwrap().role, Role::Supervisor);
    }

    #[test]
    fn roles_keep_their_stored_codes() {
        let codes: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            codes,
            [
                "admin",
                "supervisor",
                "secretary",
                "deputy",
                "committee",
                "member"
            ]
        );
        for &r in Role::ALL {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), r);
        }
        assert!(serde_json::from_str::<Role>("\"chairman\"").is_err());
    }
}
