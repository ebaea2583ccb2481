//! The layout context: who is signed in, as the page header shows them. It is set once per
//! request by a middleware (`app::with_layout_ctx`) and read by the base template, so no page
//! carries it.
//!
//! Beside it, the request context (`request_scope`), set by the outermost error-page
//! middleware: the request's id, the signed-in user once the session layer has found them,
//! and whether the database was found unavailable. The error pages drawn outside the session
//! layers (a panic, a timeout) read it, so they carry the id and keep the user's layout.

use std::future::Future;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

tokio::task_local! {
    /// The layout context of the request being served.
    pub static LAYOUT_CTX: Ctx;
    static REQUEST: RequestCtx;
}

struct RequestCtx {
    id: String,
    user: OnceLock<Ctx>,
    db_unavailable: AtomicBool,
}

/// Runs `fut` (the rest of the request) with a request context carrying `id`.
pub async fn request_scope<F: Future>(id: String, fut: F) -> F::Output {
    let ctx = RequestCtx {
        id,
        user: OnceLock::new(),
        db_unavailable: AtomicBool::new(false),
    };
    REQUEST.scope(ctx, fut).await
}

/// The id of the request being served (`x-request-id`), if any.
pub fn request_id() -> Option<String> {
    REQUEST.try_with(|r| r.id.clone()).ok()
}

/// Remembers the signed-in user for the pages drawn outside the layout context's scope.
pub fn remember_layout_ctx(ctx: &Ctx) {
    let _ = REQUEST.try_with(|r| r.user.set(ctx.clone()));
}

/// Notes that the database could not be reached while serving this request, so that a bare
/// 500 from a layer (the session's, the login's) becomes the 503 page.
pub fn note_db_unavailable() {
    let _ = REQUEST.try_with(|r| r.db_unavailable.store(true, Ordering::Relaxed));
}

/// Whether this request found the database unavailable.
pub fn db_was_unavailable() -> bool {
    REQUEST
        .try_with(|r| r.db_unavailable.load(Ordering::Relaxed))
        .unwrap_or(false)
}

/// The layout context of the current request, or an anonymous one outside a request.
pub fn current_ctx() -> Ctx {
    LAYOUT_CTX
        .try_with(Ctx::clone)
        .ok()
        .or_else(|| REQUEST.try_with(|r| r.user.get().cloned()).ok().flatten())
        .unwrap_or_else(Ctx::anonymous)
}

/// The signed-in user as the layout shows them: name, role and unit.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub user: Option<UserBox>,
}

#[derive(Debug, Clone)]
pub struct UserBox {
    pub display_name: String,
    pub role_label: String,
    pub unit_name: String,
    pub is_admin: bool,
}

impl Ctx {
    pub fn anonymous() -> Self {
        Self { user: None }
    }
}
