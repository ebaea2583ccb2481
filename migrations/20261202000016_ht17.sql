-- Issue 12 (docs/rules.md §2.2–§2.4): provenance on every number of the shipped rubrics,
-- Hà Tĩnh's Quy định 17-QĐ/TU (02/6/2023) shipped as the rubric HT-17, and HT-1193 ending the
-- day before. No sheet is re-pointed: a stored sheet keeps the rubric row it was scored with,
-- and no shipped rubric's points, steps, bands or gates change here (only their provenance,
-- their descriptive text and HT-1193's end date).

-- A shipped provincial rubric is meant for a province whose unit this migration cannot know
-- (units are created by the demo, an import or the administrator). It names the province;
-- the province's unit, once it exists, becomes its scope. Until then it applies nowhere
-- (never nationally): evaluation::store::registry::rubric_ids_in_force skips it.
ALTER TABLE rubrics ADD COLUMN scope_province text
    CHECK (scope_province IS NULL OR length(btrim(scope_province)) BETWEEN 1 AND 100);
COMMENT ON COLUMN rubrics.scope_province IS
    'The province a shipped rubric is meant for, by the name in its unit''s name (e.g. Hà Tĩnh); the top-level province unit so named becomes scope_unit_id.';

-- The province unit a rubric names: a top-level province whose name contains the name.
CREATE FUNCTION province_named(wanted text) RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT u.id FROM units u
     WHERE u.parent_id IS NULL AND u.kind = 'province' AND u.valid_to IS NULL
       AND strpos(lower(normalize(u.name, NFC)), lower(normalize(wanted, NFC))) > 0
     ORDER BY u.valid_from, u.id LIMIT 1
$$;

CREATE FUNCTION attach_province_rubrics() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rubrics SET scope_unit_id = NEW.id
     WHERE scope_unit_id IS NULL AND scope_province IS NOT NULL
       AND province_named(scope_province) = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER units_attach_province_rubrics
    AFTER INSERT OR UPDATE OF name ON units
    FOR EACH ROW WHEN (NEW.parent_id IS NULL AND NEW.kind = 'province')
    EXECUTE FUNCTION attach_province_rubrics();

-- Sets the provenance of every group, criterion (a code in `over` gets its own), band and
-- gate of a stored sheet.
CREATE FUNCTION pg_temp.stamp(s jsonb, gp jsonb, cp jsonb, bp jsonb, tp jsonb, over jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT s || jsonb_build_object(
        'groups', (SELECT jsonb_agg(g || jsonb_build_object(
                            'provenance', gp,
                            'criteria', (SELECT jsonb_agg(c || jsonb_build_object('provenance', coalesce(over -> (c ->> 'code'), cp)) ORDER BY ci)
                                           FROM jsonb_array_elements(g -> 'criteria') WITH ORDINALITY AS x(c, ci)))
                          ORDER BY gi)
                     FROM jsonb_array_elements(s -> 'groups') WITH ORDINALITY AS y(g, gi)),
        'bands', (SELECT jsonb_agg(b || jsonb_build_object('provenance', bp) ORDER BY bi)
                    FROM jsonb_array_elements(s -> 'bands') WITH ORDINALITY AS z(b, bi)),
        'gates', coalesce((SELECT jsonb_agg(t || jsonb_build_object('provenance', tp) ORDER BY ti)
                             FROM jsonb_array_elements(s -> 'gates') WITH ORDINALITY AS w(t, ti)), '[]'::jsonb))
$$;

-- HT-1193: ends the day before 17-QĐ/TU; meant for Hà Tĩnh like its successor; every number
-- is ours (its description already said so), now said number by number.
UPDATE rubrics
   SET effective_to = DATE '2023-06-01',
       scope_province = 'Hà Tĩnh',
       scope_unit_id = coalesce(scope_unit_id, province_named('Hà Tĩnh')),
       sheet = pg_temp.stamp(sheet,
           '{"confidence": "assumed", "source": "Giá trị mặc định của nhóm phát triển, dựng trên 5 tiêu chí khung của Hướng dẫn 12-HD/BTCTW (06/7/2018); chưa có bản công khai của Quy định 1193-QĐ/TU"}',
           '{"confidence": "assumed", "source": "Giá trị mặc định của nhóm phát triển, dựng trên 5 tiêu chí khung của Hướng dẫn 12-HD/BTCTW (06/7/2018); chưa có bản công khai của Quy định 1193-QĐ/TU"}',
           '{"confidence": "assumed", "source": "Thường gặp ở nơi khác, chưa xác nhận cho Hà Tĩnh: Tốt ≥ 90, Khá ≥ 70, Trung bình ≥ 50 (Đảng ủy Khối Bình Thuận; Nghệ An)"}',
           '{"confidence": "assumed", "source": "Thường gặp ở nơi khác, chưa xác nhận cho Hà Tĩnh: điều kiện xếp loại Tốt của Đảng ủy Khối Bình Thuận; ngưỡng 85% của Hướng dẫn 12-HD/BTCTW"}',
           '{}')
 WHERE code = 'HT-1193' AND version = 1;

-- HD 42 frame: the weights and bands as three public implementations cite Mục II of
-- Hướng dẫn 42 (secondary), the sub-levels from a ward's plan (secondary), with the two places
-- where this sheet does not follow that plan said in the criterion's note, its guidance and
-- the description (sheets scored with it keep their meaning: nothing that scores changes).
UPDATE rubrics
   SET sheet = pg_temp.stamp(sheet,
           '{"confidence": "secondary", "source": "Mục II Hướng dẫn 42-HD/BTCTW (28/10/2025) như ba phần mềm công khai trích dẫn; chưa đối chiếu bản gốc (DOMAIN.md §2.3 e)"}',
           '{"confidence": "secondary", "source": "Kế hoạch 08-KH/ĐU (2025) của một đảng ủy phường, TP. Hồ Chí Minh: biến thể cấp phường của khung Hướng dẫn 42 (DOMAIN.md §2.3 f)"}',
           '{"confidence": "secondary", "source": "Ba phần mềm công khai trích Hướng dẫn 42-HD/BTCTW: Tốt ≥ 90, Khá 70 đến dưới 90, Trung bình 50 đến dưới 70, Kém dưới 50"}',
           '{"confidence": "assumed", "source": "Thường gặp ở nơi khác: điều kiện xếp loại Tốt của Đảng ủy Khối Bình Thuận (thời Hướng dẫn 12); chưa xác nhận cho Hướng dẫn 42"}',
           '{"thoi_luong": {"confidence": "secondary", "source": "Kế hoạch 08-KH/ĐU (2025), khác ở cách tính: kế hoạch trừ theo số phút thiếu (đến 15 phút: 4; 15–30 phút: 3; khoảng một nửa: 2; dưới một nửa: 1) và lấy mức tối thiểu 120 phút cho chi bộ từ 30 đảng viên; bảng này tính theo tỷ lệ so với mức tối thiểu của loại buổi (90 phút; kết hợp 120 phút)"},
             "ty_le_du": {"confidence": "secondary", "source": "Kế hoạch 08-KH/ĐU (2025), khác ở một điểm: kế hoạch cho 1 điểm khi có đảng viên vắng không lý do; bảng này tính điểm theo tỷ lệ dự và chặn xếp loại Tốt (điều kiện “Có đảng viên vắng không lý do”)"},
             "tai_lieu": {"confidence": "secondary", "source": "Đăng tài liệu trước ít nhất 1 ngày: Hướng dẫn 42-HD/BTCTW theo luatvietnam.vn; 2 điểm: Kế hoạch 08-KH/ĐU (2025)"},
             "chuyen_de": {"confidence": "assumed", "source": "Kế hoạch 08-KH/ĐU chỉ chấm ở tháng có chuyên đề; cho đủ điểm ở tháng không có chuyên đề là cách hiểu của nhóm phát triển"}}')
 WHERE code = 'HD42-KHUNG' AND version = 1;

UPDATE rubrics
   SET sheet = jsonb_set(sheet, '{groups,0,criteria,0,guidance}',
           to_jsonb('Đủ thời lượng: 5; từ 83% mức tối thiểu: 4; từ 67%: 3; từ 50%: 2; dưới 50%: 1. Kế hoạch 08-KH/ĐU trừ theo số phút thiếu (đến 15 phút: 4; 15–30 phút: 3); bảng này tính theo tỷ lệ, nên buổi thường kỳ thiếu đúng 30 phút (66,7%) được 2 điểm, buổi kết hợp thiếu 16–20 phút được 4 điểm.'::text)),
       description = description || ' Chỗ khác Kế hoạch 08-KH/ĐU: (1) thời lượng tính theo tỷ lệ so với mức tối thiểu của loại buổi (90 phút; kết hợp 120 phút), không theo số phút thiếu và số đảng viên của chi bộ; (2) có đảng viên vắng không lý do thì không trừ điểm tỷ lệ dự mà chặn xếp loại Tốt. Tỷ lệ phát biểu tính trên số đảng viên phải dự có mặt (không tính đảng viên sinh hoạt ghép, miễn sinh hoạt đến dự).'
 WHERE code = 'HD42-KHUNG' AND version = 1 AND sheet #>> '{groups,0,criteria,0,code}' = 'thoi_luong';

-- HT-17: Quy định 17-QĐ/TU. The seven groups' weights are from a secondary source (S2 of
-- DOMAIN.md §2.4); every criterion inside a group, the bands and the gates are ours.
INSERT INTO rubrics (code, version, title, legal_basis, issuer, description, kinds, scope_province, scope_unit_id,
                     effective_from, effective_to, status, sheet, published_at)
VALUES ('HT-17', 1, 'Tiêu chí đánh giá, xếp loại chất lượng sinh hoạt chi bộ theo Quy định 17-QĐ/TU của Tỉnh ủy Hà Tĩnh (tiêu chí con là mặc định, cần đối chiếu)',
        'Quy định 17-QĐ/TU ngày 02/6/2023 của Ban Thường vụ Tỉnh ủy Hà Tĩnh về việc đánh giá, xếp loại chất lượng sinh hoạt chi bộ',
        'Ban Thường vụ Tỉnh ủy Hà Tĩnh',
        'CHƯA ĐỐI CHIẾU VỚI VĂN BẢN GỐC. Ngày ban hành, cơ quan ban hành và tên Quy định 17-QĐ/TU đã được xác nhận (Trường Đại học Hà Tĩnh, htu.edu.vn); hiệu lực từ ngày ký và 7 nhóm tiêu chí với số điểm (chuẩn bị 15, thời gian và thời lượng 5, tỷ lệ dự 5, tổ chức sinh hoạt 45, nguyên tắc 15, kết quả thực hiện nghị quyết kỳ trước 10, kết thúc 5; tổng 100) lấy từ một trang tổng hợp (laaivay.com, nguồn thứ cấp). Tiêu chí con trong từng nhóm, mức điểm của chúng, các mức xếp loại (Tốt ≥ 90, Khá ≥ 70, Trung bình ≥ 50) và điều kiện hạn chế xếp loại là giá trị mặc định do nhóm phát triển đặt theo những gì biên bản ghi được, theo cách của khung Hướng dẫn 42 và các tỉnh khác; thời lượng tối thiểu 90 phút (kết hợp 120 phút) theo Hướng dẫn 42. Ban Tổ chức Tỉnh ủy cần đối chiếu với văn bản chính thức và ban hành phiên bản mới nếu khác.',
        ARRAY['regular', 'thematic', 'combined'], 'Hà Tĩnh', province_named('Hà Tĩnh'),
        DATE '2023-06-02', NULL, 'published',
        pg_temp.stamp($json${
 "total": 100,
 "minimum_minutes": {
  "regular": 90,
  "thematic": 90,
  "combined": 120
 },
 "groups": [
  {
   "code": "chuan_bi",
   "title": "Công tác chuẩn bị sinh hoạt chi bộ",
   "max": 15,
   "criteria": [
    {
     "code": "noi_dung",
     "title": "Chuẩn bị nội dung sinh hoạt (bí thư phân công, trực tiếp chỉ đạo)",
     "max": 4,
     "input": {
      "type": "choice",
      "options": [
       {
        "label": "Đầy đủ, đúng hướng dẫn của cấp trên",
        "points": 4
       },
       {
        "label": "Có chuẩn bị nhưng chưa đầy đủ",
        "points": 2
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
     "title": "Đề cương thảo luận, dự thảo nghị quyết (kết luận)",
     "max": 3,
     "input": {
      "type": "computed",
      "source": "draft_resolution",
      "steps": [
       {
        "min": 1,
        "points": 3
       }
      ]
     }
    },
    {
     "code": "hop_chi_uy",
     "title": "Chi ủy (bí thư, phó bí thư) họp trước để thống nhất nội dung",
     "max": 3,
     "input": {
      "type": "computed",
      "source": "committee_met_before",
      "steps": [
       {
        "min": 1,
        "points": 3
       }
      ]
     }
    },
    {
     "code": "thong_bao",
     "title": "Thông báo thời gian, địa điểm, nội dung cho đảng viên và cấp ủy cấp trên trước ít nhất 1 ngày",
     "max": 2,
     "input": {
      "type": "computed",
      "source": "notice_days_before",
      "steps": [
       {
        "min": 1,
        "points": 2
       }
      ]
     }
    },
    {
     "code": "tai_lieu",
     "title": "Đăng tài liệu lên Sổ tay đảng viên điện tử trước ít nhất 1 ngày",
     "max": 3,
     "input": {
      "type": "computed",
      "source": "materials_days_before",
      "steps": [
       {
        "min": 1,
        "points": 3
       }
      ]
     }
    }
   ]
  },
  {
   "code": "thoi_luong",
   "title": "Chấp hành thời gian, thời lượng sinh hoạt chi bộ",
   "max": 5,
   "criteria": [
    {
     "code": "thoi_luong",
     "title": "Thời lượng so với mức tối thiểu (90 phút; kết hợp chuyên đề 120 phút)",
     "max": 5,
     "guidance": "Đủ thời lượng: 5; từ 83% mức tối thiểu: 4; từ 67%: 3; từ 50%: 2; dưới 50%: 1.",
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
   "title": "Tỷ lệ đảng viên dự sinh hoạt chi bộ",
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
   "code": "to_chuc",
   "title": "Tổ chức sinh hoạt chi bộ",
   "max": 45,
   "criteria": [
    {
     "code": "quy_trinh",
     "title": "Thực hiện đủ các bước theo quy trình, đúng giờ",
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
     "title": "Nội dung sinh hoạt thường kỳ thiết thực, đúng loại hình chi bộ, bám sát nhiệm vụ chính trị",
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
     "max": 8,
     "guidance": "Từ 50% số đảng viên dự phát biểu: 8; 40–50%: 6; 30–40%: 4; dưới 30%: 2.",
     "input": {
      "type": "computed",
      "source": "speaking_share",
      "steps": [
       {
        "min": 50,
        "points": 8
       },
       {
        "min": 40,
        "points": 6
       },
       {
        "min": 30,
        "points": 4
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
     "title": "Ghi sổ biên bản đầy đủ",
     "max": 2,
     "input": {
      "type": "computed",
      "source": "minutes_closed",
      "steps": [
       {
        "min": 1,
        "points": 2
       }
      ]
     }
    },
    {
     "code": "tu_tuong",
     "title": "Dành thời gian trao đổi tư tưởng, tự phê bình và phê bình",
     "max": 2,
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
   "max": 15,
   "criteria": [
    {
     "code": "tap_trung_dan_chu",
     "title": "Tập trung dân chủ",
     "max": 5,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "tu_phe_binh",
     "title": "Tự phê bình và phê bình",
     "max": 4,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "doan_ket",
     "title": "Đoàn kết, thống nhất",
     "max": 3,
     "input": {
      "type": "check"
     }
    },
    {
     "code": "bieu_quyet",
     "title": "Biểu quyết đúng quy định",
     "max": 3,
     "input": {
      "type": "check"
     }
    }
   ]
  },
  {
   "code": "ket_qua",
   "title": "Kết quả lãnh đạo thực hiện kết luận hoặc nghị quyết kỳ trước của chi bộ",
   "max": 10,
   "criteria": [
    {
     "code": "hoan_thanh",
     "title": "Tỷ lệ nhiệm vụ kỳ trước hoàn thành",
     "max": 10,
     "guidance": "Từ 90%: 10; 80–90%: 9; 70–80%: 8; 60–70%: 7; 50–60%: 5; dưới 50%: 3.",
     "input": {
      "type": "computed",
      "source": "task_completion",
      "steps": [
       {
        "min": 90,
        "points": 10
       },
       {
        "min": 80,
        "points": 9
       },
       {
        "min": 70,
        "points": 8
       },
       {
        "min": 60,
        "points": 7
       },
       {
        "min": 50,
        "points": 5
       },
       {
        "min": 0,
        "points": 3
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
}$json$::jsonb,
           '{"confidence": "secondary", "source": "Trọng số 7 nhóm theo bản tóm tắt Quy định 17-QĐ/TU: https://laaivay.com/danh-gia-cho-diem-buoi-sinh-hoat-chi-bo-nam-2024 (DOMAIN.md §2.4, S2)"}',
           '{"confidence": "assumed", "source": "Giả định của nhóm phát triển: chia điểm trong nhóm theo những gì biên bản ghi được, theo cách của khung Hướng dẫn 42 (Kế hoạch 08-KH/ĐU); chưa có văn bản 17-QĐ/TU"}',
           '{"confidence": "assumed", "source": "Thường gặp ở nơi khác, chưa xác nhận cho Hà Tĩnh: Tốt ≥ 90, Khá ≥ 70, Trung bình ≥ 50 (khung Hướng dẫn 42, Đảng ủy Khối Bình Thuận)"}',
           '{"confidence": "assumed", "source": "Thường gặp ở nơi khác, chưa xác nhận cho Hà Tĩnh: điều kiện xếp loại Tốt của Đảng ủy Khối Bình Thuận và khung Hướng dẫn 42"}',
           '{}'),
        now());
