#!/usr/bin/env python3
"""Validity checks and summary for the field evaluation set (eval_field).

  python3 check.py [path/to/communes-hcp.csv]

Checks: ids unique and prefixed (F-N.., F-E..); every need x expert pair graded 0-3;
every need has >= 2 experts graded >= 2; traps exist and are graded 0; hard constraints
(0 hours -> 0 everywhere; remote-only expert -> 0 on an on_site need); slice names known;
"short" needs have fewer than 25 words (title + body); "arabic" needs are in Arabic script;
grades.json and slices.json agree with make_grades.py. If the HCP communes file is given
or found, every need's commune and code must be a real row, in the stated province.
Exit status 1 on any failure.
"""
import csv
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SLICES = {"typos", "jargon", "cross_language", "arabic", "english", "trap", "darija", "short"}
PROVINCES = {  # HCP province code -> name used in needs.json
    "09.001": "Agadir-Ida-Ou-Tanane", "09.273": "Inezgane-Aït Melloul",
    "09.163": "Chtouka-Aït Baha", "09.541": "Taroudant", "09.581": "Tiznit",
    "09.551": "Tata", "08.401": "Ouarzazate", "08.587": "Zagora", "08.577": "Tinghir",
    "10.473": "Sidi Ifni",
}
ARABIC = re.compile(r"[\u0600-\u06FF]")
errors = []


def err(msg):
    errors.append(msg)


def as_list(v):
    if v is None:
        return []
    if isinstance(v, str):
        return [x.strip() for x in v.split(",") if x.strip()]
    return list(v)


def load(name):
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def communes_file():
    cands = sys.argv[1:2] + [os.environ.get("CODEV_COMMUNES_CSV", ""),
                             "/work/shared/data/communes-hcp.csv"]
    cands += [str(p / "shared/data/communes-hcp.csv") for p in HERE.parents]
    for c in cands:
        if c and Path(c).is_file():
            return Path(c)
    return None


def main():
    needs, experts = load("needs.json"), load("experts.json")
    grades, slices = load("grades.json"), load("slices.json")
    nids = [n["id"] for n in needs]
    eids = [e["id"] for e in experts]
    for kind, ids, pre in (("need", nids, "F-N"), ("expert", eids, "F-E")):
        for i, c in Counter(ids).items():
            if c > 1:
                err(f"duplicate {kind} id {i}")
        for i in ids:
            if not str(i).startswith(pre):
                err(f"{kind} id {i} lacks prefix {pre}")

    # every pair graded
    dist = Counter()
    for nid in nids:
        row = grades.get(nid)
        if row is None:
            err(f"need {nid} missing from grades.json")
            continue
        if set(row) != set(eids):
            err(f"need {nid}: graded experts differ from experts.json")
        for eid in eids:
            g = row.get(eid)
            if g not in (0, 1, 2, 3):
                err(f"{nid} x {eid}: grade {g!r}")
            else:
                dist[g] += 1
    if set(grades) != set(nids):
        err("grades.json has needs not in needs.json")

    # relevant per need
    rel = {nid: sum(1 for g in grades.get(nid, {}).values() if g >= 2) for nid in nids}
    for nid, r in rel.items():
        if r < 2:
            err(f"need {nid}: only {r} experts graded >= 2")

    # traps
    traps = slices.get("_traps", {})
    for nid, ts in traps.items():
        if nid not in nids:
            err(f"_traps: unknown need {nid}")
        for eid in ts:
            if eid not in eids:
                err(f"_traps {nid}: unknown expert {eid}")
            elif grades.get(nid, {}).get(eid) != 0:
                err(f"trap {nid} x {eid} graded {grades[nid][eid]}")
        if ts and "trap" not in slices.get(nid, []):
            err(f"need {nid} has traps but no 'trap' slice")

    # hard constraints
    byid = {e["id"]: e for e in experts}
    zero = [e["id"] for e in experts if e.get("availability_hours_per_month") == 0]
    remote_only = [e["id"] for e in experts if set(as_list(e.get("modes"))) == {"remote"}]
    for nid in nids:
        for eid in zero:
            if grades[nid][eid] != 0:
                err(f"{nid} x {eid}: expert has 0 hours but grade {grades[nid][eid]}")
    for n in needs:
        if n.get("mode") == "on_site":
            for eid in remote_only:
                if grades[n["id"]][eid] != 0:
                    err(f"{n['id']} x {eid}: on-site need, remote-only expert, grade > 0")

    # slices
    for nid in nids:
        for s in slices.get(nid, []):
            if s not in SLICES:
                err(f"{nid}: unknown slice {s}")
    for k in slices:
        if k != "_traps" and k not in nids:
            err(f"slices.json: unknown need {k}")
    for n in needs:
        sl = slices.get(n["id"], [])
        words = len(((n.get("title") or "") + " " + (n.get("body") or "")).split())
        if ("short" in sl) != (words < 25):
            err(f"{n['id']}: {words} words but short={'short' in sl}")
        if "arabic" in sl and not ARABIC.search(n.get("body") or ""):
            err(f"{n['id']}: slice arabic but no Arabic script in the body")

    # agreement with make_grades.py
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(HERE))
    import make_grades as mg
    for nid, row in mg.J.items():
        for eid, g in row.items():
            if grades.get(nid, {}).get(eid) != g:
                err(f"grades.json out of date for {nid} x {eid}: run make_grades.py")

    # communes
    cf = communes_file()
    if cf is None:
        print("communes file not found: commune rows not checked")
    else:
        rows = {r["code"]: r for r in csv.DictReader(cf.open(encoding="utf-8"))}
        for n in needs:
            r = rows.get(n.get("commune_code"))
            if r is None:
                err(f"{n['id']}: commune code {n.get('commune_code')} not in {cf.name}")
            elif r["name_fr"] != n.get("commune"):
                err(f"{n['id']}: commune {n.get('commune')!r} != HCP {r['name_fr']!r}")
            elif PROVINCES.get(r["province_code"]) != n.get("province"):
                err(f"{n['id']}: province {n.get('province')!r} != {PROVINCES.get(r['province_code'])!r}")

    # summary
    relv = list(rel.values())
    trap_pairs = sum(len(v) for v in traps.values())
    trap_needs = sum(1 for v in traps.values() if v)
    trap_experts = len({e for v in traps.values() for e in v})
    sc = Counter(s for nid in nids for s in slices.get(nid, []))
    prov = Counter(n.get("province") for n in needs)
    print(f"needs: {len(nids)}   experts: {len(eids)}   graded pairs: {len(nids) * len(eids)}")
    print("grade distribution: {" + ", ".join(f"{g}: {dist[g]}" for g in (3, 2, 1, 0)) + "}")
    print(f"relevant (>=2) experts per need: min {min(relv)}, max {max(relv)}, "
          f"mean {sum(relv) / len(relv):.1f}; needs with 3-6: "
          f"{sum(1 for r in relv if 3 <= r <= 6)}")
    print(f"trap pairs: {trap_pairs} over {trap_needs} needs; distinct trap experts: {trap_experts}")
    print("slices: " + ", ".join(f"{s}={sc[s]}" for s in
                                 ("typos", "jargon", "cross_language", "arabic", "english",
                                  "darija", "short", "trap")))
    print("provinces: " + ", ".join(f"{p}={c}" for p, c in prov.most_common()))
    print(f"experts with 0 hours: {len(zero)}; null/missing hours: "
          f"{sum(1 for e in experts if e.get('availability_hours_per_month') is None)}; "
          f"remote-only: {len(remote_only)}")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  -", e)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
