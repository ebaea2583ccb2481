-- Regular-meeting templates for the commonest branch types: the standard order with the
-- content Hướng dẫn 42 suggests for each type (DOMAIN.md §3.4) in the discussion item's notes.
WITH v AS (
    INSERT INTO agenda_templates (kind, branch_type, title) VALUES
        ('regular', 'thon', 'Sinh hoạt thường kỳ — chi bộ thôn'),
        ('regular', 'to_dan_pho', 'Sinh hoạt thường kỳ — chi bộ tổ dân phố'),
        ('regular', 'co_quan', 'Sinh hoạt thường kỳ — chi bộ cơ quan'),
        ('regular', 'su_nghiep', 'Sinh hoạt thường kỳ — chi bộ đơn vị sự nghiệp, trường học'),
        ('regular', 'dn_nha_nuoc', 'Sinh hoạt thường kỳ — chi bộ doanh nghiệp nhà nước'),
        ('regular', 'dn_ngoai_nha_nuoc', 'Sinh hoạt thường kỳ — chi bộ doanh nghiệp ngoài nhà nước')
    RETURNING id, branch_type
)
INSERT INTO agenda_template_items (template_id, position, title, notes)
SELECT v.id, i.position, i.title,
       CASE WHEN i.position = 7 THEN CASE
            WHEN v.branch_type IN ('thon', 'to_dan_pho') THEN
                'Gợi ý: tuyên truyền, vận động nhân dân; phát triển kinh tế - xã hội, quốc phòng, an ninh; xây dựng nông thôn mới, đô thị văn minh; dân chủ ở cơ sở, hương ước, quy ước; phòng, chống tham nhũng, lãng phí; đất đai, xây dựng, môi trường; tạo nguồn phát triển đảng viên.'
            WHEN v.branch_type IN ('co_quan', 'su_nghiep') THEN
                'Gợi ý: cải cách hành chính, chuyển đổi số; chất lượng thực hiện nhiệm vụ chuyên môn; thực hành tiết kiệm, chống lãng phí; giữ mối liên hệ với chi bộ nơi cư trú.'
            ELSE
                'Gợi ý: lãnh đạo sản xuất, kinh doanh; việc làm, đời sống người lao động; quan hệ lao động; xây dựng tổ chức đoàn thể trong doanh nghiệp.'
            END
            ELSE i.notes END
  FROM v
  JOIN agenda_templates g ON g.kind = 'regular' AND g.branch_type IS NULL
  JOIN agenda_template_items i ON i.template_id = g.id;
