//! The demo's organisation: the towns with their wards and branches, and their insert.

use crate::org::domain::{BranchType, UnitKind};
use chrono::NaiveDate;
use uuid::Uuid;

use super::*;

pub(super) struct UnitSpec {
    pub(super) id: Uuid,
    pub(super) parent: Option<Uuid>,
    pub(super) path: String,
    pub(super) kind: UnitKind,
    pub(super) branch_type: Option<BranchType>,
    pub(super) name: String,
    pub(super) valid_from: NaiveDate,
}

#[derive(Default)]
pub(super) struct Units(pub(super) Vec<UnitSpec>);

impl Units {
    pub(super) fn add(
        &mut self,
        parent: Option<usize>,
        kind: UnitKind,
        branch_type: Option<BranchType>,
        name: String,
        valid_from: NaiveDate,
    ) -> usize {
        let id = Uuid::now_v7();
        let label = id.simple().to_string();
        let (parent_id, path) = match parent {
            Some(p) => (Some(self.0[p].id), format!("{}.{label}", self.0[p].path)),
            None => (None, label),
        };
        self.0.push(UnitSpec {
            id,
            parent: parent_id,
            path,
            kind,
            branch_type,
            name,
            valid_from,
        });
        self.0.len() - 1
    }
}

/// Adds a town shaped like Kỳ Anh under `parent`: 12 wards and communes with their
/// residential branches, 18 agencies, schools, enterprises and forces with theirs (30
/// grassroots committees, 177 branches). Returns the town, its first ward and its branches
/// with their types. `tag` distinguishes the unit names of the extra towns of a benchmark.
pub(super) fn add_town(
    units: &mut Units,
    parent: usize,
    name: &str,
    tag: Option<&str>,
    from: NaiveDate,
) -> (usize, usize, Vec<(usize, BranchType)>) {
    let named = |n: &str| match tag {
        Some(t) => format!("{n} ({t})"),
        None => n.to_owned(),
    };
    let town = units.add(
        Some(parent),
        UnitKind::UpperCommittee,
        None,
        name.into(),
        from,
    );
    let mut branches = Vec::new();
    let mut first_ward = None;
    for (ward, is_ward, groups) in names::KY_ANH_WARDS {
        let w = units.add(
            Some(town),
            UnitKind::GrassrootsCommittee,
            None,
            named(ward),
            from,
        );
        first_ward.get_or_insert(w);
        let (prefix, bt) = if *is_ward {
            ("Chi bộ Tổ dân phố", BranchType::ToDanPho)
        } else {
            ("Chi bộ Thôn", BranchType::Thon)
        };
        for g in *groups {
            let b = units.add(
                Some(w),
                UnitKind::Branch,
                Some(bt),
                format!("{prefix} {g}"),
                from,
            );
            branches.push((b, bt));
        }
    }
    for (org, org_branches) in names::KY_ANH_OTHERS {
        let o = units.add(
            Some(town),
            UnitKind::GrassrootsCommittee,
            None,
            named(org),
            from,
        );
        for (branch, bt) in *org_branches {
            let b = units.add(Some(o), UnitKind::Branch, Some(*bt), (*branch).into(), from);
            branches.push((b, *bt));
        }
    }
    (town, first_ward.expect("the town has wards"), branches)
}

pub(super) async fn insert_units(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    units: &[UnitSpec],
) -> anyhow::Result<()> {
    let ids: Vec<Uuid> = units.iter().map(|u| u.id).collect();
    let parents: Vec<Option<Uuid>> = units.iter().map(|u| u.parent).collect();
    let paths: Vec<String> = units.iter().map(|u| u.path.clone()).collect();
    let kinds: Vec<String> = units.iter().map(|u| u.kind.to_string()).collect();
    let types: Vec<Option<String>> = units
        .iter()
        .map(|u| u.branch_type.map(|t| t.to_string()))
        .collect();
    let names: Vec<String> = units.iter().map(|u| u.name.clone()).collect();
    let froms: Vec<NaiveDate> = units.iter().map(|u| u.valid_from).collect();
    sqlx::query!(
        "INSERT INTO units (id, parent_id, path, kind, branch_type, name, valid_from)
         SELECT i, p, text2ltree(pa), k, t, n, f
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[])
                AS x(i, p, pa, k, t, n, f)",
        &ids,
        &parents as &[Option<Uuid>],
        &paths,
        &kinds,
        &types as &[Option<String>],
        &names,
        &froms
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
