"""Sanity check of the blind evaluation set; prints a summary."""
import csv, json, os
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = "/work/shared/data/communes-hcp.csv"
PROV = {"09.001": "Agadir-Ida-Ou-Tanane", "09.273": "Inezgane-Ait Melloul",
        "09.163": "Chtouka-Ait Baha", "09.541": "Taroudant", "09.581": "Tiznit",
        "09.551": "Tata", "08.401": "Ouarzazate", "08.577": "Tinghir", "08.587": "Zagora",
        "10.473": "Sidi Ifni"}
LANGS = {"fr", "ar", "ber", "en", "es", "nl", "de"}
MODES = {"remote", "on_site", "mentoring", "funding_network"}
KINDS = {"feasibility_study", "technical_expertise", "training", "funding_search",
         "project_management", "other", None}
NMODES = {"remote", "on_site", "any", None}
SLICE_NAMES = {"typos", "jargon", "cross_language", "arabic", "english", "trap"}


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)


experts, needs = load("experts.json"), load("needs.json")
grades, slices = load("grades.json"), load("slices.json")
errors = []

eids = [e["id"] for e in experts]
nids = [n["id"] for n in needs]
if len(set(eids)) != len(eids): errors.append("duplicate expert ids")
if len(set(nids)) != len(nids): errors.append("duplicate need ids")

for e in experts:
    for l in e.get("languages") or []:
        if l not in LANGS: errors.append(f"{e['id']} bad language {l}")
    for m in e.get("modes") or []:
        if m not in MODES: errors.append(f"{e['id']} bad mode {m}")
    h = e.get("availability_hours_per_month")
    if h is not None and (not isinstance(h, (int, float)) or h < 0):
        errors.append(f"{e['id']} bad hours {h}")

communes = {r["name_fr"]: PROV[r["province_code"]] for r in csv.DictReader(open(CSV, encoding="utf-8"))}
for n in needs:
    if communes.get(n["commune"]) != n["province"]:
        errors.append(f"{n['id']} commune/province {n['commune']}/{n['province']} not in HCP file")
    if n.get("kind") not in KINDS: errors.append(f"{n['id']} bad kind")
    if n.get("mode") not in NMODES: errors.append(f"{n['id']} bad mode")
    for l in n.get("languages") or []:
        if l not in LANGS: errors.append(f"{n['id']} bad language {l}")

if set(grades) != set(nids): errors.append("grades.json needs differ from needs.json")
dist = Counter()
per_need_rel = {}
for nid in nids:
    row = grades.get(nid, {})
    if set(row) != set(eids): errors.append(f"{nid}: grades row does not cover every expert")
    for eid, g in row.items():
        if g not in (0, 1, 2, 3): errors.append(f"{nid}/{eid}: grade {g}")
        dist[g] += 1
    per_need_rel[nid] = sum(1 for g in row.values() if g >= 2)
    if per_need_rel[nid] == 0: errors.append(f"{nid}: no expert graded >= 2")

# experts with 0 hours must never be graded > 0
for e in experts:
    if e.get("availability_hours_per_month") == 0:
        for nid in nids:
            if grades[nid][e["id"]] > 0: errors.append(f"{nid}/{e['id']}: 0 h but graded > 0")

traps = slices.get("_traps", {})
ntrap_pairs = 0
for nid, lst in traps.items():
    for eid in lst:
        ntrap_pairs += 1
        if grades[nid][eid] != 0: errors.append(f"trap {nid}/{eid} graded > 0")
    if "trap" not in slices.get(nid, []): errors.append(f"{nid} has traps but no trap slice")
for nid in nids:
    for s in slices.get(nid, []):
        if s not in SLICE_NAMES: errors.append(f"{nid}: unknown slice {s}")
    if "trap" in slices.get(nid, []) and not traps.get(nid): errors.append(f"{nid}: trap slice without traps")

slice_counts = Counter(s for nid in nids for s in slices.get(nid, []))
print("== blind eval set summary ==")
print(f"needs: {len(needs)}   experts: {len(experts)}   graded pairs: {sum(dist.values())}")
print("grade distribution:", {g: dist[g] for g in (3, 2, 1, 0)})
print(f"relevant (>=2) experts per need: min {min(per_need_rel.values())}, "
      f"max {max(per_need_rel.values())}, mean {sum(per_need_rel.values())/len(nids):.1f}")
print(f"trap pairs: {ntrap_pairs} over {len(traps)} needs; distinct trap experts: "
      f"{len({e for l in traps.values() for e in l})}")
print("slices:", ", ".join(f"{s}={slice_counts[s]}" for s in
                           ["typos", "jargon", "cross_language", "arabic", "english", "trap"]))
print("needs by kind:", dict(Counter(n.get('kind') for n in needs)))
print("needs by mode:", dict(Counter(n.get('mode') for n in needs)))
print("needs by province:", dict(Counter(n['province'] for n in needs)))
print("experts by country:", dict(Counter(e.get('country') for e in experts)))
hrs = [e.get("availability_hours_per_month") for e in experts]
print(f"experts with 0 h: {hrs.count(0)}, unknown hours (null): {hrs.count(None)}")
print(f"experts never graded >= 1: {sum(1 for e in eids if all(grades[n][e] == 0 for n in nids))}")
print("errors:", len(errors))
for e in errors: print("  -", e)
raise SystemExit(1 if errors else 0)
