"""Evidence: claims behind each met condition, distinct count, first/last dates and the 20-id cap."""

from __future__ import annotations

import datetime as dt

from tests.identification.conftest import claim, ed, member, stay_claim


def test_a1_evidence_has_homelessness_and_complex_need_claims(job) -> None:
    home = claim(service_from="2026-01-10", diagnosis_codes="Z59.01")
    cx = claim(service_from="2026-02-10", diagnosis_codes="J45.909")
    both = claim(service_from="2026-03-10", diagnosis_codes="Z5900;E119")
    other = claim(service_from="2026-04-10", diagnosis_codes="R05")
    old = claim(service_from="2025-06-30", diagnosis_codes="E119")
    row = job.row([member(homeless_flag="true")], [home, cx, both, other, old], "A1")
    assert row == {
        "member_id": "10000001A", "pof": "A1", "as_of": "2026-06-30", "rule_version": "2026.1",
        "evidence_count": "3", "first_evidence_date": "2026-01-10", "last_evidence_date": "2026-03-10",
        "evidence_claim_ids": ";".join([home["claim_id"], cx["claim_id"], both["claim_id"]]), "route_to": "",
    }


def test_only_the_met_side_of_an_or_contributes(job) -> None:
    visits = [ed(service_from=f"2026-0{m}-01") for m in range(1, 6)]
    stays = [stay_claim(service_from="2026-01-15"), stay_claim(service_from="2026-03-15")]
    row = job.row([member()], visits + stays, "A2")
    assert row is not None and row["evidence_count"] == "5"  # 2 stays < 3: not evidence
    row = job.row([member()], visits + stays + [stay_claim(service_from="2026-05-15")], "A2")
    assert row is not None and row["evidence_count"] == "8"


def test_threshold_evidence_is_all_counted_visits_in_the_window(job) -> None:
    visits = [ed(service_from=d) for d in ("2025-12-31", "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01",
                                            "2026-05-01")]
    outside = ed(service_from="2025-12-30")
    row = job.row([member()], [outside, *visits], "A2")
    assert row is not None
    assert row["evidence_count"] == "6" and row["first_evidence_date"] == "2025-12-31"
    assert outside["claim_id"] not in row["evidence_claim_ids"]


def test_stay_evidence_includes_every_claim_of_the_stay(job) -> None:
    stays = [stay_claim(service_from="2026-01-01", service_to="2026-01-03"),
             stay_claim(service_from="2026-01-04", service_to="2026-01-06", bill_type="0211"),
             stay_claim(service_from="2026-03-01"), stay_claim(service_from="2026-05-01")]
    row = job.row([member()], stays, "A2")
    assert row is not None and row["evidence_count"] == "4"


def test_evidence_ids_capped_at_20_in_date_then_id_order(job) -> None:
    start = dt.date(2026, 1, 1)
    claims = [ed(service_from=start + dt.timedelta(days=i), claim_id=f"X{99 - i:03d}") for i in range(25)]
    claims.append(ed(service_from=start, claim_id="A000"))  # same date as X099: sorts first by claim_id
    row = job.row([member(birth_date="2012-01-01")], claims, "C2")
    assert row is not None
    ids = row["evidence_claim_ids"].split(";")
    assert row["evidence_count"] == "26" and len(ids) == 20
    assert ids[:3] == ["A000", "X099", "X098"] and ids[-1] == "X081"
    assert row["first_evidence_date"] == "2026-01-01" and row["last_evidence_date"] == "2026-01-25"


def test_claim_counted_once_when_behind_several_conditions(job) -> None:
    c = claim(service_from="2026-02-02", diagnosis_codes="Z5900;F329")
    row = job.row([member()], [c], "A1")
    assert row is not None and row["evidence_count"] == "1" and row["evidence_claim_ids"] == c["claim_id"]


def test_padded_ids_are_trimmed_and_plain_ones_read_as_they_are(job) -> None:
    """Validation proves plain ids need no TRIM and the rules then read them as they are; one padded id in
    the file (here with a no-break space) turns trimming back on for that column, and the output is the same."""
    home = claim(service_from="2026-01-10", diagnosis_codes="Z59.01")
    cx = claim(service_from="2026-02-10", diagnosis_codes="J45.909")
    plain = job.row([member(homeless_flag="true")], [home, cx], "A1")
    padded = [dict(home, claim_id=f"\u00a0{home['claim_id']} ", member_id=" 10000001A"), cx]
    rows, _ = job.run([member("10000001A\u3000", homeless_flag="true")], padded)
    assert [r for r in rows if r["pof"] == "A1"] == [plain]
    assert plain is not None and plain["evidence_claim_ids"] == f"{home['claim_id']};{cx['claim_id']}"
