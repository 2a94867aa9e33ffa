"""Baseline: the default identification rules written the way a plan analyst would in pandas.

Used only by benchmarks/identify.py to time a straightforward implementation and to check that
the DuckDB engine gives the same output. Reads the thresholds and code lists from the default rules
file but hand-codes each POF, as an analyst would. Assumes the inputs are valid.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa

from identification.config import load_rules
from identification.output import CANDIDATE_SCHEMA, EXCLUSION_SCHEMA, default_exclusions_path, write_atomically
from identification.rulesql import window_start, years_before

RULES = load_rules()
MEMBER_COLS = ["member_id", "birth_date", "race_ethnicity", "county", "plan_code", "enrollment_start",
               "enrollment_end", "delegated_to", "dsnp", "other_programs", "homeless_flag", "release_date",
               "ccs_enrolled", "foster_care"]
CLAIM_COLS = ["claim_id", "member_id", "service_from", "service_to", "claim_type", "bill_type", "place_of_service",
              "revenue_codes", "procedure_codes", "admission_type", "diagnosis_codes"]


def read(path: str, cols: list[str]) -> pd.DataFrame:
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq
        names = set(pq.read_schema(path).names)
        df = pd.read_parquet(path, columns=[c for c in cols if c in names]).astype("string")
        df = df.apply(lambda s: s.str.strip())
    else:
        head = pd.read_csv(path, nrows=0).columns
        df = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=[c for c in cols if c in head])
        df = df.apply(lambda s: s.str.strip())
    for c in cols:
        if c not in df:
            df[c] = pd.NA
    return df.replace("", pd.NA)


def matches(codes: pd.Series, list_name: str) -> pd.Series:
    """Whether each (undotted, upper-case) code is on a code list."""
    pats = RULES.code_lists[list_name].patterns
    prefixes = tuple(p.prefix for p in pats if not p.exact)
    exact = {p.prefix for p in pats if p.exact}
    return codes.str.startswith(prefixes) | codes.isin(exact) if prefixes else codes.isin(exact)


def flag(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].str.lower().eq("true").fillna(False).astype(bool)


def members_frame(path: str, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    m = read(path, MEMBER_COLS)
    for col in ("birth_date", "enrollment_start", "enrollment_end", "release_date"):
        m[col] = pd.to_datetime(m[col]).dt.date
    active = m[(m.enrollment_start <= as_of) & (m.enrollment_end.isna() | (m.enrollment_end >= as_of))].copy()
    programs = active.other_programs.fillna("").str.split(";").apply(lambda xs: {x.strip() for x in xs})
    reason = programs.apply(lambda ps: next((p for p in RULES.program_order if p in ps), None))
    dsnp = flag(active, "dsnp") & active.plan_code.isin(RULES.dsnp_plans)
    active["reason"] = reason.where(reason.notna(), dsnp.map({True: RULES.dsnp_reason, False: None}))
    excluded = active[active.reason.notna()][["member_id", "reason"]]
    elig = active[active.reason.isna()].copy()
    elig["adult"] = elig.birth_date <= years_before(as_of, RULES.adult_age)
    return elig, excluded


def claims_frame(path: str, members: set[str]) -> pd.DataFrame:
    c = read(path, CLAIM_COLS)
    c = c[c.member_id.isin(members)].copy()
    c["service_from"] = pd.to_datetime(c.service_from)
    c["service_to"] = pd.to_datetime(c.service_to.fillna(c.service_from.dt.strftime("%Y-%m-%d")))
    bill = c.bill_type.fillna("")
    bill = bill.where(bill.str.len() != 4, bill.str[1:])
    c["is_stay"] = (c.claim_type.eq("institutional") & bill.str[:2].isin(RULES.stay_bill_type_prefixes)
                    & c.admission_type.isin(RULES.stay_admission_types)).fillna(False).astype(bool)

    def any_item(col: str, codes: tuple[str, ...]) -> pd.Series:
        items = c[col].fillna("").str.upper().str.split(";").explode().str.strip()
        return items.isin(codes).groupby(level=0).any()

    ed = (c.place_of_service.isin(RULES.ed_places_of_service).fillna(False)
          | any_item("revenue_codes", RULES.ed_revenue_codes) | any_item("procedure_codes", RULES.ed_procedure_codes))
    c["is_ed"] = ~c.is_stay & ed.astype(bool)
    dx = c.diagnosis_codes.fillna("").str.upper().str.replace(".", "", regex=False).str.split(";").explode()
    dx = dx.str.strip()
    dx = dx[dx != ""]
    first = dx.groupby(level=0).first()
    for name in ("homelessness", "complex_need", "justice_qualifying", "pregnancy_or_delivery", "social_risk"):
        c[f"any_{name}"] = matches(dx, name).groupby(level=0).any().reindex(c.index, fill_value=False)
    c["primary_smi_sud"] = matches(first, "smi_sud").reindex(c.index, fill_value=False)
    return c


def stays_frame(c: pd.DataFrame) -> pd.DataFrame:
    s = c[c.is_stay].sort_values(["member_id", "service_from", "claim_id"]).copy()
    prev_end = s.groupby("member_id").service_to.transform(lambda x: x.cummax().shift())
    gap = pd.Timedelta(days=RULES.stay_merge_gap_days)
    s["new"] = (prev_end.isna() | (s.service_from > prev_end + gap)).astype(int)
    s["stay_no"] = s.groupby("member_id").new.cumsum()
    g = s.groupby(["member_id", "stay_no"])
    s["stay_start"] = g.service_from.transform("min")
    s["stay_primary"] = g.primary_smi_sud.transform("any")
    return s


def in_window(dates: pd.Series, as_of: dt.date, months: int) -> pd.Series:
    return (dates > pd.Timestamp(window_start(as_of, months))) & (dates <= pd.Timestamp(as_of))


def evidence_sets(c: pd.DataFrame, s: pd.DataFrame, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """Claims behind each measure, with the unit counted toward thresholds."""
    def codes(col: str, months: int) -> pd.DataFrame:
        e = c[c[col] & in_window(c.service_from, as_of, months)]
        return e.assign(unit=e.claim_id)[["member_id", "claim_id", "service_from", "unit"]]

    def ed(months: int, primary: bool) -> pd.DataFrame:
        e = c[c.is_ed & in_window(c.service_from, as_of, months)]
        if primary:
            e = e[e.groupby(["member_id", "service_from"]).primary_smi_sud.transform("any")]
        return e.assign(unit=e.service_from.astype(str))[["member_id", "claim_id", "service_from", "unit"]]

    def stays(months: int, primary: bool) -> pd.DataFrame:
        e = s[in_window(s.stay_start, as_of, months) & (s.stay_primary if primary else True)]
        return e.assign(unit=e.stay_no.astype(str))[["member_id", "claim_id", "service_from", "unit"]]

    return {"home12": codes("any_homelessness", 12), "complex12": codes("any_complex_need", 12),
            "justice12": codes("any_justice_qualifying", 12), "preg12": codes("any_pregnancy_or_delivery", 12),
            "social12": codes("any_social_risk", 12), "primsmi12": codes("primary_smi_sud", 12),
            "ed6": ed(6, False), "stay6": stays(6, False), "ed12": ed(12, False), "stay12": stays(12, False),
            "ed12smi": ed(12, True), "stay12smi": stays(12, True)}


def pof_rows(m: pd.DataFrame, ev: dict[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    n = {k: v.groupby("member_id").unit.nunique().reindex(m.member_id, fill_value=0).to_numpy() for k, v in ev.items()}
    adult, child = m.adult.to_numpy(), ~m.adult.to_numpy()
    hf, ccs = flag(m, "homeless_flag").to_numpy(), flag(m, "ccs_enrolled").to_numpy()
    rel = m.release_date.notna() & (m.release_date > window_start(as_of, 12)) & (m.release_date <= as_of)
    rel = rel.to_numpy()
    race = m.race_ethnicity.isin(["black", "aian", "pacific_islander"]).to_numpy()
    foster = m.foster_care.fillna("")
    c5 = ((foster.eq("current") & ~m.adult) | (foster.eq("former") & (m.birth_date > years_before(as_of, 26))))
    # (pof, qualifies, [(measure, contributes)])
    rules = [
        ("A1", adult & (hf | (n["home12"] > 0)) & (n["complex12"] > 0),
         [("home12", n["home12"] > 0), ("complex12", True)]),
        ("A2", adult & ((n["ed6"] >= 5) | (n["stay6"] >= 3)), [("ed6", n["ed6"] >= 5), ("stay6", n["stay6"] >= 3)]),
        ("A3", adult & ((n["ed12smi"] >= 2) | (n["stay12smi"] >= 2)),
         [("ed12smi", n["ed12smi"] >= 2), ("stay12smi", n["stay12smi"] >= 2)]),
        ("A4", adult & rel & (n["justice12"] > 0), [("justice12", True)]),
        ("A7", adult & (n["preg12"] > 0) & race, [("preg12", True)]),
        ("C1", child & (hf | (n["home12"] > 0)), [("home12", n["home12"] > 0)]),
        ("C2", child & ((n["ed12"] >= 3) | (n["stay12"] >= 2)),
         [("ed12", n["ed12"] >= 3), ("stay12", n["stay12"] >= 2)]),
        ("C3", child & (n["primsmi12"] > 0), [("primsmi12", True)]),
        ("C4", child & ccs & (n["social12"] > 0), [("social12", True)]),
        ("C5", c5.to_numpy(), []),
        ("C6", child & rel, []),
        ("C7", child & (n["preg12"] > 0) & race, [("preg12", True)]),
    ]
    live = {pof: {(p, c) for p, c, q, d in RULES.go_live if q == pof and d <= as_of} for pof, _, _ in rules}
    place = list(zip(m.plan_code, m.county, strict=True))
    rows, evidence = [], []
    for pof, ok, parts in rules:
        ok = ok & pd.Series([pc in live[pof] for pc in place], index=m.index).to_numpy()
        ids = m.member_id[ok]
        rows.append(pd.DataFrame({"member_id": ids, "pof": pof}))
        for measure, contributes in parts:
            who = set(m.member_id[ok & (contributes if not isinstance(contributes, bool) else True)])
            e = ev[measure]
            evidence.append(e[e.member_id.isin(who)][["member_id", "claim_id", "service_from"]].assign(pof=pof))
    return summarise(pd.concat(rows), pd.concat(evidence), m)


def summarise(rows: pd.DataFrame, evidence: pd.DataFrame, m: pd.DataFrame) -> pd.DataFrame:
    ev = evidence.drop_duplicates(["member_id", "pof", "claim_id"])
    ev = ev.sort_values(["member_id", "pof", "service_from", "claim_id"])
    agg = ev.groupby(["member_id", "pof"]).agg(evidence_count=("claim_id", "size"), first=("service_from", "min"),
                                               last=("service_from", "max"),
                                               ids=("claim_id", lambda x: ";".join(x.iloc[:20])))
    out = rows.merge(agg.reset_index(), on=["member_id", "pof"], how="left")
    out = out.merge(m[["member_id", "delegated_to"]], on="member_id", how="left")
    return out.sort_values(["member_id", "pof"])


def run(members: str, claims: str, as_of: dt.date, out: str) -> None:
    elig, excluded = members_frame(members, as_of)
    c = claims_frame(claims, set(elig.member_id))
    result = pof_rows(elig.reset_index(drop=True), evidence_sets(c, stays_frame(c), as_of), as_of)
    cand = pa.table({
        "member_id": result.member_id.astype(str).tolist(), "pof": result.pof.tolist(),
        "as_of": [as_of] * len(result), "rule_version": [RULES.version] * len(result),
        "evidence_count": result.evidence_count.fillna(0).astype(int).tolist(),
        "first_evidence_date": [None if pd.isna(d) else d.date() for d in result["first"]],
        "last_evidence_date": [None if pd.isna(d) else d.date() for d in result["last"]],
        "evidence_claim_ids": [None if pd.isna(x) else x for x in result.ids],
        "route_to": [None if pd.isna(x) else x for x in result.delegated_to],
    }, schema=CANDIDATE_SCHEMA)
    excluded = excluded.sort_values("member_id")
    excl = pa.table({"member_id": excluded.member_id.astype(str).tolist(), "reason": excluded.reason.tolist()},
                    schema=EXCLUSION_SCHEMA)
    write_atomically([(cand, Path(out)), (excl, default_exclusions_path(out))])


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--members", required=True)
    p.add_argument("--claims", required=True)
    p.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    run(a.members, a.claims, a.as_of, a.out)
    sys.exit(0)
