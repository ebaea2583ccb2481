//! Fictional but realistic Vietnamese names and places for demo data. The people are
//! invented; the place names are those of the seed articles (Kỳ Anh, Đức Thọ, Hà Tĩnh).

use crate::org::domain::BranchType;

/// Family names with rough weights (per mille) for north-central Vietnam.
pub const FAMILY: &[(&str, u32)] = &[
    ("Nguyễn", 330),
    ("Trần", 110),
    ("Lê", 100),
    ("Phan", 60),
    ("Võ", 55),
    ("Hoàng", 45),
    ("Đặng", 35),
    ("Hồ", 35),
    ("Bùi", 30),
    ("Dương", 25),
    ("Đinh", 25),
    ("Thái", 20),
    ("Phạm", 40),
    ("Ngô", 20),
    ("Đỗ", 15),
    ("Trương", 15),
    ("Lưu", 10),
    ("Mai", 10),
    ("Đoàn", 10),
    ("Chu", 5),
    ("Tạ", 5),
];

pub const MIDDLE_MALE: &[&str] = &[
    "Văn", "Văn", "Văn", "Đình", "Hữu", "Xuân", "Quang", "Minh", "Đức", "Công", "Anh", "Thanh",
    "Ngọc", "Trọng", "Duy", "Quốc",
];

pub const MIDDLE_FEMALE: &[&str] = &[
    "Thị",
    "Thị",
    "Thị",
    "Thị",
    "Thị Thanh",
    "Thị Thu",
    "Thị Hồng",
    "Thị Kim",
    "Ngọc",
    "Thu",
    "Hải",
    "Thị Minh",
];

pub const GIVEN_MALE: &[&str] = &[
    "Hùng", "Dũng", "Tuấn", "Hải", "Sơn", "Long", "Nam", "Bình", "Cường", "Thắng", "Hòa", "Lâm",
    "Tâm", "Đức", "Trung", "Quang", "Phúc", "Vinh", "Toàn", "Hiếu", "Thành", "Tùng", "Khánh",
    "Lợi", "Hưng", "Tiến", "Châu", "An", "Bảo", "Chiến", "Định", "Giang", "Hoàn", "Kiên", "Lực",
    "Mạnh", "Nghĩa", "Phong", "Quý", "Sáu", "Thông", "Uy", "Việt", "Ân", "Ánh", "Đạt",
];

pub const GIVEN_FEMALE: &[&str] = &[
    "Lan", "Hương", "Hoa", "Mai", "Hằng", "Nga", "Hà", "Thủy", "Yến", "Nhung", "Thảo", "Linh",
    "Trang", "Hiền", "Phương", "Loan", "Oanh", "Hạnh", "Ngân", "Huyền", "Vân", "Tâm", "Dung",
    "Liên", "Xuân", "Ánh", "Ý", "Chi", "Duyên", "Giang", "Khuyên", "Lý", "Quyên", "Sương", "Tuyết",
];

/// Wards and communes of the town (before 2025), each with the names of its residential
/// groups or villages.
pub const KY_ANH_WARDS: &[(&str, bool, &[&str])] = &[
    (
        "Đảng bộ phường Sông Trí",
        true,
        &[
            "Hưng Lợi",
            "Hưng Hòa",
            "Hưng Thịnh",
            "Đông Trinh",
            "Tây Yên",
            "Bắc Hà",
            "Nam Hà",
            "Trung Hà",
            "Châu Phố",
            "Minh Huệ",
            "Tân Phong",
            "Lê Lợi",
        ],
    ),
    (
        "Đảng bộ phường Hưng Trí",
        true,
        &[
            "Quang Trung",
            "Tiến Thành",
            "Tân Thành",
            "Đông Yên",
            "Hưng Bình",
            "Hưng Phú",
            "Bắc Trí",
            "Nam Trí",
            "Trung Trí",
            "Hòa Bình",
            "Tân Lập",
        ],
    ),
    (
        "Đảng bộ phường Kỳ Trinh",
        true,
        &[
            "Hoành Nam",
            "Hoành Sơn",
            "Ba Đồng",
            "Đông Trinh",
            "Tây Trinh",
            "Trinh Hà",
            "Trinh Phú",
            "Bắc Trinh",
            "Nam Trinh",
            "Đồng Tiến",
            "Tân Hà",
        ],
    ),
    (
        "Đảng bộ phường Kỳ Thịnh",
        true,
        &[
            "Thịnh Lợi",
            "Thịnh Hòa",
            "Thịnh Đông",
            "Thịnh Tây",
            "Trường Sơn",
            "Đông Thịnh",
            "Tân Thịnh",
            "Hải Thịnh",
            "Bắc Thịnh",
            "Nam Thịnh",
        ],
    ),
    (
        "Đảng bộ phường Kỳ Long",
        true,
        &[
            "Long Sơn",
            "Long Thịnh",
            "Long Hải",
            "Long Phú",
            "Hải Phong",
            "Đông Long",
            "Tây Long",
            "Bắc Long",
            "Nam Long",
            "Tân Long",
        ],
    ),
    (
        "Đảng bộ phường Kỳ Liên",
        true,
        &[
            "Liên Sơn",
            "Liên Hải",
            "Liên Phú",
            "Liên Hà",
            "Hải Hà",
            "Đông Liên",
            "Tây Liên",
            "Bắc Liên",
            "Nam Liên",
            "Tân Liên",
            "Liên Thịnh",
        ],
    ),
    (
        "Đảng bộ phường Kỳ Phương",
        true,
        &[
            "Phương Giai",
            "Phương Đông",
            "Phương Tây",
            "Phương Hải",
            "Phương Thịnh",
            "Bắc Phương",
            "Nam Phương",
            "Tân Phương",
            "Hải Phương",
            "Đông Phương",
            "Trung Phương",
            "Phú Phương",
        ],
    ),
    (
        "Đảng bộ xã Kỳ Hoa",
        false,
        &[
            "Tân Hoa",
            "Hoa Sơn",
            "Hoa Thắng",
            "Đông Hoa",
            "Tây Hoa",
            "Bắc Hoa",
            "Nam Hoa",
            "Hoa Tiến",
            "Hoa Lợi",
            "Trung Hoa",
            "Hoa Phú",
        ],
    ),
    (
        "Đảng bộ xã Kỳ Hà",
        false,
        &[
            "Tân Hải",
            "Hải Hà",
            "Đông Hà",
            "Bắc Hà",
            "Nam Hà",
            "Hà Tiến",
            "Hà Thắng",
            "Hà Lợi",
            "Trung Hà",
            "Hà Phú",
        ],
    ),
    (
        "Đảng bộ xã Kỳ Ninh",
        false,
        &[
            "Ninh Hải",
            "Ninh Sơn",
            "Ninh Phú",
            "Đông Ninh",
            "Tây Ninh",
            "Bắc Ninh",
            "Nam Ninh",
            "Tân Ninh",
            "Ninh Thịnh",
            "Ninh Lợi",
            "Trung Ninh",
        ],
    ),
    (
        "Đảng bộ xã Kỳ Lợi",
        false,
        &[
            "Hải Phong",
            "Đông Yên",
            "Tân Lợi",
            "Bắc Lợi",
            "Nam Lợi",
            "Lợi Sơn",
            "Lợi Hải",
            "Lợi Phú",
            "Trung Lợi",
            "Lợi Thịnh",
            "Lợi Tiến",
            "Đông Lợi",
        ],
    ),
    (
        "Đảng bộ xã Kỳ Nam",
        false,
        &[
            "Trung Sơn",
            "Bắc Sơn",
            "Nam Sơn",
            "Tây Sơn",
            "Hợp Tiến",
            "Tân Thắng",
            "Xuân Hải",
            "Nam Hải",
            "Đông Nam",
            "Tân Nam",
            "Nam Phú",
        ],
    ),
];

/// Agencies, schools, enterprises and forces of the town: the other grassroots committees,
/// each with the names of its branches.
pub const KY_ANH_OTHERS: &[(&str, &[(&str, BranchType)])] = &[
    (
        "Đảng bộ Cơ quan Thị ủy",
        &[
            ("Chi bộ Văn phòng Thị ủy", BranchType::CoQuan),
            ("Chi bộ Ban Tổ chức Thị ủy", BranchType::CoQuan),
            ("Chi bộ Ban Tuyên giáo Thị ủy", BranchType::CoQuan),
        ],
    ),
    (
        "Đảng bộ Cơ quan Ủy ban nhân dân thị xã",
        &[
            ("Chi bộ Văn phòng HĐND - UBND", BranchType::CoQuan),
            ("Chi bộ Phòng Tài chính - Kế hoạch", BranchType::CoQuan),
            ("Chi bộ Phòng Nội vụ", BranchType::CoQuan),
        ],
    ),
    (
        "Đảng bộ Khối Mặt trận và các đoàn thể",
        &[
            ("Chi bộ Ủy ban MTTQ thị xã", BranchType::CoQuan),
            ("Chi bộ Thị đoàn", BranchType::CoQuan),
            ("Chi bộ Hội Nông dân", BranchType::CoQuan),
        ],
    ),
    (
        "Đảng bộ Công an thị xã",
        &[
            (
                "Chi bộ Đội Cảnh sát giao thông",
                BranchType::LucLuongVuTrang,
            ),
            ("Chi bộ Đội An ninh", BranchType::LucLuongVuTrang),
            ("Chi bộ Đội Cảnh sát hình sự", BranchType::LucLuongVuTrang),
        ],
    ),
    (
        "Đảng bộ Quân sự thị xã",
        &[
            (
                "Chi bộ Cơ quan Ban Chỉ huy Quân sự",
                BranchType::LucLuongVuTrang,
            ),
            (
                "Chi bộ Trung đội Dân quân cơ động",
                BranchType::LucLuongVuTrang,
            ),
            ("Chi bộ Kho vũ khí", BranchType::LucLuongVuTrang),
        ],
    ),
    (
        "Đảng bộ Bệnh viện Đa khoa thị xã",
        &[
            ("Chi bộ Khối Nội", BranchType::SuNghiep),
            ("Chi bộ Khối Ngoại", BranchType::SuNghiep),
            ("Chi bộ Hành chính - Cận lâm sàng", BranchType::SuNghiep),
        ],
    ),
    (
        "Đảng bộ Trung tâm Y tế thị xã",
        &[
            ("Chi bộ Y tế dự phòng", BranchType::SuNghiep),
            (
                "Chi bộ Dân số - Kế hoạch hóa gia đình",
                BranchType::SuNghiep,
            ),
            ("Chi bộ Trạm y tế các phường", BranchType::SuNghiep),
        ],
    ),
    (
        "Đảng bộ Trường THPT Kỳ Anh",
        &[
            ("Chi bộ Tổ Tự nhiên", BranchType::SuNghiep),
            ("Chi bộ Tổ Xã hội", BranchType::SuNghiep),
            ("Chi bộ Hành chính", BranchType::SuNghiep),
        ],
    ),
    (
        "Đảng bộ Trường THPT Lê Quảng Chí",
        &[
            ("Chi bộ Tổ Toán - Tin", BranchType::SuNghiep),
            ("Chi bộ Tổ Văn - Sử - Địa", BranchType::SuNghiep),
            ("Chi bộ Tổ Ngoại ngữ - Thể dục", BranchType::SuNghiep),
        ],
    ),
    (
        "Đảng bộ Trung tâm Giáo dục nghề nghiệp - GDTX",
        &[
            ("Chi bộ Giáo viên", BranchType::SuNghiep),
            ("Chi bộ Hành chính - Đào tạo", BranchType::SuNghiep),
        ],
    ),
    (
        "Đảng bộ Ban Quản lý Khu kinh tế Vũng Áng",
        &[
            ("Chi bộ Văn phòng Ban", BranchType::CoQuan),
            ("Chi bộ Phòng Quy hoạch - Xây dựng", BranchType::CoQuan),
        ],
    ),
    (
        "Đảng bộ Cảng Vũng Áng",
        &[
            ("Chi bộ Khai thác cảng", BranchType::DnNhaNuoc),
            ("Chi bộ Kỹ thuật - Vật tư", BranchType::DnNhaNuoc),
        ],
    ),
    (
        "Đảng bộ Điện lực Kỳ Anh",
        &[
            ("Chi bộ Kỹ thuật", BranchType::DnNhaNuoc),
            ("Chi bộ Kinh doanh", BranchType::DnNhaNuoc),
        ],
    ),
    (
        "Đảng bộ Chi nhánh Ngân hàng Nông nghiệp thị xã",
        &[
            ("Chi bộ Tín dụng", BranchType::DnNhaNuoc),
            ("Chi bộ Kế toán - Ngân quỹ", BranchType::DnNhaNuoc),
        ],
    ),
    (
        "Đảng bộ Công ty Cổ phần Môi trường đô thị Kỳ Anh",
        &[
            ("Chi bộ Đội Vệ sinh", BranchType::DnNgoaiNhaNuoc),
            ("Chi bộ Văn phòng Công ty", BranchType::DnNgoaiNhaNuoc),
        ],
    ),
    (
        "Đảng bộ Công ty TNHH Xây dựng Hoành Sơn",
        &[
            ("Chi bộ Thi công", BranchType::DnNgoaiNhaNuoc),
            ("Chi bộ Văn phòng", BranchType::DnNgoaiNhaNuoc),
        ],
    ),
    (
        "Đảng bộ Trung tâm Văn hóa - Truyền thông",
        &[
            ("Chi bộ Truyền thông", BranchType::SuNghiep),
            ("Chi bộ Văn hóa - Thể thao", BranchType::SuNghiep),
        ],
    ),
    (
        "Đảng bộ Chi cục Thuế khu vực",
        &[
            ("Chi bộ Kiểm tra thuế", BranchType::CoQuan),
            ("Chi bộ Hành chính - Nghiệp vụ", BranchType::CoQuan),
        ],
    ),
];

/// Communes of the former Đức Thọ district (closed 30/06/2025) that merged into the new
/// commune "Đức Thọ" directly under the province, each with its branches.
pub const DUC_THO_OLD: &[(&str, &[&str])] = &[
    (
        "Đảng bộ thị trấn Đức Thọ",
        &[
            "Tổ dân phố 8",
            "Tổ dân phố 5",
            "Tổ dân phố Trung Thành",
            "Tổ dân phố Hòa Bình",
        ],
    ),
    (
        "Đảng bộ xã Tùng Ảnh",
        &[
            "Thôn Trung Tùng",
            "Thôn Đông Tùng",
            "Thôn Tây Tùng",
            "Thôn Yên Ích",
        ],
    ),
    (
        "Đảng bộ xã Đức Yên",
        &["Thôn Yên Hòa", "Thôn Yên Bình", "Thôn Yên Thịnh"],
    ),
];

pub const HOMETOWNS: &[&str] = &[
    "Kỳ Anh, Hà Tĩnh",
    "Cẩm Xuyên, Hà Tĩnh",
    "Đức Thọ, Hà Tĩnh",
    "Hương Sơn, Hà Tĩnh",
    "Thạch Hà, Hà Tĩnh",
    "Can Lộc, Hà Tĩnh",
    "Nghi Xuân, Hà Tĩnh",
    "Hồng Lĩnh, Hà Tĩnh",
    "Quảng Trạch, Quảng Bình",
    "Diễn Châu, Nghệ An",
];
