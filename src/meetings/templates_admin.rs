//! Administrators keep the agenda templates: the general one per meeting kind, and variants
//! per branch type (docs/rules.md §3.4) that new meetings of such branches start from.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgPool;
use uuid::Uuid;

use super::domain::MeetingKind;
use crate::auth::User;
use crate::error::{AppError, AppResult, StoreError};
use crate::org::domain::BranchType;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, form_text as text};

type Fields = HashMap<String, String>;

fn admin(user: &User) -> AppResult<()> {
    if user.is_admin_anywhere() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub struct TemplateRow {
    pub id: Uuid,
    pub kind: String,
    pub branch_type: Option<String>,
    pub items: i64,
}

impl TemplateRow {
    pub fn kind_label(&self) -> &'static str {
        MeetingKind::parse(&self.kind)
            .map(MeetingKind::label)
            .unwrap_or("")
    }

    pub fn type_label(&self) -> &'static str {
        self.branch_type
            .as_deref()
            .and_then(BranchType::parse)
            .map(BranchType::label)
            .unwrap_or("Mọi loại hình chi bộ")
    }
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/templates.html")]
pub struct ListPage {
    templates: Vec<TemplateRow>,
    kinds: Vec<Choice>,
    types: Vec<Choice>,
    errors: FieldErrors,
}

async fn list_page(pool: &PgPool, errors: FieldErrors) -> AppResult<ListPage> {
    let templates = sqlx::query_as!(
        TemplateRow,
        r#"SELECT t.id, t.kind, t.branch_type, count(i.id) AS "items!"
             FROM agenda_templates t LEFT JOIN agenda_template_items i ON i.template_id = t.id
            GROUP BY t.id ORDER BY t.kind, t.branch_type NULLS FIRST"#
    )
    .fetch_all(pool)
    .await?;
    Ok(ListPage {
        templates,
        kinds: MeetingKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str(),
                label: k.label(),
            })
            .collect(),
        types: BranchType::ALL
            .iter()
            .map(|t| Choice {
                value: t.as_str(),
                label: t.label(),
            })
            .collect(),
        errors,
    })
}

pub async fn list(State(state): State<AppState>, user: User) -> AppResult<ListPage> {
    admin(&user)?;
    list_page(&state.pool, FieldErrors::default()).await
}

/// A variant for a branch type, starting as a copy of the general template of its kind.
pub async fn create_variant(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    admin(&user)?;
    let f: Fields = f.into_iter().collect();
    let kind = f.get("kind").and_then(|k| MeetingKind::parse(k));
    let branch_type = f.get("branch_type").and_then(|t| BranchType::parse(t));
    let mut errors = FieldErrors::default();
    if let (Some(kind), Some(bt)) = (kind, branch_type) {
        // The variant and its items together, or neither.
        let mut tx = state.pool.begin().await?;
        let id = sqlx::query_scalar!(
            "INSERT INTO agenda_templates (kind, branch_type, title)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id",
            kind.as_str(),
            bt.as_str(),
            format!("{} — {}", kind.label(), bt.label())
        )
        .fetch_optional(&mut *tx)
        .await?;
        match id {
            Some(id) => {
                sqlx::query!(
                    "INSERT INTO agenda_template_items (template_id, position, title, notes)
                     SELECT $1, i.position, i.title, i.notes FROM agenda_template_items i
                       JOIN agenda_templates t ON t.id = i.template_id
                      WHERE t.kind = $2 AND t.branch_type IS NULL",
                    id,
                    kind.as_str()
                )
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/admin/templates/{id}")).into_response());
            }
            None => errors.add(
                "branch_type",
                "Đã có chương trình mẫu cho loại buổi và loại hình chi bộ này.",
            ),
        }
    } else {
        errors.add(
            "branch_type",
            "Vui lòng chọn loại buổi sinh hoạt và loại hình chi bộ.",
        );
    }
    let page = list_page(&state.pool, errors).await?;
    Ok(Unprocessable(page).into_response())
}

pub struct Item {
    pub id: Uuid,
    pub title: String,
    pub notes: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/template_edit.html")]
pub struct EditPage {
    template: TemplateRow,
    items: Vec<Item>,
    errors: FieldErrors,
}

async fn edit_page(pool: &PgPool, id: Uuid, errors: FieldErrors) -> AppResult<EditPage> {
    let template = sqlx::query_as!(
        TemplateRow,
        r#"SELECT t.id, t.kind, t.branch_type, 0::bigint AS "items!" FROM agenda_templates t WHERE t.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let items = sqlx::query_as!(
        Item,
        "SELECT id, title, notes FROM agenda_template_items WHERE template_id = $1 ORDER BY position, id",
        id
    )
    .fetch_all(pool)
    .await?;
    Ok(EditPage {
        template,
        items,
        errors,
    })
}

pub async fn edit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
) -> AppResult<EditPage> {
    admin(&user)?;
    edit_page(&state.pool, id, FieldErrors::default()).await
}

/// Add (no item), or edit, move up or down, remove an item.
pub async fn change(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(Uuid, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    admin(&user)?;
    let f: Fields = f.into_iter().collect();
    let item = if item == "new" {
        None
    } else {
        Some(Uuid::parse_str(&item).map_err(|_| AppError::NotFound)?)
    };
    let result = apply(&state.pool, id, item, &f).await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/templates/{id}")).into_response()),
        Err(e) => {
            let errors = e.into_form_errors()?;
            let page = edit_page(&state.pool, id, errors).await?;
            Ok(Unprocessable(page).into_response())
        }
    }
}

async fn apply(
    pool: &PgPool,
    template: Uuid,
    item: Option<Uuid>,
    f: &Fields,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let ids: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT i.id FROM agenda_template_items i JOIN agenda_templates t ON t.id = i.template_id
          WHERE t.id = $1 ORDER BY i.position, i.id FOR UPDATE",
        template
    )
    .fetch_all(&mut *tx)
    .await?;
    let title = || {
        text(f, "title", 300)
            .ok_or_else(|| StoreError::invalid("title", "Vui lòng ghi tên nội dung."))
    };
    let notes = text(f, "notes", 1000);
    let mut order = ids.clone();
    match (item, f.get("action").map(String::as_str)) {
        (None, _) => {
            sqlx::query!(
                "INSERT INTO agenda_template_items (template_id, position, title, notes) VALUES ($1, $2, $3, $4)",
                template,
                ids.len() as i32 + 1,
                title()?,
                notes
            )
            .execute(&mut *tx)
            .await?;
        }
        (Some(it), action) => {
            let i = ids
                .iter()
                .position(|x| *x == it)
                .ok_or(StoreError::NotFound)?;
            match action {
                Some("up") if i > 0 => order.swap(i, i - 1),
                Some("down") if i + 1 < ids.len() => order.swap(i, i + 1),
                Some("delete") => {
                    order.remove(i);
                    sqlx::query!("DELETE FROM agenda_template_items WHERE id = $1", it)
                        .execute(&mut *tx)
                        .await?;
                }
                Some("up" | "down") => {}
                _ => {
                    sqlx::query!(
                        "UPDATE agenda_template_items SET title = $2, notes = $3 WHERE id = $1",
                        it,
                        title()?,
                        notes
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
            sqlx::query!(
                "UPDATE agenda_template_items a SET position = o.pos
                   FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, pos) WHERE a.id = o.id",
                &order
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query!(
        "UPDATE agenda_templates SET version = version + 1 WHERE id = $1",
        template
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
