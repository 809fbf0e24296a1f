"""Regenerate the hand-written test records: offsets are found in the texts by this script, never typed.

Run ``python tests/data/records/make_records.py`` after editing a text or a spec below.  The two synthetic
reports share an agency and a program, so cross-document resolution has something to merge.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).parent

TEXTS = {
    "alpha.txt": (
        "苏州市幸福家庭工作报告\n\n"
        "2012年，苏州市人口和计划生育委员会（以下简称苏州市人口计生委）联合苏州市计划生育协会启动“暖心计划”，"
        "为失独家庭父母每人每月发放200元长效扶助金。"
        "奖励扶助标准由每人每年720元提高到960元。"
        "姑苏区为失独老人困难家庭提供心理咨询。副市长李四出席启动仪式。\n"
    ),
    "beta.txt": (
        "暖心计划实施情况\n\n"
        "苏州市人口和计划生育委员会继续实施暖心计划，暖心计划是幸福家庭工程的组成部分。"
        "为空巢老人家庭每户每年发放不少于1000元慰问金。\n"
    ),
}


def span(text: str, needle: str, nth: int = 0) -> dict[str, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle)}


def clause(text: str, needle: str) -> tuple[int, int]:
    s = span(text, needle)
    return s["start"], s["end"]


def alpha(text: str) -> dict:
    b1 = clause(text, "为失独家庭父母每人每月发放200元长效扶助金")
    b2 = clause(text, "奖励扶助标准由每人每年720元提高到960元")
    b3 = clause(text, "姑苏区为失独老人困难家庭提供心理咨询")
    lead = clause(text, "苏州市人口和计划生育委员会（以下简称苏州市人口计生委）联合苏州市计划生育协会启动“暖心计划”")
    return {
        "sections": [{"title": "苏州市幸福家庭工作报告", "region": "苏州市", "authors": ["苏州市人口和计划生育委员会"],
                      "start": 0, "end": len(text.rstrip())}],
        "entities": [
            {"type": "Region", "name": "苏州市", "aliases": [], "region": "江苏省",
             "mentions": [span(text, "苏州市")]},
            {"type": "Region", "name": "姑苏区", "aliases": [], "region": "苏州市",
             "mentions": [span(text, "姑苏区")]},
            {"type": "Agency", "name": "苏州市人口和计划生育委员会", "aliases": ["苏州市人口计生委"], "region": "苏州市",
             "mentions": [span(text, "苏州市人口和计划生育委员会"), span(text, "苏州市人口计生委")]},
            {"type": "Agency", "name": "苏州市计划生育协会", "aliases": [], "region": "苏州市",
             "mentions": [span(text, "苏州市计划生育协会")]},
            {"type": "Program", "name": "暖心计划", "aliases": [], "region": "苏州市",
             "mentions": [span(text, "暖心计划")]},
            {"type": "FamilyType", "name": "失独家庭", "aliases": [], "region": None,
             "mentions": [span(text, "失独家庭")]},
            {"type": "FamilyType", "name": "失独老人困难家庭", "aliases": [], "region": None,
             "mentions": [span(text, "失独老人困难家庭")]},
            {"type": "Person", "name": "李四", "aliases": [], "region": None, "roles": ["副市长"],
             "mentions": [span(text, "李四")]},
        ],
        "benefits": [
            {"kind": "cash", "region": "苏州市", "program": "暖心计划", "family_type": "失独家庭", "amount": 200,
             "previous_amount": None, "period": "month", "basis": "person", "description": "长效扶助金",
             "start": b1[0], "end": b1[1]},
            {"kind": "cash", "region": "苏州市", "program": None, "family_type": None, "amount": 960,
             "previous_amount": 720, "period": "year", "basis": "person", "description": "奖励扶助金",
             "start": b2[0], "end": b2[1]},
            {"kind": "service", "region": "姑苏区", "program": None, "family_type": "失独老人困难家庭", "amount": None,
             "previous_amount": None, "period": None, "basis": None, "description": "心理咨询",
             "start": b3[0], "end": b3[1]},
        ],
        "relations": [
            {"type": "leads", "subject": "苏州市人口和计划生育委员会", "object": "暖心计划",
             "start": lead[0], "end": lead[1]},
            {"type": "partners", "subject": "苏州市计划生育协会", "object": "暖心计划", "start": lead[0], "end": lead[1]},
            {"type": "targets", "subject": "暖心计划", "object": "失独家庭", "start": b1[0], "end": b1[1]},
            {"type": "operatesIn", "subject": "暖心计划", "object": "苏州市"},
            {"type": "partOf", "subject": "姑苏区", "object": "苏州市"},
            {"type": "authored", "subject": "苏州市人口和计划生育委员会", "object": "苏州市幸福家庭工作报告"},
        ],
    }


def beta(text: str) -> dict:
    b1 = clause(text, "为空巢老人家庭每户每年发放不少于1000元慰问金")
    part = clause(text, "暖心计划是幸福家庭工程的组成部分")
    return {
        "sections": [],
        "entities": [
            {"type": "Agency", "name": "苏州市人口和计划生育委员会", "aliases": [], "region": "苏州市",
             "mentions": [span(text, "苏州市人口和计划生育委员会")]},
            {"type": "Program", "name": "暖心计划", "aliases": ["“暖心计划”"], "region": "苏州市",
             "mentions": [span(text, "暖心计划", 1), span(text, "暖心计划", 2)]},
            {"type": "Program", "name": "幸福家庭工程", "aliases": [], "region": "苏州市",
             "mentions": [span(text, "幸福家庭工程")]},
            {"type": "FamilyType", "name": "空巢老人家庭", "aliases": [], "region": None,
             "mentions": [span(text, "空巢老人家庭")]},
        ],
        "benefits": [
            {"kind": "cash", "region": "苏州市", "program": "暖心计划", "family_type": "空巢老人家庭", "amount": 1000,
             "previous_amount": None, "period": "year", "basis": "family", "description": "慰问金",
             "qualifier": "at_least", "start": b1[0], "end": b1[1]},
        ],
        "relations": [
            {"type": "leads", "subject": "苏州市人口和计划生育委员会", "object": "暖心计划"},
            {"type": "partOf", "subject": "暖心计划", "object": "幸福家庭工程", "start": part[0], "end": part[1]},
        ],
    }


def main() -> None:
    for name, text in TEXTS.items():
        (HERE / name).write_text(text, encoding="utf-8")
        body = {"alpha.txt": alpha, "beta.txt": beta}[name](text)
        record = {"format": "hfkg-extraction/1",
                  "source": {"name": name, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                             "chars": len(text)},
                  **body}
        (HERE / name.replace(".txt", ".json")).write_text(
            json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
