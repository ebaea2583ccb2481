-- Scoring meetings (DOMAIN.md §2.3, §3.6, §9.1): versioned rubrics as data, evaluations that
-- keep the rubric they were scored with, and the review workflow's log.

CREATE TABLE rubrics (
    id             uuid PRIMARY KEY DEFAULT uuid_v7(),
    code           text NOT NULL,
    version        integer NOT NULL CHECK (version > 0),
    title          text NOT NULL,
    legal_basis    text NOT NULL,
    issuer         text NOT NULL,
    -- Where the values come from and how far they are confirmed.
    description    text NOT NULL,
    kinds          text[] NOT NULL,
    -- NULL: every unit; otherwise the unit (a province) whose subtree it covers.
    scope_unit_id  uuid REFERENCES units (id),
    effective_from date NOT NULL,
    effective_to   date,
    status         text NOT NULL CHECK (status IN ('draft', 'published')),
    -- Groups, criteria, bands, gates, annual levels, minimum durations (src/evaluation/rubric.rs).
    sheet          jsonb NOT NULL,
    -- Optimistic lock for drafts; published rubrics never change but for effective_to.
    lock_version   integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     uuid REFERENCES users (id),
    published_at   timestamptz,
    published_by   uuid REFERENCES users (id),
    UNIQUE (code, version),
    CHECK (effective_to IS NULL OR effective_to >= effective_from),
    CHECK (status = 'draft' OR published_at IS NOT NULL)
);
CREATE INDEX rubrics_in_force ON rubrics (effective_from) WHERE status = 'published';

-- One scorer's sheet for one meeting. The branch's self-score is one row; the upper
-- committee's supervisors each score in a row of their own (several at a model meeting).
CREATE TABLE evaluations (
    id             uuid PRIMARY KEY DEFAULT uuid_v7(),
    meeting_id     uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    rubric_id      uuid NOT NULL REFERENCES rubrics (id),
    scorer         text NOT NULL CHECK (scorer IN ('branch', 'upper')),
    scored_by      uuid NOT NULL REFERENCES users (id),
    state          text NOT NULL CHECK (state IN ('draft', 'agreed', 'submitted', 'returned', 'approved')),
    -- Per criterion: points, the computed figure, an override's reason (scoring.rs Item).
    items          jsonb NOT NULL,
    total_tenths   integer NOT NULL CHECK (total_tenths >= 0),
    band           text NOT NULL,
    class          text NOT NULL,
    capped_by      text[] NOT NULL DEFAULT '{}',
    -- Weaknesses and fixes the branch records with its score.
    remarks        text,
    -- The upper committee's decision: the class it recognises, and its comment on return.
    approved_class text,
    review_comment text,
    decided_by     uuid REFERENCES users (id),
    decided_at     timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (scorer = 'branch' OR state IN ('draft', 'approved'))
);
CREATE UNIQUE INDEX evaluations_one_branch_score ON evaluations (meeting_id) WHERE scorer = 'branch';
CREATE UNIQUE INDEX evaluations_one_per_supervisor ON evaluations (meeting_id, scored_by) WHERE scorer = 'upper';
-- Every sheet of a meeting (the page reads them all; the partial indexes above do not serve it).
CREATE INDEX evaluations_meeting ON evaluations (meeting_id);
CREATE INDEX evaluations_rubric ON evaluations (rubric_id);
-- Scoring reads a meeting's votes and guests; the meetings migration indexed neither.
CREATE INDEX votes_meeting ON votes (meeting_id);
CREATE INDEX meeting_guests_meeting ON meeting_guests (meeting_id);

-- The workflow's steps: saved, agreed, submitted, returned (with the comment), approved.
CREATE TABLE evaluation_events (
    id            bigserial PRIMARY KEY,
    evaluation_id uuid NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    kind          text NOT NULL,
    comment       text,
    user_id       uuid REFERENCES users (id),
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evaluation_events_evaluation ON evaluation_events (evaluation_id, id);

-- The shipped rubrics. Their descriptions say where every value came from (DOMAIN.md §2.3):
-- no Hà Tĩnh number is confirmed, so the 1193 sheet is marked as a default to check.
INSERT INTO rubrics (code, version, title, legal_basis, issuer, description, kinds, effective_from, effective_to, status, sheet, published_at)
VALUES ('HT-1193', 1, 'Tiêu chí đánh giá chất lượng sinh hoạt chi bộ theo Quy định 1193-QĐ/TU (mặc định, cần đối chiếu)',
        'Quy định 1193-QĐ/TU ngày 05/12/2019 của Ban Thường vụ Tỉnh ủy Hà Tĩnh; Hướng dẫn 12-HD/BTCTW ngày 06/7/2018 của Ban Tổ chức Trung ương',
        'Ban Thường vụ Tỉnh ủy Hà Tĩnh',
        'CHƯA ĐỐI CHIẾU VỚI VĂN BẢN GỐC. Chưa tìm được bản công khai của Quy định 1193-QĐ/TU: số điểm từng tiêu chí, các mức xếp loại và điều kiện hạn chế của Hà Tĩnh chưa được xác nhận. Bảng này dựng trên 5 tiêu chí khung của Hướng dẫn 12-HD/BTCTW (tỷ lệ dự trên 85%, không vắng không lý do, không vắng có lý do quá 3 lần liên tiếp, chuẩn bị, tiến hành sinh hoạt từ 90 phút, nguyên tắc, kết quả) theo dạng bảng 100 điểm, 4 mức (Tốt ≥ 90, Khá ≥ 70, Trung bình ≥ 50, Kém) mà các tỉnh lân cận dùng (Nghệ An, Đảng ủy Khối Bình Thuận). Điểm từng tiêu chí là giá trị mặc định do nhóm phát triển đặt; Ban Tổ chức Tỉnh ủy cần sửa theo văn bản chính thức rồi ban hành phiên bản mới.',
        ARRAY['regular', 'thematic', 'combined'], DATE '2019-12-05', DATE '2025-10-27',
        'published', $json${
 "total": 100,
 "minimum_minutes": {
  "regular": 90,
  "thematic": 90,
  "combined": 120
 },
 "groups": [
  {
   "code": "ty_le_du",
   "title": "Tỷ lệ đảng viên dự sinh hoạt",
   "max": 20,
   "criteria": [
    {
     "code": "ty_le",
     "title": "Tỷ lệ đảng viên dự (trừ đảng viên miễn sinh hoạt, sinh hoạt tạm thời nơi khác)",
     "max": 15,
     "guidance": "Từ 90%: 15; trên 85%: 12; từ 75%: 8; dưới 75%: 4.",
     "input": {
      "type": "computed",
      "source": "attendance_rate",
      "steps": [
       {
        "min": 90,
        "points": 15
       },
       {
        "min": 85.01,
        "points": 12
       },
       {
        "min": 75,
        "points": 8
       },
       {
        "min": 0,
        "points": 4
       }
      ]
     }
    },
    {
     "code": "khong_vang_kld",
     "title": "Không có đảng viên vắng mặt không lý do",
     "max": 3,
     "input": {
      "type": "computed",
      "source": "unexcused_absences",
      "steps": [
       {
        "max": 0,
        "points": 3
       }
      ]
     }
    },
    {
     "code": "vang_lien_tiep",
     "title": "Không có đảng viên vắng có lý do quá 3 lần liên tiếp trong năm",
     "max": 2,
     "input": {
      "type": "computed",
      "source": "excused_streak",
      "steps": [
       {
        "max": 3,
        "points": 2
       }
      ]
     }
    }
   ]
  },
  {
   "code": "chuan_bi",
   "title": "Công tác chuẩn bị",
   "max": 20,
   "criteria": [
    {
     "code": "bi_thu_chuan_bi",
     "title": "Bí thư hoặc phó bí thư trực tiếp chuẩn bị nội dung",
     "max": 5,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "hop_chi_uy",
     "title": "Chi ủy (bí thư, phó bí thư) họp trước để chuẩn bị",
     "max": 5,
     "input": {
      "type": "computed",
      "source": "committee_met_before",
      "steps": [
       {
        "min": 1,
        "points": 5
       }
      ]
     }
    },
    {
     "code": "noi_dung",
     "title": "Nội dung đúng, đủ, theo hướng dẫn của cấp trên",
     "max": 5,
     "input": {
      "type": "number"
     }
    },
    {
     "code": "du_thao",
     "title": "Có dự thảo nghị quyết (kết luận)",
     "max": 5,
     "input": {
      "type": "computed",
      "source": "draft_resolution",
      "steps": [
       {
        "min": 1,
        "points": 5
       }
      ]
     }
    }
   ]
  },
  {
   "code": "tien_hanh",
   "title": "Tiến hành sinh hoạt",
   "max": 35,
   "criteria": [
    {
     "code": "trinh_tu",
     "title": "Đúng giờ, đúng trình tự, đủ nội dung",
     "max": 10,
     "input": {
      "type": "number"
     }
    },
    {
     "code": "bieu_duong",
     "title": "Biểu dương, nhắc nhở, phê bình đảng viên",
     "max": 5,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "phat_bieu",
     "title": "Nhiều đảng viên phát biểu ý kiến",
     "max": 10,
     "guidance": "Từ 50% số đảng viên dự: 10; từ 30%: 7; dưới 30%: 3.",
     "input": {
      "type": "computed",
      "source": "speaking_share",
      "steps": [
       {
        "min": 50,
        "points": 10
       },
       {
        "min": 30,
        "points": 7
       },
       {
        "min": 0,
        "points": 3
       }
      ]
     }
    },
    {
     "code": "thoi_luong",
     "title": "Thời lượng từ 90 phút trở lên",
     "max": 5,
     "input": {
      "type": "computed",
      "source": "duration_percent",
      "steps": [
       {
        "min": 100,
        "points": 5
       },
       {
        "min": 75,
        "points": 3
       },
       {
        "min": 0,
        "points": 1
       }
      ]
     }
    },
    {
     "code": "bien_ban",
     "title": "Ghi sổ biên bản đầy đủ",
     "max": 5,
     "input": {
      "type": "computed",
      "source": "minutes_closed",
      "steps": [
       {
        "min": 1,
        "points": 5
       }
      ]
     }
    }
   ]
  },
  {
   "code": "nguyen_tac",
   "title": "Chấp hành nguyên tắc tổ chức và sinh hoạt đảng",
   "max": 10,
   "criteria": [
    {
     "code": "tap_trung_dan_chu",
     "title": "Tập trung dân chủ",
     "max": 4,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "tu_phe_binh",
     "title": "Tự phê bình và phê bình",
     "max": 3,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "doan_ket",
     "title": "Đoàn kết thống nhất",
     "max": 3,
     "input": {
      "type": "check"
     }
    }
   ]
  },
  {
   "code": "ket_qua",
   "title": "Kết quả thực hiện nghị quyết kỳ trước",
   "max": 15,
   "criteria": [
    {
     "code": "hoan_thanh",
     "title": "Tỷ lệ nhiệm vụ kỳ trước hoàn thành",
     "max": 15,
     "input": {
      "type": "computed",
      "source": "task_completion",
      "steps": [
       {
        "min": 90,
        "points": 15
       },
       {
        "min": 70,
        "points": 11
       },
       {
        "min": 50,
        "points": 7
       },
       {
        "min": 0,
        "points": 3
       }
      ]
     }
    }
   ]
  }
 ],
 "bands": [
  {
   "code": "tot",
   "label": "Tốt",
   "min": 90
  },
  {
   "code": "kha",
   "label": "Khá",
   "min": 70
  },
  {
   "code": "trung_binh",
   "label": "Trung bình",
   "min": 50
  },
  {
   "code": "kem",
   "label": "Kém",
   "min": 0
  }
 ],
 "gates": [
  {
   "label": "Xếp loại Tốt cần đủ điểm tỷ lệ dự, thời lượng, phát biểu và biên bản",
   "cap": "kha",
   "type": "full_marks",
   "criteria": [
    "ty_le",
    "thoi_luong",
    "phat_bieu",
    "bien_ban"
   ]
  },
  {
   "label": "Có đảng viên vắng không lý do",
   "cap": "kha",
   "type": "fact",
   "source": "unexcused_absences",
   "min": 1
  },
  {
   "label": "Tỷ lệ dự không quá 85% (Hướng dẫn 12: chưa đạt chất lượng)",
   "cap": "trung_binh",
   "type": "fact",
   "source": "attendance_rate",
   "max": 85
  }
 ],
 "annual": [
  {
   "class": "tot",
   "min_average": 90,
   "min_months": 10,
   "months_class": "tot",
   "no_month_below": "kha",
   "every_month_held": true,
   "thematic_every_quarter": true
  },
  {
   "class": "kha",
   "min_average": 70
  },
  {
   "class": "trung_binh",
   "min_average": 50
  }
 ]
}$json$::jsonb, now());

INSERT INTO rubrics (code, version, title, legal_basis, issuer, description, kinds, effective_from, effective_to, status, sheet, published_at)
VALUES ('HD42-KHUNG', 1, 'Khung tiêu chí đánh giá chất lượng sinh hoạt chi bộ (Hướng dẫn 42-HD/BTCTW)',
        'Hướng dẫn 42-HD/BTCTW ngày 28/10/2025 của Ban Tổ chức Trung ương, thực hiện Chỉ thị 50-CT/TW ngày 23/7/2025',
        'Ban Tổ chức Trung ương',
        'Khung 100 điểm, 7 nhóm (thời lượng 5, tỷ lệ dự 5, chuẩn bị 10, tổ chức sinh hoạt 40, nguyên tắc 5, kết quả 30, kết thúc 5) và các mức Tốt ≥ 90, Khá ≥ 70, Trung bình ≥ 50, Kém dưới 50: theo cách ba phần mềm công khai trích Mục II Hướng dẫn 42 (chưa đối chiếu bản gốc). Điểm từng mức trong nhóm lấy theo biến thể cấp phường (Kế hoạch 08-KH/ĐU, 2025). Thời lượng tối thiểu 90 phút, buổi kết hợp 120 phút, và đăng tài liệu trước ít nhất 1 ngày là nội dung đã được xác nhận của Hướng dẫn 42. Điều kiện xếp loại Tốt theo cách làm của Đảng ủy Khối Bình Thuận. Đây là giá trị mặc định: cấp ủy cần đối chiếu với văn bản chính thức và sửa nếu khác.',
        ARRAY['regular', 'thematic', 'combined'], DATE '2025-10-28', NULL,
        'published', $json${
 "total": 100,
 "minimum_minutes": {
  "regular": 90,
  "thematic": 90,
  "combined": 120
 },
 "groups": [
  {
   "code": "thoi_luong",
   "title": "Chấp hành thời gian, thời lượng sinh hoạt",
   "max": 5,
   "criteria": [
    {
     "code": "thoi_luong",
     "title": "Thời lượng so với mức tối thiểu (90 phút; kết hợp chuyên đề 120 phút)",
     "max": 5,
     "guidance": "Đủ thời lượng: 5; thiếu đến 15 phút: 4; thiếu 15–30 phút: 3; khoảng một nửa: 2; dưới một nửa: 1.",
     "input": {
      "type": "computed",
      "source": "duration_percent",
      "steps": [
       {
        "min": 100,
        "points": 5
       },
       {
        "min": 83,
        "points": 4
       },
       {
        "min": 67,
        "points": 3
       },
       {
        "min": 50,
        "points": 2
       },
       {
        "min": 0,
        "points": 1
       }
      ]
     }
    }
   ]
  },
  {
   "code": "ty_le_du",
   "title": "Tỷ lệ đảng viên dự sinh hoạt",
   "max": 5,
   "criteria": [
    {
     "code": "ty_le_du",
     "title": "Tỷ lệ đảng viên dự (không tính đảng viên miễn sinh hoạt, sinh hoạt tạm thời nơi khác)",
     "max": 4,
     "guidance": "Từ 90% trở lên: 4; 75 đến dưới 90%: 3; 65 đến dưới 75%: 2; dưới 65%: 1. Có đảng viên vắng không lý do thì không xếp loại Tốt (điều kiện bên dưới).",
     "input": {
      "type": "computed",
      "source": "attendance_rate",
      "steps": [
       {
        "min": 90,
        "points": 4
       },
       {
        "min": 75,
        "points": 3
       },
       {
        "min": 65,
        "points": 2
       },
       {
        "min": 0,
        "points": 1
       }
      ]
     }
    },
    {
     "code": "vang_lien_tiep",
     "title": "Không có đảng viên vắng có lý do quá 3 lần liên tiếp trong năm",
     "max": 1,
     "input": {
      "type": "computed",
      "source": "excused_streak",
      "steps": [
       {
        "max": 3,
        "points": 1
       }
      ]
     }
    }
   ]
  },
  {
   "code": "chuan_bi",
   "title": "Công tác chuẩn bị",
   "max": 10,
   "criteria": [
    {
     "code": "noi_dung",
     "title": "Chuẩn bị nội dung sinh hoạt (bí thư phân công, trực tiếp chỉ đạo)",
     "max": 3,
     "input": {
      "type": "choice",
      "options": [
       {
        "label": "Đầy đủ, đúng hướng dẫn của cấp trên",
        "points": 3
       },
       {
        "label": "Có chuẩn bị nhưng chưa đầy đủ",
        "points": 1.5
       },
       {
        "label": "Không chuẩn bị",
        "points": 0
       }
      ]
     }
    },
    {
     "code": "du_thao",
     "title": "Đề cương thảo luận, dự thảo nghị quyết",
     "max": 2,
     "input": {
      "type": "computed",
      "source": "draft_resolution",
      "steps": [
       {
        "min": 1,
        "points": 2
       }
      ]
     }
    },
    {
     "code": "hop_chi_uy",
     "title": "Chi ủy (bí thư, phó bí thư) họp trước để thống nhất nội dung",
     "max": 2,
     "input": {
      "type": "computed",
      "source": "committee_met_before",
      "steps": [
       {
        "min": 1,
        "points": 2
       }
      ]
     }
    },
    {
     "code": "thong_bao",
     "title": "Thông báo thời gian, địa điểm, nội dung cho đảng viên và cấp ủy cấp trên",
     "max": 1,
     "input": {
      "type": "computed",
      "source": "notice_days_before",
      "steps": [
       {
        "min": 1,
        "points": 1
       }
      ]
     }
    },
    {
     "code": "tai_lieu",
     "title": "Đăng tài liệu lên Sổ tay đảng viên điện tử trước ít nhất 1 ngày",
     "max": 2,
     "input": {
      "type": "computed",
      "source": "materials_days_before",
      "steps": [
       {
        "min": 1,
        "points": 2
       }
      ]
     }
    }
   ]
  },
  {
   "code": "to_chuc",
   "title": "Tổ chức sinh hoạt",
   "max": 40,
   "criteria": [
    {
     "code": "quy_trinh",
     "title": "Thực hiện đủ các bước theo quy trình",
     "max": 5,
     "input": {
      "type": "choice",
      "options": [
       {
        "label": "Đủ các bước, đúng trình tự",
        "points": 5
       },
       {
        "label": "Thiếu một bước hoặc sai trình tự",
        "points": 3
       },
       {
        "label": "Thiếu nhiều bước",
        "points": 1
       }
      ]
     }
    },
    {
     "code": "noi_dung_thuong_ky",
     "title": "Nội dung sinh hoạt thường kỳ thiết thực, đúng loại hình chi bộ",
     "max": 10,
     "input": {
      "type": "number"
     }
    },
    {
     "code": "chuyen_de",
     "title": "Nội dung sinh hoạt chuyên đề",
     "max": 5,
     "guidance": "Chỉ chấm ở tháng có sinh hoạt chuyên đề; tháng không có chuyên đề tính đủ điểm.",
     "input": {
      "type": "choice",
      "options": [
       {
        "label": "Tháng không có chuyên đề",
        "points": 5
       },
       {
        "label": "Chuyên đề tốt, liên hệ thiết thực",
        "points": 5
       },
       {
        "label": "Chuyên đề đạt yêu cầu",
        "points": 3
       },
       {
        "label": "Chuyên đề chưa đạt yêu cầu",
        "points": 1
       }
      ]
     }
    },
    {
     "code": "bieu_duong",
     "title": "Biểu dương, nhắc nhở, phê bình đảng viên kịp thời",
     "max": 2,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "phat_bieu",
     "title": "Đảng viên phát biểu ý kiến",
     "max": 5,
     "guidance": "Trên 50% số đảng viên dự phát biểu: 5; 40–50%: 4; 30–40%: 3; dưới 30%: 2.",
     "input": {
      "type": "computed",
      "source": "speaking_share",
      "steps": [
       {
        "min": 50,
        "points": 5
       },
       {
        "min": 40,
        "points": 4
       },
       {
        "min": 30,
        "points": 3
       },
       {
        "min": 0,
        "points": 2
       }
      ]
     }
    },
    {
     "code": "bien_ban",
     "title": "Ghi biên bản đầy đủ",
     "max": 1,
     "input": {
      "type": "computed",
      "source": "minutes_closed",
      "steps": [
       {
        "min": 1,
        "points": 1
       }
      ]
     }
    },
    {
     "code": "tu_tuong",
     "title": "Dành 15–30 phút trao đổi tư tưởng, tự phê bình và phê bình",
     "max": 1,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "ung_dung",
     "title": "Sử dụng tài liệu trên ứng dụng Sổ tay đảng viên điện tử",
     "max": 1,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "dieu_hanh",
     "title": "Bí thư điều hành: gợi mở, tập trung, kết luận rõ",
     "max": 10,
     "input": {
      "type": "number"
     }
    }
   ]
  },
  {
   "code": "nguyen_tac",
   "title": "Thực hiện nguyên tắc tổ chức, sinh hoạt đảng",
   "max": 5,
   "criteria": [
    {
     "code": "tap_trung_dan_chu",
     "title": "Tập trung dân chủ",
     "max": 2,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "tu_phe_binh",
     "title": "Tự phê bình và phê bình",
     "max": 1,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "doan_ket",
     "title": "Đoàn kết, thống nhất",
     "max": 1,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "bieu_quyet",
     "title": "Biểu quyết đúng quy định",
     "max": 1,
     "input": {
      "type": "check"
     }
    }
   ]
  },
  {
   "code": "ket_qua",
   "title": "Kết quả lãnh đạo thực hiện kết luận, nghị quyết kỳ trước",
   "max": 30,
   "criteria": [
    {
     "code": "hoan_thanh",
     "title": "Tỷ lệ nhiệm vụ kỳ trước hoàn thành",
     "max": 30,
     "guidance": "Từ 90%: 30; 80–90%: 27; 70–80%: 24; 60–70%: 20; 50–60%: 15; dưới 50%: 10.",
     "input": {
      "type": "computed",
      "source": "task_completion",
      "steps": [
       {
        "min": 90,
        "points": 30
       },
       {
        "min": 80,
        "points": 27
       },
       {
        "min": 70,
        "points": 24
       },
       {
        "min": 60,
        "points": 20
       },
       {
        "min": 50,
        "points": 15
       },
       {
        "min": 0,
        "points": 10
       }
      ]
     }
    }
   ]
  },
  {
   "code": "ket_thuc",
   "title": "Kết thúc sinh hoạt",
   "max": 5,
   "criteria": [
    {
     "code": "ket_luan",
     "title": "Kết luận và biểu quyết thông qua nghị quyết",
     "max": 2,
     "input": {
      "type": "computed",
      "source": "resolution_passed",
      "steps": [
       {
        "min": 1,
        "points": 2
       }
      ]
     }
    },
    {
     "code": "thong_qua_bien_ban",
     "title": "Thông qua biên bản, phân công nhiệm vụ",
     "max": 2,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "dang_tai",
     "title": "Đăng tải tài liệu hoàn chỉnh trong 2 ngày",
     "max": 1,
     "input": {
      "type": "check"
     }
    }
   ]
  }
 ],
 "bands": [
  {
   "code": "tot",
   "label": "Tốt",
   "min": 90
  },
  {
   "code": "kha",
   "label": "Khá",
   "min": 70
  },
  {
   "code": "trung_binh",
   "label": "Trung bình",
   "min": 50
  },
  {
   "code": "kem",
   "label": "Kém",
   "min": 0
  }
 ],
 "gates": [
  {
   "label": "Xếp loại Tốt cần đủ điểm tỷ lệ dự, thời lượng, phát biểu và biên bản",
   "cap": "kha",
   "type": "full_marks",
   "criteria": [
    "ty_le_du",
    "thoi_luong",
    "phat_bieu",
    "bien_ban"
   ]
  },
  {
   "label": "Có đảng viên vắng không lý do",
   "cap": "kha",
   "type": "fact",
   "source": "unexcused_absences",
   "min": 1
  }
 ],
 "annual": [
  {
   "class": "tot",
   "min_average": 90,
   "min_months": 10,
   "months_class": "tot",
   "no_month_below": "kha",
   "every_month_held": true,
   "thematic_every_quarter": true
  },
  {
   "class": "kha",
   "min_average": 70
  },
  {
   "class": "trung_binh",
   "min_average": 50
  }
 ]
}$json$::jsonb, now());
