//! The unit forms as typed, and their parse into what the store takes. Pure: whether the
//! parent may hold the unit, and every check against other units, is the store's (typed
//! `OrgRefusal`s).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::domain::{self, BranchType, UnitKind};
use crate::error::Refusal;
use crate::web::{FieldErrors, date_field};

/// A new unit, as typed.
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct NewUnitForm {
    pub parent: String,
    pub kind: String,
    pub branch_type: String,
    pub name: String,
    pub valid_from: String,
}

/// A unit to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    /// `None` for a top-level unit (a system administrator's).
    pub parent_id: Option<Uuid>,
    pub kind: UnitKind,
    /// A branch's type; `None` for every other kind.
    pub branch_type: Option<BranchType>,
    pub name: String,
    pub valid_from: NaiveDate,
}

impl NewUnitForm {
    /// The parent as sent: empty for none; `Err` for a value no form of ours sends.
    pub fn parent_id(&self) -> Result<Option<Uuid>, uuid::Error> {
        match self.parent.trim() {
            "" => Ok(None),
            raw => Uuid::parse_str(raw).map(Some),
        }
    }

    /// The unit under `parent_id` (already checked against the user's scope).
    pub fn parse(&self, parent_id: Option<Uuid>) -> Result<NewUnit, FieldErrors> {
        let mut errors = FieldErrors::control_chars(self);
        let name = domain::parse_name(&self.name)
            .map_err(|r| {
                if errors.get("name").is_none() {
                    errors.add(r.field(), r.message())
                }
            })
            .ok();
        let kind = UnitKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Vui lòng chọn loại đơn vị.");
        }
        let branch_type = match (kind, BranchType::parse(self.branch_type.trim())) {
            (Some(k), Some(t)) if k.is_branch() => Some(t),
            (Some(k), None) if k.is_branch() => {
                errors.add("branch_type", "Vui lòng chọn loại hình chi bộ.");
                None
            }
            _ => None,
        };
        let valid_from = date_field(&self.valid_from, "valid_from", true, &mut errors);
        match (name, kind, valid_from) {
            (Some(name), Some(kind), Some(valid_from)) if errors.is_empty() => Ok(NewUnit {
                parent_id,
                kind,
                branch_type,
                name,
                valid_from,
            }),
            _ => Err(errors),
        }
    }
}

/// A new name, as typed, with the version the form was built from.
#[derive(Debug, Deserialize, Serialize, Default)]
#[serde(default)]
pub struct RenameForm {
    pub name: String,
    pub version: i32,
}

impl RenameForm {
    pub fn parse(&self) -> Result<String, FieldErrors> {
        let errors = FieldErrors::control_chars(self);
        if !errors.is_empty() {
            return Err(errors);
        }
        domain::parse_name(&self.name).map_err(|r| FieldErrors::one(r.field(), r.message()))
    }
}

/// A unit picked from a list, as sent: its id.
fn picked(raw: &str, field: &'static str, errors: &mut FieldErrors) -> Option<Uuid> {
    let id = Uuid::parse_str(raw.trim()).ok();
    if id.is_none() {
        errors.add(field, "Vui lòng chọn một đơn vị.");
    }
    id
}

/// A new parent, as picked, with the version the form was built from.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    pub parent: String,
    pub version: i32,
}

impl MoveForm {
    /// The picked parent (whether the user may pick it is the handler's scope check).
    pub fn parse(&self) -> Result<Uuid, FieldErrors> {
        let mut errors = FieldErrors::default();
        picked(&self.parent, "parent", &mut errors).ok_or(errors)
    }
}

/// The unit to merge into and the day, as typed.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct MergeForm {
    pub target: String,
    pub date: String,
    pub version: i32,
}

impl MergeForm {
    pub fn parse(&self) -> Result<(Uuid, NaiveDate), FieldErrors> {
        let mut errors = FieldErrors::default();
        let target = picked(&self.target, "target", &mut errors);
        let date = date_field(&self.date, "date", true, &mut errors);
        match (target, date) {
            (Some(target), Some(date)) => Ok((target, date)),
            _ => Err(errors),
        }
    }
}

/// The day a unit stops, and the unit that takes over (optional), as typed.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    pub date: String,
    pub successor: String,
    pub version: i32,
}

impl CloseForm {
    pub fn parse(&self) -> Result<(NaiveDate, Option<Uuid>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = date_field(&self.date, "date", true, &mut errors);
        let successor = match self.successor.trim() {
            "" => None,
            raw => picked(raw, "successors", &mut errors),
        };
        match date {
            Some(date) if errors.is_empty() => Ok((date, successor)),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_branch_needs_its_type_and_other_units_ignore_one() {
        let form = |kind: &str, branch_type: &str| NewUnitForm {
            kind: kind.into(),
            branch_type: branch_type.into(),
            name: " Chi bộ thôn Trung ".into(),
            valid_from: "01/07/2025".into(),
            ..NewUnitForm::default()
        };
        let branch = form("branch", "village").parse(None).unwrap();
        assert_eq!(branch.kind, UnitKind::Branch);
        assert_eq!(branch.branch_type, Some(BranchType::Thon));
        assert_eq!(branch.name, "Chi bộ thôn Trung");
        assert_eq!(
            branch.valid_from,
            NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()
        );
        assert_eq!(
            form("branch", "")
                .parse(None)
                .unwrap_err()
                .get("branch_type"),
            Some("Vui lòng chọn loại hình chi bộ.")
        );
        assert_eq!(
            form("province", "village").parse(None).unwrap().branch_type,
            None
        );
        let errors = NewUnitForm::default().parse(None).unwrap_err();
        assert!(errors.get("name").is_some() && errors.get("kind").is_some());
        assert!(errors.get("valid_from").is_some());
    }

    #[test]
    fn a_pick_is_an_id_and_a_day_a_date() {
        let id = Uuid::now_v7();
        let merge = MergeForm {
            target: id.to_string(),
            date: "2025-07-01".into(),
            version: 1,
        };
        assert_eq!(
            merge.parse().ok(),
            Some((id, NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()))
        );
        let errors = MergeForm::default().parse().unwrap_err();
        assert_eq!(errors.get("target"), Some("Vui lòng chọn một đơn vị."));
        assert!(errors.get("date").is_some());
        let close = |successor: &str| CloseForm {
            date: "01/07/2025".into(),
            successor: successor.into(),
            version: 1,
        };
        assert_eq!(close("").parse().unwrap().1, None);
        assert!(close("x").parse().unwrap_err().get("successors").is_some());
        assert!(
            MoveForm::default()
                .parse()
                .unwrap_err()
                .get("parent")
                .is_some()
        );
    }

    #[test]
    fn the_parent_is_empty_or_an_id() {
        let with = |parent: &str| NewUnitForm {
            parent: parent.into(),
            ..NewUnitForm::default()
        };
        assert_eq!(with(" ").parent_id().unwrap(), None);
        assert!(with("nope").parent_id().is_err());
        let id = Uuid::now_v7();
        assert_eq!(with(&id.to_string()).parent_id().unwrap(), Some(id));
    }
}
