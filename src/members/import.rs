//! Importing a branch's members from a spreadsheet: upload, a preview with every row
//! checked, fixing or skipping rows, then one commit that writes all rows or none.
//! Between the preview and the commit the rows wait in `member_imports`.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::domain::{COLUMNS, MemberForm, MemberRefusal, RowCheck};
use super::forms::RowForm;
use super::sheet::{self, MAX_ROWS};
use super::store::import::{self as store, Batch, BatchKey, ImportRow, ImportedRow, RowChange};
use crate::auth::User;
use crate::auth::scope::Keep;
use crate::error::{AppError, AppResult, StoreError};
use crate::org::scope::BranchInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::Unprocessable;

/// Uploads may be this large (a 5,000-row .csv is about 0.6 MB).
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

/// Every problem of every row to import, keyed by line: the form's checks, card numbers
/// repeated in the file, card numbers already held by someone.
async fn check_rows(
    state: &AppState,
    user: &User,
    rows: &[ImportRow],
) -> AppResult<HashMap<usize, Vec<String>>> {
    let mut check = RowCheck::of(
        rows.iter()
            .filter(|r| !r.skip)
            .map(|r| (r.line, r.cells.as_slice())),
        state.clock.today(),
    );
    let reader = user.scope_roots();
    for (card, holder) in store::cards_taken(&state.pool, &check.cards(), reader.as_deref()).await?
    {
        check.taken(&card, holder.as_deref());
    }
    Ok(check.problems)
}

#[derive(Template, WebTemplate)]
#[template(path = "members/import.html")]
pub struct UploadPage {
    unit: Unit,
    error: Option<String>,
    max_rows: usize,
    columns: Vec<&'static str>,
}

fn upload_page(unit: Unit, error: Option<String>) -> UploadPage {
    UploadPage {
        unit,
        error,
        max_rows: MAX_ROWS,
        columns: COLUMNS.to_vec(),
    }
}

pub async fn upload_form(BranchInScope { unit, .. }: BranchInScope<Keep>) -> AppResult<UploadPage> {
    Ok(upload_page(unit, None))
}

pub async fn template_xlsx(BranchInScope { .. }: BranchInScope<Keep>) -> AppResult<Response> {
    let bytes = sheet::template_workbook().map_err(anyhow::Error::from)?;
    Ok(download(
        bytes,
        "mau-nhap-dang-vien.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ))
}

pub async fn template_csv(BranchInScope { .. }: BranchInScope<Keep>) -> AppResult<Response> {
    Ok(download(
        sheet::template_csv(),
        "mau-nhap-dang-vien.csv",
        "text/csv; charset=utf-8",
    ))
}

fn download(bytes: Vec<u8>, name: &str, mime: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let mut file: Option<(String, Vec<u8>)> = None;
    let too_large = |e| AppError::multipart(e, MAX_UPLOAD_BYTES);
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(too_large)?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let refuse = |msg: String| Unprocessable(upload_page(unit.clone(), Some(msg))).into_response();
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        return Ok(refuse(
            "Vui lòng chọn tệp bảng tính (.xlsx hoặc .csv).".into(),
        ));
    };
    // Unzipping and reading up to 8 MB of workbook is seconds of CPU: on the blocking pool,
    // so that the async workers keep answering everyone else meanwhile.
    let (name, read) = tokio::task::spawn_blocking(move || {
        let read = sheet::read_rows(&name, &bytes);
        (name, read)
    })
    .await
    .map_err(anyhow::Error::from)?;
    let rows = match read {
        Ok(rows) => rows,
        Err(e) => return Ok(refuse(e.message())),
    };
    let rows: Vec<ImportRow> = rows
        .into_iter()
        .map(|(line, cells)| ImportRow {
            line,
            cells,
            skip: false,
        })
        .collect();
    let batch = store::stage(&state.pool, unit.id, user.id, &name, &rows).await?;
    Ok(Redirect::to(&format!("/units/{}/members/import/{batch}", unit.id)).into_response())
}

fn key(user: &User, unit: Uuid, batch: Uuid) -> BatchKey {
    BatchKey {
        id: batch,
        unit,
        user: user.id,
    }
}

/// An import waiting for its commit, of this branch, started by this user.
async fn load_batch(state: &AppState, key: BatchKey) -> AppResult<Batch> {
    store::batch(&state.pool, key)
        .await?
        .ok_or(AppError::NotFound)
}

pub struct PreviewRow {
    pub line: usize,
    pub cells: Vec<String>,
    pub skip: bool,
    pub problems: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/import_preview.html")]
pub struct PreviewPage {
    unit: Unit,
    batch: Uuid,
    file_name: String,
    /// Rows with problems and skipped rows, in full; then the first of the good rows.
    attention: Vec<PreviewRow>,
    good_sample: Vec<PreviewRow>,
    good: usize,
    bad: usize,
    skipped: usize,
    columns: Vec<&'static str>,
    error: Option<String>,
}

async fn preview_page(
    state: &AppState,
    user: &User,
    unit: Unit,
    batch: Uuid,
    error: Option<String>,
) -> AppResult<PreviewPage> {
    let b = load_batch(state, key(user, unit.id, batch)).await?;
    let mut problems = check_rows(state, user, &b.rows).await?;
    let (mut attention, mut good_sample) = (Vec::new(), Vec::new());
    let (mut good, mut bad, mut skipped) = (0, 0, 0);
    for r in b.rows {
        let p = problems.remove(&r.line).unwrap_or_default();
        let row = PreviewRow {
            line: r.line,
            cells: r.cells,
            skip: r.skip,
            problems: p,
        };
        if row.skip {
            skipped += 1;
            attention.push(row);
        } else if !row.problems.is_empty() {
            bad += 1;
            attention.push(row);
        } else {
            good += 1;
            if good_sample.len() < 200 {
                good_sample.push(row);
            }
        }
    }
    Ok(PreviewPage {
        unit,
        batch,
        file_name: b.file_name,
        attention,
        good_sample,
        good,
        bad,
        skipped,
        columns: COLUMNS.to_vec(),
        error,
    })
}

pub async fn preview(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Path((_, batch)): Path<(Uuid, Uuid)>,
) -> AppResult<PreviewPage> {
    preview_page(&state, &user, unit, batch, None).await
}

pub async fn fix_row(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Path((_, batch, line)): Path<(Uuid, Uuid, usize)>,
    Form(form): Form<RowForm>,
) -> AppResult<Response> {
    let Some(cells) = form.parse() else {
        // No form of ours sends another count of cells; an import that is gone is still
        // not found first.
        load_batch(&state, key(&user, unit.id, batch)).await?;
        return Err(AppError::BadRequest);
    };
    change_row(&state, &user, unit.id, batch, line, RowChange::Cells(cells)).await
}

pub async fn toggle_skip(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Path((_, batch, line)): Path<(Uuid, Uuid, usize)>,
) -> AppResult<Response> {
    change_row(&state, &user, unit.id, batch, line, RowChange::ToggleSkip).await
}

/// Changes a row of the preview, then shows the preview at that row.
async fn change_row(
    state: &AppState,
    user: &User,
    unit: Uuid,
    batch: Uuid,
    line: usize,
    change: RowChange,
) -> AppResult<Response> {
    match store::change_row(&state.pool, key(user, unit, batch), line, change).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/units/{unit}/members/import/{batch}#dong-{line}"))
                .into_response(),
        ),
        // No such row, or the import is committed: not found; nothing else is refused.
        Err(e) => Err(e.into_form_errors().err().unwrap_or(AppError::NotFound)),
    }
}

/// Writes every row that is not skipped, in one transaction: all or nothing, and once.
pub async fn commit(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Path((_, batch)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let id = unit.id;
    let key = key(&user, unit.id, batch);
    let b = match store::batch(&state.pool, key).await? {
        Some(b) => b,
        // Committed already (a second click, another tab): say so, as the commit's own
        // check does when two commits race past this point.
        None if store::committed(&state.pool, key).await? => {
            return Err(StoreError::from(MemberRefusal::AlreadyImported).into());
        }
        None => return Err(AppError::NotFound),
    };
    let refuse = async |message: String| -> AppResult<Response> {
        let page = preview_page(&state, &user, unit, batch, Some(message)).await?;
        Ok(Unprocessable(page).into_response())
    };
    if !check_rows(&state, &user, &b.rows).await?.is_empty() {
        return refuse("Còn dòng có lỗi: hãy sửa hoặc bỏ qua các dòng đó rồi nhập lại.".into())
            .await;
    }
    let today = state.clock.today();
    let rows = b
        .rows
        .iter()
        .filter(|r| !r.skip)
        .map(|r| {
            let record = MemberForm::from_cells(&r.cells).parse(today);
            Ok(ImportedRow {
                line: r.line,
                record: record.map_err(|_| AppError::BadRequest)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    if rows.is_empty() {
        return refuse("Không có dòng nào để nhập.".into()).await;
    }
    match store::commit(
        &state.pool,
        Some(user.id),
        user.scope_roots().as_deref(),
        key,
        &b.rows,
        &rows,
        today,
        state.clock.now(),
    )
    .await
    {
        Ok(written) => {
            tracing::info!(unit = %id, rows = written, "members imported");
            Ok(Redirect::to(&format!("/units/{id}/members?imported={written}")).into_response())
        }
        Err(e) if e.refusal::<MemberRefusal>() == Some(&MemberRefusal::AlreadyImported) => {
            Err(e.into())
        }
        // A row the registry refuses is named by its line ("Dòng 4: …").
        Err(StoreError::Refused(r)) => refuse(format!("{} Chưa nhập dòng nào.", r.message())).await,
        // The rows were changed (another tab fixed or skipped one) after this page was read.
        Err(StoreError::Stale) => {
            refuse(
                "Danh sách vừa được sửa ở nơi khác; đây là danh sách mới nhất, vui lòng kiểm tra lại rồi bấm nhập. Chưa nhập dòng nào."
                    .into(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
