//! What the tests of the rubric and of scoring share.

use super::document::Rubric;

/// A small rubric used by the tests of the rubric and of scoring: 20 points.
pub fn sample() -> Rubric {
    Rubric::parse_file(
        r#"
code = "MAU"
title = "Mẫu"
legal_basis = "Thử"
issuer = "Thử"
description = "Dùng trong kiểm thử"
kinds = ["regular", "combined"]
effective_from = "2025-01-01"
total = 20
minimum_minutes = { regular = 90, thematic = 90, combined = 120 }

[[groups]]
code = "a"
title = "Tỷ lệ dự"
max = 6
provenance = { confidence = "secondary", source = "Một bản tóm tắt (thử)" }
[[groups.criteria]]
code = "ty_le"
title = "Tỷ lệ dự"
max = 4
input = { type = "computed", source = "attendance_rate", steps = [
  { min = 90, points = 4 }, { min = 75, points = 3 }, { min = 0, points = 1 } ] }
provenance = { confidence = "official", source = "Quy định thử, Điều 3" }
[[groups.criteria]]
code = "khong_vang"
title = "Không vắng không lý do"
max = 2
input = { type = "computed", source = "unexcused_absences", steps = [ { max = 0, points = 2 } ] }

[[groups]]
code = "b"
title = "Tổ chức"
max = 14
[[groups.criteria]]
code = "thoi_luong"
title = "Thời lượng"
max = 4
input = { type = "computed", source = "duration_percent", steps = [
  { min = 100, points = 4 }, { min = 50, points = 2 } ] }
[[groups.criteria]]
code = "noi_dung"
title = "Nội dung"
max = 5.5
input = { type = "number" }
[[groups.criteria]]
code = "phe_binh"
title = "Phê bình"
max = 1.5
input = { type = "check" }
[[groups.criteria]]
code = "quy_trinh"
title = "Quy trình"
max = 3
input = { type = "choice", options = [ { label = "Đủ", points = 3 }, { label = "Thiếu", points = 1 } ] }

[[bands]]
code = "tot"
label = "Tốt"
min = 18
provenance = { confidence = "assumed", source = "Thường gặp ở nơi khác: 90/70/50" }
[[bands]]
code = "kha"
label = "Khá"
min = 14
[[bands]]
code = "tb"
label = "Trung bình"
min = 10
[[bands]]
code = "kem"
label = "Kém"
min = 0

[[gates]]
label = "Tốt cần đủ điểm tỷ lệ dự và thời lượng"
cap = "kha"
type = "full_marks"
criteria = ["ty_le", "thoi_luong"]
provenance = { confidence = "secondary", source = "Đảng ủy Khối Bình Thuận" }

[[gates]]
label = "Có đảng viên vắng không lý do"
cap = "kha"
type = "fact"
source = "unexcused_absences"
min = 1

[[gates]]
label = "Tỷ lệ dự không quá 50%"
cap = "tb"
type = "fact"
source = "attendance_rate"
max = 50

[[annual]]
class = "tot"
min_average = 18
min_months = 10
months_class = "tot"
no_month_below = "kha"
every_month_held = true
thematic_every_quarter = true
[[annual]]
class = "kha"
min_average = 14
[[annual]]
class = "tb"
min_average = 10
"#,
    )
    .expect("the sample parses")
}
