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
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use uuid::Uuid;

use super::domain::{EventKind, Gender, MemberForm, Status};
use super::sheet::{self, COLUMNS, MAX_ROWS};
use crate::auth::User;
use crate::auth::scope::{Keep, Read};
use crate::error::{AppError, AppResult, StoreError};
use crate::org::scope::BranchInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::Unprocessable;

/// Uploads may be this large (a 5,000-row .csv is about 0.6 MB).
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportRow {
    /// The line in the spreadsheet, as the user sees it there.
    pub line: usize,
    pub cells: Vec<String>,
    pub skip: bool,
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// A row as the member form: labels ("Nam", "Chính thức") turned into codes.
fn row_form(cells: &[String]) -> MemberForm {
    let cell = |i: usize| cells.get(i).cloned().unwrap_or_default();
    // The spreadsheet holds the labels a person types, with or without diacritics.
    let gender = match norm(&cell(1)).as_str() {
        "nam" => Gender::Male.as_str(),
        "nữ" | "nu" => Gender::Female.as_str(),
        _ => "",
    }
    .to_owned();
    let status = match norm(&cell(9)).as_str() {
        "chính thức" | "chinh thuc" => Status::Full.as_str(),
        "dự bị" | "du bi" => Status::Probationary.as_str(),
        _ => "",
    }
    .to_owned();
    MemberForm {
        full_name: cell(0),
        gender,
        birth_date: cell(2),
        hometown: cell(3),
        phone: cell(4),
        card_no: cell(5),
        admission_date: cell(6),
        admission_decision_date: cell(7),
        official_date: cell(8),
        status,
        version: 0,
    }
}

fn column_of(field: &str) -> &'static str {
    match field {
        "full_name" => COLUMNS[0],
        "gender" => COLUMNS[1],
        "birth_date" => COLUMNS[2],
        "hometown" => COLUMNS[3],
        "phone" => COLUMNS[4],
        "card_no" => COLUMNS[5],
        "admission_date" => COLUMNS[6],
        "admission_decision_date" => COLUMNS[7],
        "official_date" => COLUMNS[8],
        "status" => COLUMNS[9],
        _ => "",
    }
}

/// Every problem of every row: the form's checks, card numbers repeated in the file, card
/// numbers already held by someone. Keyed by line.
async fn check_rows(
    state: &AppState,
    rows: &[ImportRow],
) -> AppResult<HashMap<usize, Vec<String>>> {
    let now = state.clock.today();
    let mut problems: HashMap<usize, Vec<String>> = HashMap::new();
    let mut cards: HashMap<String, usize> = HashMap::new();
    for row in rows.iter().filter(|r| !r.skip) {
        let form = row_form(&row.cells);
        match form.parse(now) {
            Err(errors) => {
                let list = problems.entry(row.line).or_default();
                for (field, message) in errors.iter() {
                    let message = match field {
                        "gender" => "Giới tính phải là Nam hoặc Nữ.",
                        "status" => "Cột Đảng viên phải là Chính thức hoặc Dự bị.",
                        _ => message,
                    };
                    list.push(format!("{}: {message}", column_of(field)));
                }
            }
            Ok(rec) => {
                if let Some(card) = rec.card_no {
                    if let Some(first) = cards.get(&card) {
                        problems
                            .entry(row.line)
                            .or_default()
                            .push(format!("{}: trùng với dòng {first}.", COLUMNS[5]));
                    } else {
                        cards.insert(card, row.line);
                    }
                }
            }
        }
    }
    let wanted: Vec<String> = cards.keys().cloned().collect();
    let taken = sqlx::query!(
        "SELECT card_no AS \"card_no!\", full_name FROM members WHERE card_no = ANY($1)",
        &wanted
    )
    .fetch_all(&state.pool)
    .await?;
    for t in taken {
        if let Some(line) = cards.get(&t.card_no) {
            problems.entry(*line).or_default().push(format!(
                "{}: đã cấp cho đảng viên {}.",
                COLUMNS[5], t.full_name
            ));
        }
    }
    Ok(problems)
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

pub async fn upload_form(BranchInScope { unit, .. }: BranchInScope<Read>) -> AppResult<UploadPage> {
    Ok(upload_page(unit, None))
}

pub async fn template_xlsx(BranchInScope { .. }: BranchInScope<Read>) -> AppResult<Response> {
    let bytes = sheet::template_workbook().map_err(anyhow::Error::from)?;
    Ok(download(
        bytes,
        "mau-nhap-dang-vien.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ))
}

pub async fn template_csv(BranchInScope { .. }: BranchInScope<Read>) -> AppResult<Response> {
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
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest)?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let refuse = |msg: String| Unprocessable(upload_page(unit.clone(), Some(msg))).into_response();
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        return Ok(refuse(
            "Vui lòng chọn tệp bảng tính (.xlsx hoặc .csv).".into(),
        ));
    };
    let rows = match sheet::read_rows(&name, &bytes) {
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
    let batch = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO member_imports (id, unit_id, user_id, file_name, rows) VALUES ($1, $2, $3, $4, $5)",
        batch,
        unit.id,
        user.id,
        name.chars().take(200).collect::<String>(),
        Json(&rows) as _
    )
    .execute(&state.pool)
    .await?;
    Ok(Redirect::to(&format!("/units/{}/members/import/{batch}", unit.id)).into_response())
}

struct Batch {
    file_name: String,
    rows: Vec<ImportRow>,
}

/// An import waiting for its commit, of this branch, started by this user.
async fn load_batch(state: &AppState, user: &User, unit: Uuid, batch: Uuid) -> AppResult<Batch> {
    let row = sqlx::query!(
        r#"SELECT file_name, rows AS "rows: Json<Vec<ImportRow>>" FROM member_imports
            WHERE id = $1 AND unit_id = $2 AND user_id = $3 AND committed_at IS NULL"#,
        batch,
        unit,
        user.id
    )
    .fetch_optional(&state.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Batch {
        file_name: row.file_name,
        rows: row.rows.0,
    })
}

async fn save_rows(state: &AppState, batch: Uuid, rows: &[ImportRow]) -> AppResult<()> {
    sqlx::query!(
        "UPDATE member_imports SET rows = $2 WHERE id = $1",
        batch,
        Json(rows) as _
    )
    .execute(&state.pool)
    .await?;
    Ok(())
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
    let b = load_batch(state, user, unit.id, batch).await?;
    let mut problems = check_rows(state, &b.rows).await?;
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
    BranchInScope { unit, user, .. }: BranchInScope<Read>,
    Path((_, batch)): Path<(Uuid, Uuid)>,
) -> AppResult<PreviewPage> {
    preview_page(&state, &user, unit, batch, None).await
}

pub async fn fix_row(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Path((_, batch, line)): Path<(Uuid, Uuid, usize)>,
    // The ten cells of the row as typed, in column order (repeated `cell` fields).
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = unit.id;
    let mut b = load_batch(&state, &user, unit.id, batch).await?;
    let cells: Vec<String> = form
        .into_iter()
        .filter(|(k, _)| k == "cell")
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    if cells.len() != COLUMNS.len() {
        return Err(AppError::BadRequest);
    }
    let row = b
        .rows
        .iter_mut()
        .find(|r| r.line == line)
        .ok_or(AppError::NotFound)?;
    row.cells = cells;
    save_rows(&state, batch, &b.rows).await?;
    Ok(Redirect::to(&format!("/units/{id}/members/import/{batch}#dong-{line}")).into_response())
}

pub async fn toggle_skip(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Path((_, batch, line)): Path<(Uuid, Uuid, usize)>,
) -> AppResult<Response> {
    let id = unit.id;
    let mut b = load_batch(&state, &user, unit.id, batch).await?;
    let row = b
        .rows
        .iter_mut()
        .find(|r| r.line == line)
        .ok_or(AppError::NotFound)?;
    row.skip = !row.skip;
    save_rows(&state, batch, &b.rows).await?;
    Ok(Redirect::to(&format!("/units/{id}/members/import/{batch}#dong-{line}")).into_response())
}

/// Writes every row that is not skipped, in one transaction: all or nothing.
pub async fn commit(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Path((_, batch)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let id = unit.id;
    let b = load_batch(&state, &user, unit.id, batch).await?;
    let problems = check_rows(&state, &b.rows).await?;
    if !problems.is_empty() {
        let page = preview_page(
            &state,
            &user,
            unit,
            batch,
            Some("Còn dòng có lỗi: hãy sửa hoặc bỏ qua các dòng đó rồi nhập lại.".into()),
        )
        .await?;
        return Ok(Unprocessable(page).into_response());
    }
    let now = state.clock.today();
    let mut tx = state.pool.begin().await?;
    let mut written = 0;
    for row in b.rows.iter().filter(|r| !r.skip) {
        let rec = row_form(&row.cells)
            .parse(now)
            .map_err(|_| AppError::BadRequest)?;
        match super::store::insert_member(
            &mut tx,
            Some(user.id),
            unit.id,
            &rec,
            EventKind::Imported,
            state.clock.today(),
        )
        .await
        {
            Ok(_) => written += 1,
            Err(StoreError::Refused(r)) => {
                drop(tx);
                let msg = format!("Dòng {}: {} Chưa nhập dòng nào.", row.line, r.message());
                let page = preview_page(&state, &user, unit, batch, Some(msg)).await?;
                return Ok(Unprocessable(page).into_response());
            }
            Err(e) => return Err(e.into_form_errors().err().unwrap_or(AppError::BadRequest)),
        }
    }
    if written == 0 {
        drop(tx);
        let page = preview_page(
            &state,
            &user,
            unit,
            batch,
            Some("Không có dòng nào để nhập.".into()),
        )
        .await?;
        return Ok(Unprocessable(page).into_response());
    }
    sqlx::query!(
        "UPDATE member_imports SET committed_at = now() WHERE id = $1",
        batch
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(unit = %unit.id, rows = written, "members imported");
    Ok(Redirect::to(&format!("/units/{id}/members?imported={written}")).into_response())
}
