//! The layout context: who is signed in, as the page header shows them. It is set once per
//! request by a middleware (`app::with_layout_ctx`) and read by the base template, so no page
//! carries it.

tokio::task_local! {
    /// The layout context of the request being served.
    pub static LAYOUT_CTX: Ctx;
}

/// The layout context of the current request, or an anonymous one outside a request.
pub fn current_ctx() -> Ctx {
    LAYOUT_CTX
        .try_with(Ctx::clone)
        .unwrap_or_else(|_| Ctx::anonymous())
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
