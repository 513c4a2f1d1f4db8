"""Knowledge files: validation names file, line and field; export is stable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import (
    KnowledgeError,
    export_jsonl,
    export_yaml,
    load_jsonl,
    load_knowledge,
    slugify,
)

from .conftest import TEST_KNOWLEDGE


def problems_for(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return [str(p) for p in caught.value.problems]


def test_fixture_knowledge_loads() -> None:
    kb = load_knowledge(TEST_KNOWLEDGE)
    assert {p.key for p in kb.procedures} >= {"2.002131", "1.000000"}
    assert kb.synonyms["gp"] == "giấy phép"
    assert kb.agency.hotline


def test_yaml_syntax_error_names_file_and_line(knowledge_dir: Path) -> None:
    path = knowledge_dir / "procedures" / "1.000000.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = "agency: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    [problem] = problems_for(knowledge_dir)
    assert problem.startswith(f"{path}:")
    assert "YAML syntax error" in problem


def test_missing_wrong_and_unknown_fields_are_all_reported(knowledge_dir: Path) -> None:
    path = knowledge_dir / "procedures" / "1.000000.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("field: Tiêu chuẩn Đo lường Chất lượng\n", "")  # missing
    text = text.replace("working_days: null", "working_days: năm ngày")  # wrong type
    text += "colour: blue\n"  # unknown
    path.write_text(text, encoding="utf-8")
    found = problems_for(knowledge_dir)
    lines = text.splitlines()
    wrong_line = next(i for i, line in enumerate(lines, 1) if "năm ngày" in line)
    unknown_line = next(i for i, line in enumerate(lines, 1) if line.startswith("colour"))
    assert f"{path}:1: field: Field required" in found
    assert any(p.startswith(f"{path}:{wrong_line}: processing_time.working_days:") for p in found)
    assert f"{path}:{unknown_line}: colour: unknown field" in found


def test_a_time_in_both_working_and_calendar_days_is_refused(knowledge_dir: Path) -> None:
    path = knowledge_dir / "procedures" / "1.000000.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "working_days: null", "working_days: 5\n  calendar_days: 7"
    )
    path.write_text(text, encoding="utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "working_days: 5" in x)
    [problem] = problems_for(knowledge_dir)
    assert problem.startswith(f"{path}:{line}: processing_time:")
    assert "working_days or calendar_days, not both" in problem
    path.write_text(text.replace("working_days: 5\n", "working_days: null\n"), encoding="utf-8")
    [procedure] = [p for p in load_knowledge(knowledge_dir).procedures if p.key == "1.000000"]
    assert procedure.processing_time.calendar_days == 7


def test_list_item_error_points_at_the_item(knowledge_dir: Path) -> None:
    path = knowledge_dir / "procedures" / "cap-giay-phep-tien-hanh-cong-viec-dc5cc2.yaml"
    text = path.read_text(encoding="utf-8").replace("amount_vnd: 2000000", "amount_vnd: -5")
    path.write_text(text, encoding="utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "amount_vnd: -5" in x)
    [problem] = problems_for(knowledge_dir)
    assert problem.startswith(f"{path}:{line}: fees.0.amount_vnd:")


def test_file_name_must_match_code_and_codes_are_unique(knowledge_dir: Path) -> None:
    source = knowledge_dir / "procedures" / "1.000000.yaml"
    (knowledge_dir / "procedures" / "1.999999.yaml").write_text(source.read_text("utf-8"), "utf-8")
    [problem] = problems_for(knowledge_dir)
    assert "1.999999.yaml:1: code: file must be named 1.000000.yaml" in problem


def test_export_import_export_is_byte_identical(tmp_path: Path) -> None:
    kb = load_knowledge(TEST_KNOWLEDGE)
    export_yaml(kb, tmp_path / "a")
    export_yaml(load_knowledge(tmp_path / "a"), tmp_path / "b")
    for first in sorted((tmp_path / "a").rglob("*.yaml")):
        second = tmp_path / "b" / first.relative_to(tmp_path / "a")
        assert first.read_bytes() == second.read_bytes(), first.name
    assert load_knowledge(tmp_path / "b") == kb


def test_jsonl_round_trip_and_line_numbers(tmp_path: Path) -> None:
    kb = load_knowledge(TEST_KNOWLEDGE)
    export_jsonl(kb.procedures, tmp_path / "p.jsonl")
    assert sorted(load_jsonl(tmp_path / "p.jsonl"), key=lambda p: p.key) == sorted(
        kb.procedures, key=lambda p: p.key
    )
    broken = tmp_path / "broken.jsonl"
    lines = (tmp_path / "p.jsonl").read_text("utf-8").splitlines()
    broken.write_text("\n".join([lines[0], "{not json", lines[1].replace('"name"', '"nam"')]))
    with pytest.raises(KnowledgeError) as caught:
        load_jsonl(broken)
    found = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{broken}:2: -: invalid JSON") for p in found)
    assert f"{broken}:3: nam: unknown field" in found


def test_slug_fits_in_button_payloads() -> None:
    slug = slugify("Cấp lại Giấy chứng nhận đăng ký hoạt động của tổ chức khoa học và công nghệ")
    assert slug.startswith("cap-lai-giay-chung-nhan")
    assert len(slug) <= 40 and not slug.endswith("-")
