//! The sheets side by side: group by group, the branch's points, each supervisor's and the
//! difference.

use crate::evaluation::rubric::{Points, Rubric};
use crate::evaluation::store::Evaluation;

/// A row of the side-by-side comparison: a group, the branch's points, each supervisor's.
pub struct CompareRow {
    pub title: String,
    pub max: Points,
    pub branch: Option<Points>,
    pub uppers: Vec<Points>,
    pub difference: String,
}

fn signed(p: Points) -> String {
    if p.0 > 0 {
        format!("+{p}")
    } else {
        p.to_string()
    }
}

pub(super) fn compare(
    r: &Rubric,
    branch: Option<&Evaluation>,
    uppers: &[Evaluation],
) -> Vec<CompareRow> {
    let group_sum = |e: &Evaluation, codes: &[&str]| {
        Points(
            e.items
                .iter()
                .filter(|i| codes.contains(&i.code.as_str()))
                .map(|i| i.points.0)
                .sum(),
        )
    };
    let mut rows: Vec<CompareRow> = r
        .groups
        .iter()
        .map(|g| {
            let codes: Vec<&str> = g.criteria.iter().map(|c| c.code.as_str()).collect();
            let b = branch.map(|e| group_sum(e, &codes));
            let u: Vec<Points> = uppers.iter().map(|e| group_sum(e, &codes)).collect();
            CompareRow {
                title: g.title.clone(),
                max: g.max,
                difference: diff(b, &u),
                branch: b,
                uppers: u,
            }
        })
        .collect();
    let b = branch.map(|e| e.total);
    let u: Vec<Points> = uppers.iter().map(|e| e.total).collect();
    rows.push(CompareRow {
        title: "Tổng điểm".into(),
        max: r.total,
        difference: diff(b, &u),
        branch: b,
        uppers: u,
    });
    rows
}

/// The supervisors' mean less the branch's points.
fn diff(branch: Option<Points>, uppers: &[Points]) -> String {
    match branch {
        Some(b) if !uppers.is_empty() => {
            let mean = uppers.iter().map(|p| p.0).sum::<i32>() as f64 / uppers.len() as f64;
            signed(Points(mean.round() as i32 - b.0))
        }
        _ => "—".into(),
    }
}
