"""Deterministic synthetic plan data (members with the roster's contact columns, and claims) with a realistic shape,
generated in chunks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

CHUNK_MEMBERS = 50_000
EPOCH = dt.date(1970, 1, 1)
PLACES = [("HPSJ", "San Joaquin", 0.40), ("HPSJ", "Stanislaus", 0.25), ("HPSM", "San Mateo", 0.27),
          ("HPSJ", "El Dorado", 0.08)]  # El Dorado: a county with no go-live in the default rules
# The null fill for np.where: a 0-d object array holding None. numpy's stubs reject a bare None argument;
# this gives the same object array, with None where the condition is false.
_NULL = np.array(None, dtype=object)
RACES = ["hispanic", "white", "asian", "black", "aian", "pacific_islander", "other", "unknown"]
RACE_P = [0.42, 0.22, 0.14, 0.08, 0.02, 0.02, 0.05, 0.05]
LANGS = ["en", "es", "vi", "zh", "tl", "ru"]
PROGRAMS = ["HOSPICE", "PACE", "CCM", "CCT", "MSSP", "HCBA", "ALW", "HCBS_DD", "SDP", "MCWP", "CCM;MSSP", "SDP;PACE"]
# Diagnosis pool: (code, weight). Includes near-miss decoys: F17 (nicotine), Z591 (not homelessness).
DX = [("I10", 10), ("E11.9", 6), ("J45.909", 4), ("Z00.00", 12), ("R05.9", 8), ("M54.50", 8), ("K21.9", 5),
      ("E78.5", 6), ("F32.9", 3), ("F41.1", 3), ("Z59.00", 0.6), ("Z59.01", 0.3), ("Z59.1", 0.8),
      ("F17.210", 3), ("F10.20", 1), ("F11.20", 0.5), ("F20.9", 0.4), ("F31.9", 0.5), ("O09.90", 0.6),
      ("Z34.00", 0.6), ("Z37.0", 0.2), ("Z3A.20", 0.2), ("Z59.41", 0.3), ("Z63.0", 0.3), ("C50.911", 0.5),
      ("N18.3", 1), ("I50.9", 1), ("J44.9", 1.5), ("S06.0X0A", 0.2), ("G40.909", 0.4), ("F84.0", 0.3),
      ("B20", 0.1), ("F71", 0.1), ("Z51.11", 0.5), ("H52.4", 3)]
REVENUE = ["0450", "0451;0250", "0981", "0300;0250", "0110;0250;0300", "0120", "0636", "0360;0250", "0300",
           "0250", "0320", "0730", "0510", "0420", "0270"]
PROCS_PRO = ["99213", "99214", "99285", "90837", "80053;85025", "G0439", "99203", "99286", "99212", "99213;36415",
             "99214;93000", "97110", "J1885;96372", "99395", "90471"]

# The roster's contact columns (exchange-spec §1). Each county's area code and some of its real cities with their
# ZIP codes; phone numbers are 555-01xx, the range reserved for fiction, so no real person is ever called.
CITIES = {
    "San Joaquin": ("209", [("Stockton", ["95202", "95203", "95204", "95205", "95206", "95207", "95209", "95210",
                                          "95212", "95215", "95219"]),
                            ("Lodi", ["95240", "95242"]), ("Tracy", ["95376", "95377", "95391"]),
                            ("Manteca", ["95336", "95337"]), ("Lathrop", ["95330"]), ("Ripon", ["95366"])]),
    "Stanislaus": ("209", [("Modesto", ["95350", "95351", "95354", "95355", "95356", "95357", "95358"]),
                           ("Turlock", ["95380", "95382"]), ("Ceres", ["95307"]), ("Oakdale", ["95361"]),
                           ("Riverbank", ["95367"]), ("Patterson", ["95363"])]),
    "San Mateo": ("650", [("San Mateo", ["94401", "94402", "94403"]), ("Daly City", ["94014", "94015"]),
                          ("Redwood City", ["94061", "94062", "94063"]), ("South San Francisco", ["94080"]),
                          ("San Bruno", ["94066"]), ("East Palo Alto", ["94303"]), ("Pacifica", ["94044"])]),
    "El Dorado": ("530", [("Placerville", ["95667"]), ("South Lake Tahoe", ["96150"]),
                          ("El Dorado Hills", ["95762"]), ("Cameron Park", ["95682"])]),
}
STREETS = ["Main St", "Pacific Ave", "El Dorado St", "Hammer Ln", "March Ln", "Oak St", "Elm Ave", "Maple Dr",
           "Mission Rd", "El Camino Real", "Center St", "Park Ave", "Lincoln Way", "Walnut St", "Sierra Vista Dr"]
PCP_NAMES = ["Valley Family Medicine", "Delta Community Health Center", "Golden Valley Health Center",
             "Peninsula Family Clinic", "Foothill Medical Group", "Central Valley Pediatrics", "Bayside Primary Care",
             "Riverbank Family Practice"]
DOCTORS = ["Ana Ruiz, MD", "Wei Chen, MD", "Maria Santos, DO", "Tupac Begay, MD", "Leilani Kahale, NP",
           "Luis Garcia, MD", "Mai Nguyen, MD", "Sarah O'Neil, PA"]
BH_NAMES = ["Delta Behavioral Health", "Valley Counseling Services", "Peninsula Mental Health Clinic",
            "Sierra Recovery Center", "Bay Area Wellness Collective"]
PHONE_SHAPES = ["({a}) {e}-{x}", "{a}-{e}-{x}", "{a}.{e}.{x}", "{a}{e}{x}", "+1 {a} {e} {x}", "1-{a}-{e}-{x}"]


def _choice(rng: np.random.Generator, options: list, p: list[float] | None, n: int) -> np.ndarray:
    weights = None if p is None else np.asarray(p, dtype=float) / np.sum(p)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=weights)]


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("int32"), pa.date32())


def _masked(values: np.ndarray, keep: np.ndarray) -> pa.Array:
    return pa.array(np.where(keep, values, _NULL), pa.string())


def member_id(index: np.ndarray) -> pa.Array:
    """CIN for member number i: 8 digits then a letter, unique per index."""
    digits = pc.utf8_lpad(pc.cast(pa.array(10_000_000 + index % 90_000_000), pa.string()), 8, "0")
    letters = pa.array(np.asarray(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), dtype=object)[(index // 90_000_000) % 26],
                       pa.string())
    return pc.binary_join_element_wise(digits, letters, "")


def members_chunk(rng: np.random.Generator, start: int, n: int, as_of: dt.date) -> pa.Table:
    """One chunk of members: plans and counties, ages, enrollment, flags and programs."""
    idx = np.arange(start, start + n)
    as_of_day = (as_of - EPOCH).days
    age_years = np.where(rng.random(n) < 0.38, rng.integers(0, 21, n), rng.integers(21, 95, n))
    birth = as_of_day - age_years * 365 - rng.integers(0, 365, n)
    place = rng.choice(len(PLACES), size=n, p=[p[2] for p in PLACES])
    plan = np.asarray([p[0] for p in PLACES], dtype=object)[place]
    county = np.asarray([p[1] for p in PLACES], dtype=object)[place]
    start_day = as_of_day - rng.integers(0, 3650, n)
    ended = rng.random(n) < 0.06
    end_day = np.where(ended, as_of_day - rng.integers(1, 400, n), as_of_day + rng.integers(1, 400, n))
    # An enrollment that ended began no later than its end (a roster refuses one ending before it starts); those
    # members are not enrolled on as_of either way, so the candidates are the same.
    start_day = np.where(ended, np.minimum(start_day, end_day), start_day)
    child = age_years < 21
    dsnp = np.where((plan == "HPSM") & (age_years >= 65), rng.random(n) < 0.35, False)
    foster = np.where(child & (rng.random(n) < 0.03), "current",
                      np.where((age_years >= 18) & (age_years < 27) & (rng.random(n) < 0.04), "former", _NULL))
    return pa.table({
        "member_id": member_id(idx),
        "first_name": pa.array(_choice(rng, ["Ana", "Luis", "Mai", "Wei", "Jose", "Maria", "Tupac", "Leilani"],
                                       None, n), pa.string()),
        "last_name": pa.array(_choice(rng, ["Garcia", "Nguyen", "Smith", "Lopez", "Chen", "Begay", "O'Neil",
                                            "Santos, Jr."], None, n), pa.string()),
        "birth_date": _dates(birth),
        "sex": pa.array(_choice(rng, ["F", "M", "X", "U"], [0.51, 0.47, 0.01, 0.01], n), pa.string()),
        "race_ethnicity": _masked(_choice(rng, RACES, RACE_P, n), rng.random(n) < 0.9),
        "language": pa.array(_choice(rng, LANGS, [0.6, 0.3, 0.04, 0.03, 0.02, 0.01], n), pa.string()),
        "county": pa.array(county, pa.string()),
        "plan_code": pa.array(plan, pa.string()),
        "enrollment_start": _dates(start_day),
        "enrollment_end": pa.array(np.where(ended | (rng.random(n) < 0.03), end_day, _NULL), pa.date32()),
        "delegated_to": _masked(np.full(n, "KAISER", dtype=object), rng.random(n) < 0.07),
        "dsnp": pa.array(dsnp, pa.bool_()),
        "other_programs": _masked(_choice(rng, PROGRAMS, None, n), rng.random(n) < 0.03),
        "homeless_flag": pa.array(rng.random(n) < 0.025, pa.bool_()),
        "release_date": pa.array(np.where(rng.random(n) < 0.015, as_of_day - rng.integers(0, 700, n), _NULL),
                                 pa.date32()),
        "ccs_enrolled": pa.array(child & (rng.random(n) < 0.05), pa.bool_()),
        "foster_care": pa.array(foster, pa.string()),
    })


def _diagnoses(rng: np.random.Generator, n: int) -> pa.Array:
    codes = [c for c, _ in DX]
    weights = [w for _, w in DX]
    first = pa.array(_choice(rng, codes, weights, n), pa.string())
    second = _masked(_choice(rng, codes, weights, n), rng.random(n) < 0.5)
    third = _masked(_choice(rng, codes, weights, n), rng.random(n) < 0.2)
    return pc.binary_join_element_wise(first, second, third, ";", null_handling="skip")


def providers(seed: int, n_members: int) -> tuple[np.ndarray, np.ndarray]:
    """The plan's billing providers: (NPIs, the share of claims each bills).

    About one provider per 20 members, as in a plan's network; the shares fall off as 1/rank, so a few
    hospitals and large clinics bill much of the volume and most providers bill little.
    """
    rng = np.random.default_rng([seed, 0, 1])  # never one of the chunks' seeds ([seed, chunk])
    size = max(50, n_members // 20)
    npis = rng.choice(9_000_000_000, size=size, replace=False) + 1_000_000_000
    share = 1.0 / np.arange(1, size + 1)
    return np.asarray([str(n) for n in npis], dtype=object), share / share.sum()


def claims_chunk(rng: np.random.Generator, first_claim: int, members: pa.Table, mean_claims: float,
                 as_of: dt.date, npis: tuple[np.ndarray, np.ndarray]) -> pa.Table:
    """Claims for one member chunk: few claims for most, a heavy tail of high utilizers."""
    n_members = members.num_rows
    # Gamma-mixed Poisson (negative binomial): most members have a few claims, some have hundreds.
    counts = rng.poisson(rng.gamma(0.4, mean_claims / 0.4, n_members))
    owner = np.repeat(np.arange(n_members), counts)
    n = int(owner.size)
    as_of_day = (as_of - EPOCH).days
    frm = as_of_day - rng.integers(0, 760, n)
    kind = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])  # professional, institutional, pharmacy
    inst, pharm = kind == 1, kind == 2
    bill_types = ["111", "0111", "131", "0131", "211", "121", "831"]
    bill = _choice(rng, bill_types, [0.25, 0.05, 0.45, 0.05, 0.08, 0.07, 0.05], n)
    inpatient = inst & np.isin(bill, ["111", "0111", "211"])
    los = np.where(inpatient, rng.integers(0, 9, n), 0)
    pos = _choice(rng, ["11", "23", "22", "21", "02", "20"], [0.72, 0.04, 0.1, 0.04, 0.06, 0.04], n)
    member_ids = members.column("member_id").take(pa.array(owner))
    unknown = rng.random(n) < 0.0005
    member_ids = pc.if_else(pa.array(unknown), pa.array(np.full(n, "99999999Z", dtype=object), pa.string()),
                            member_ids)
    numbers = pc.utf8_lpad(pc.cast(pa.array(first_claim + np.arange(n)), pa.string()), 10, "0")
    ids = pc.binary_join_element_wise(pa.array(np.full(n, "CLM", dtype=object), pa.string()), numbers, "")
    dx = _diagnoses(rng, n)
    return pa.table({
        "claim_id": ids, "member_id": member_ids, "service_from": _dates(frm),
        "service_to": pa.array(np.where(inpatient | (rng.random(n) < 0.3), frm + los, _NULL), pa.date32()),
        "claim_type": pa.array(np.asarray(["professional", "institutional", "pharmacy"], dtype=object)[kind],
                               pa.string()),
        "bill_type": _masked(bill, inst),
        "place_of_service": _masked(pos, kind == 0),
        "revenue_codes": _masked(_choice(rng, REVENUE, None, n), inst),
        "procedure_codes": _masked(_choice(rng, PROCS_PRO, None, n), ~pharm),
        "admission_type": _masked(_choice(rng, ["1", "2", "3", "4", "5"], [0.45, 0.2, 0.28, 0.02, 0.05], n),
                                  inpatient),
        "diagnosis_codes": pc.if_else(pa.array(pharm & (rng.random(n) < 0.8)), pa.scalar(None, pa.string()), dx),
        "provider_npi": pa.array(npis[0][rng.choice(npis[0].size, size=n, p=npis[1])], pa.string()),
    })


def npi_with_check_digit(first_nine: str) -> str:
    """A valid NPI: the 9 digits and the Luhn check digit of "80840" + them (as CMS computes it)."""
    total = 0
    for i, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char)
        if i % 2 == 0:  # doubled: the check digit will sit to the right of these
            digit = digit * 2 - 9 if digit >= 5 else digit * 2
        total += digit
    return first_nine + str((10 - total % 10) % 10)


def care_providers(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The plan's primary-care and behavioral-health providers named on the roster: kind -> (NPIs, names)."""
    rng = np.random.default_rng([seed, 0, 3])  # never a chunk's seed ([seed, chunk]) nor the billing providers'
    pools = {}
    for kind, names in (("pcp", [*PCP_NAMES, *(f"Dr. {d}" for d in DOCTORS)]), ("bh", BH_NAMES)):
        nines = rng.choice(100_000_000, size=len(names), replace=False) + 100_000_000
        pools[kind] = (np.asarray([npi_with_check_digit(str(n)) for n in nines], dtype=object),
                       np.asarray(names, dtype=object))
    return pools


def _join(*parts: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _text(values: list[str] | np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=object), pa.string())


def contact_columns(rng: np.random.Generator, county: np.ndarray,
                    providers_named: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, pa.Array]:
    """The roster's contact columns for members in these counties: a phone in one of several US formats, an
    address in a real city of the county with its ZIP code (some ZIP+4), the PCP and (for some) the
    behavioral-health provider. A few members have no phone, no address or no PCP."""
    n = county.size
    city, zip5, area = (np.empty(n, dtype=object) for _ in range(3))
    for name, (code, cities) in CITIES.items():
        here = np.flatnonzero(county == name)
        picks = rng.integers(0, len(cities), here.size)
        city[here] = np.asarray([c for c, _ in cities], dtype=object)[picks]
        draws = rng.integers(0, 1_000_000, here.size)
        zip5[here] = [cities[p][1][d % len(cities[p][1])] for p, d in zip(picks, draws, strict=True)]
        area[here] = code
    line = np.char.zfill(rng.integers(100, 200, n).astype(str), 4)  # 0100-0199
    shape = rng.integers(0, len(PHONE_SHAPES), n)
    phone = [PHONE_SHAPES[s].format(a=a, e="555", x=x) for s, a, x in zip(shape, area, line, strict=True)]
    plus4 = np.char.zfill(rng.integers(0, 10_000, n).astype(str), 4)
    zip_code = np.where(rng.random(n) < 0.3, zip5 + "-" + plus4.astype(object), zip5)
    street = _text(np.asarray(STREETS, dtype=object)[rng.integers(0, len(STREETS), n)])
    apartment = np.where(rng.random(n) < 0.25, " Apt " + rng.integers(1, 40, n).astype(str).astype(object), "")
    address = _join(pc.cast(pa.array(rng.integers(1, 9999, n)), pa.string()), _text(np.full(n, " ", dtype=object)),
                    street, _text(apartment))
    housed = rng.random(n) >= 0.02
    pcp = rng.integers(0, providers_named["pcp"][0].size, n)
    has_pcp = rng.random(n) >= 0.05
    bh = rng.integers(0, providers_named["bh"][0].size, n)
    has_bh = rng.random(n) < 0.2
    return {
        "phone": _masked(np.asarray(phone, dtype=object), rng.random(n) >= 0.08),
        "address_line": pc.if_else(pa.array(housed), address, pa.scalar(None, pa.string())),
        "city": _masked(city, housed),
        "zip_code": _masked(zip_code, housed),
        "pcp_npi": _masked(providers_named["pcp"][0][pcp], has_pcp),
        "pcp_name": _masked(providers_named["pcp"][1][pcp], has_pcp),
        "bh_provider_npi": _masked(providers_named["bh"][0][bh], has_bh),
        "bh_provider_name": _masked(providers_named["bh"][1][bh], has_bh),
    }


class _Sink:
    """Chunked CSV or Parquet writer with fixed settings, so the same seed gives the same bytes."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str) -> None:
        self.fmt = fmt
        if fmt == "parquet":
            self.writer = pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=True)
        else:
            self.writer = pacsv.CSVWriter(path, schema, write_options=pacsv.WriteOptions(quoting_style="needed"))

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table) if self.fmt == "parquet" else self.writer.write(table)

    def close(self) -> None:
        self.writer.close()


def synthesize(n_members: int, out_dir: str | Path, seed: int = 1, as_of: dt.date = dt.date(2026, 6, 30),
               fmt: str = "csv", claims_per_member: float = 20.0) -> list[Path]:
    """Write out_dir/members.<fmt> and out_dir/claims.<fmt>; the same arguments give identical files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"members.{fmt}", out / f"claims.{fmt}"]
    sinks: list[_Sink] = []
    next_claim = 1
    npis = providers(seed, n_members)
    named = care_providers(seed)
    try:
        for chunk, start in enumerate(range(0, n_members, CHUNK_MEMBERS)):
            rng = np.random.default_rng([seed, chunk])
            members = members_chunk(rng, start, min(CHUNK_MEMBERS, n_members - start), as_of)
            claims = claims_chunk(rng, next_claim, members, claims_per_member, as_of, npis)
            # The contact columns draw from a generator of their own, so every other value stays as it was.
            contact = contact_columns(np.random.default_rng([seed, chunk, 7]),
                                      members.column("county").to_numpy(zero_copy_only=False), named)
            for name, values in contact.items():
                members = members.append_column(name, values)
            next_claim += claims.num_rows
            if not sinks:
                sinks = [_Sink(paths[0], members.schema, fmt), _Sink(paths[1], claims.schema, fmt)]
            sinks[0].write(members)
            sinks[1].write(claims)
    finally:
        for sink in sinks:
            sink.close()
    return paths
