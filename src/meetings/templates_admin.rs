//! Administrators keep the agenda templates: the general one per meeting kind, and variants
//! per branch type (docs/rules.md §3.4) that new meetings of such branches start from.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgPool;
use uuid::Uuid;

use super::domain::MeetingKind;
use super::forms::{ItemChange, ItemForm, VariantForm};
use super::store::{self, TemplateItem, TemplateRow};
use crate::auth::User;
use crate::codes::{Choice, choices};
use crate::error::{AppError, AppResult, refused};
use crate::org::domain::BranchType;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

/// The agenda templates are the installation's (one set for every unit): a system
/// administrator's, not a ward's or a town's administrator's.
async fn admin(state: &AppState, user: &User) -> AppResult<()> {
    crate::org::require_system_admin(state, user).await
}

impl TemplateRow {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    pub fn type_label(&self) -> &'static str {
        self.branch_type
            .map(BranchType::label)
            .unwrap_or("Mọi loại hình chi bộ")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/templates.html")]
pub struct ListPage {
    templates: Vec<TemplateRow>,
    kinds: Vec<Choice>,
    types: Vec<Choice>,
    errors: FieldErrors,
}

async fn list_page(pool: &PgPool, form: VariantForm, errors: FieldErrors) -> AppResult<ListPage> {
    Ok(ListPage {
        templates: store::templates(pool).await?,
        kinds: choices(
            MeetingKind::ALL,
            &form.kind,
            MeetingKind::as_str,
            MeetingKind::label,
        ),
        types: choices(
            BranchType::ALL,
            &form.branch_type,
            BranchType::as_str,
            BranchType::label,
        ),
        errors,
    })
}

pub async fn list(State(state): State<AppState>, user: User) -> AppResult<ListPage> {
    admin(&state, &user).await?;
    list_page(&state.pool, VariantForm::default(), FieldErrors::default()).await
}

/// A variant for a branch type, starting as a copy of the general template of its kind.
pub async fn create_variant(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<VariantForm>,
) -> AppResult<Response> {
    admin(&state, &user).await?;
    let errors = match form.parse() {
        Ok((kind, branch_type)) => {
            match store::create_variant(&state.pool, Some(user.id), kind, branch_type).await {
                Ok(id) => {
                    return Ok(Redirect::to(&format!("/admin/templates/{id}")).into_response());
                }
                Err(e) => e.into_form_errors()?,
            }
        }
        Err(errors) => errors,
    };
    let page = list_page(&state.pool, form, errors).await?;
    Ok(Unprocessable(page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/template_edit.html")]
pub struct EditPage {
    template: TemplateRow,
    items: Vec<TemplateItem>,
    /// The new item's form as typed (refilled when refused).
    new_item: ItemForm,
    errors: FieldErrors,
}

async fn edit_page(
    pool: &PgPool,
    id: Uuid,
    new_item: ItemForm,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let template = store::template(pool, id).await?.ok_or(AppError::NotFound)?;
    Ok(EditPage {
        template,
        items: store::template_items(pool, id).await?,
        new_item,
        errors,
    })
}

pub async fn edit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
) -> AppResult<EditPage> {
    admin(&state, &user).await?;
    edit_page(&state.pool, id, ItemForm::default(), FieldErrors::default()).await
}

/// Add (`new`), or save, move up or down, remove an item.
pub async fn change(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(Uuid, String)>,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    admin(&state, &user).await?;
    let item = match item.as_str() {
        "new" => None,
        other => Some(Uuid::parse_str(other).map_err(|_| AppError::NotFound)?),
    };
    let change = match item {
        None => form.parse().map(ItemChange::Save),
        Some(_) => form.change(),
    };
    let result = match change {
        Ok(change) => refused(
            store::change_template_item(&state.pool, Some(user.id), id, item, &change).await,
        )?,
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/templates/{id}")).into_response()),
        Err(errors) => {
            // Only the new item's form is refilled; an existing item shows what is stored.
            let typed = if item.is_none() {
                form
            } else {
                ItemForm::default()
            };
            let page = edit_page(&state.pool, id, typed, errors).await?;
            Ok(Unprocessable(page).into_response())
        }
    }
}
