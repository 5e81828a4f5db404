"""Build the full grade matrix (grades.json) and the slices file (slices.json)
from the sparse human judgements below. Every (need, expert) pair not listed
gets grade 0. Run from anywhere: python3 make_grades.py

Grades: 3 = could do the work well and fits the constraints (languages, mode, hours)
        2 = relevant and useful, partly fits (adjacent skill, or a constraint partly missed)
        1 = loosely related
        0 = not relevant, or cannot help (0 hours; remote-only for a need that requires
            presence; lacks the required language for on-site work with local people).
Traps (keyword look-alikes) are always 0.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# need -> {expert: grade}; short ids (E001 = B-E001, N01 = B-N01)
SPARSE = {
    # AEP feasibility, any mode, fr. E082 (retired ONEP AEP engineer) would be 3 but has 0 h -> 0.
    "N01": {"E001": 3, "E084": 3, "E002": 2, "E081": 2, "E008": 1, "E082": 0},
    # hydrogeology, remote. Petroleum driller: drilling know-how only -> 1 (not a trap).
    # Geologist of the Anti-Atlas: adjacent -> 2. "Forage de données" (data mining) -> trap.
    "N02": {"E002": 3, "E057": 2, "E001": 2, "E003": 1, "E007": 1, "E084": 1},
    # khettaras, strictly on site, ar/ber. E002 remote-only -> 0.
    "N03": {"E006": 3, "E001": 2, "E042": 1, "E007": 1, "E076": 1, "E002": 0},
    # hill dam feasibility
    "N04": {"E088": 3, "E065": 2, "E090": 2, "E001": 2, "E057": 1, "E031": 1, "E013": 1,
            "E012": 1, "E002": 1, "E006": 1},
    # sanitation master plan + STEP choice, remote
    "N05": {"E008": 3, "E009": 3, "E001": 2, "E084": 1},
    # household waste in douars
    "N06": {"E070": 3, "E069": 2, "E008": 1, "E076": 1},
    # rural track study, on site. Remote-only hydraulics/GIS people -> 0.
    "N07": {"E012": 3, "E013": 3, "E001": 1, "E065": 0, "E074": 0},
    # saffron cooperatives. E094 (saffron PhD) has 0 h -> 0.
    "N08": {"E016": 3, "E017": 3, "E058": 2, "E024": 2, "E019": 1, "E094": 0},
    # rose distillation. Refinery distillation engineer -> 1 (real but distant), not a trap.
    "N09": {"E019": 3, "E058": 2, "E016": 2, "E020": 1},
    # argan cooperative bookkeeping (Darija)
    "N10": {"E022": 3, "E092": 2, "E087": 2, "E019": 1, "E072": 1, "E068": 1, "E016": 1,
            "E017": 1},
    # pottery e-commerce (English need)
    "N11": {"E024": 3, "E077": 2, "E025": 2, "E085": 2, "E095": 2, "E017": 1},
    # commune web portal + e-services
    "N12": {"E027": 3, "E029": 3, "E045": 2, "E079": 2, "E047": 1, "E093": 1, "E083": 1,
            "E099": 1},
    # civil registry digitisation
    "N13": {"E030": 3, "E029": 2, "E066": 1, "E087": 1},
    # own revenues and budget (Arabic)
    "N14": {"E092": 3, "E032": 3, "E022": 2, "E069": 1, "E087": 1, "E106": 1},
    # funding dossier INDH / PRA-OSIM
    "N15": {"E033": 3, "E035": 2, "E036": 2, "E067": 1, "E071": 1, "E086": 1, "E032": 1},
    # EU / AFD proposal (English need)
    "N16": {"E035": 3, "E036": 3, "E033": 2, "E090": 1, "E071": 1, "E037": 1},
    # solar pumping
    "N17": {"E037": 3, "E091": 3, "E038": 2, "E007": 2, "E001": 1, "E042": 1, "E002": 1},
    # drip irrigation training, strictly on site, ber/ar. E041: skilled but remote-only and
    # French-only -> 0 (hard constraint).
    "N18": {"E042": 3, "E007": 3, "E006": 2, "E076": 1, "E041": 0},
    # gites and hiking tourism
    "N19": {"E044": 3, "E027": 2, "E014": 1, "E085": 1, "E046": 1, "E075": 1, "E025": 1,
            "E024": 1},
    # kasbah in earth, on site
    "N20": {"E046": 3, "E102": 2, "E031": 1, "E044": 1},
    # health centre (Arabic)
    "N21": {"E048": 3, "E049": 3, "E043": 2, "E051": 2, "E040": 2, "E098": 1, "E039": 1,
            "E108": 1},
    # school transport (Arabic)
    "N22": {"E052": 3, "E053": 2, "E100": 1, "E101": 1},
    # women's literacy, strictly on site, Tachelhit only. E056 (senior adult-literacy
    # expert) is remote-only with neither Arabic nor Amazigh -> 0 (hard constraint).
    "N23": {"E055": 3, "E068": 2, "E067": 1, "E080": 1, "E022": 1, "E100": 1, "E056": 0},
    # couscous cooperative hygiene / packaging
    "N24": {"E058": 3, "E016": 2, "E064": 1, "E024": 1},
    # beekeeping training (English need), on site
    "N25": {"E059": 3, "E103": 2, "E061": 1, "E044": 1},
    # date palms + packing / cold store
    "N26": {"E063": 3, "E064": 2, "E042": 2, "E016": 2, "E006": 2, "E058": 1, "E041": 1,
            "E037": 1},
    # flood protection
    "N27": {"E065": 3, "E088": 2, "E090": 2, "E001": 2, "E012": 1, "E013": 1, "E074": 1,
            "E039": 1, "E006": 1},
    # participatory democracy, gender body (Arabic)
    "N28": {"E067": 3, "E068": 3, "E033": 1},
    # inter-commune cooperation
    "N29": {"E069": 3, "E067": 2, "E070": 2, "E032": 2, "E052": 1, "E073": 1, "E035": 1,
            "E001": 1, "E008": 1},
    # coaching young project holders
    "N30": {"E072": 3, "E104": 3, "E033": 1, "E056": 1, "E086": 1},
    # girls' football school, on site. Here the sports coaches are the right people.
    "N31": {"E011": 3, "E010": 2},
    # urban planning + land GIS, remote. Surveyor is on-site only -> 1.
    "N32": {"E073": 3, "E074": 3, "E096": 2, "E013": 1, "E081": 1, "E012": 1},
    # cactus replanting + goats, on site
    "N33": {"E061": 3, "E042": 2, "E076": 2},
    # drought, cisterns, rainwater harvesting (Darija)
    "N34": {"E076": 3, "E042": 2, "E001": 2, "E002": 2, "E090": 2, "E084": 2, "E006": 2,
            "E036": 1, "E041": 1, "E081": 1, "E065": 1, "E009": 1, "E007": 1},
    # training of drinking-water associations (Arabic), on site, ber/ar.
    # Pool technician here is loosely useful (pumps, chlorine dosing) -> 1, not a trap.
    # E002 remote-only -> 0; E082 0 h -> 0.
    "N35": {"E084": 3, "E001": 3, "E007": 2, "E008": 2, "E081": 1, "E004": 1, "E002": 0,
            "E082": 0},
    # carpet marketing
    "N36": {"E077": 3, "E024": 3, "E025": 2, "E085": 1, "E016": 1, "E017": 1, "E044": 1,
            "E072": 1},
    # coding club (English need)
    "N37": {"E079": 3, "E080": 2, "E099": 2, "E005": 1, "E060": 1, "E093": 1, "E083": 1,
            "E056": 1, "E027": 1, "E100": 1},
    # GIS of communal assets (Arabic), remote
    "N38": {"E074": 3, "E081": 2, "E013": 1, "E029": 1},
}

# keyword traps: profiles that share words with the need but cannot help (graded 0)
TRAPS = {
    "N01": ["E004"],            # pool water treatment / pumps vs drinking-water network study
    "N02": ["E005"],            # "forage de données" (data mining) vs borehole
    "N04": ["E089"],            # "matchs de barrage" (play-offs) vs dam
    "N05": ["E010", "E004"],    # step (fitness) vs STEP; pool water treatment vs wastewater
    "N06": ["E071"],            # "collecte de fonds" vs waste collection
    "N07": ["E014", "E015"],    # mountain-bike / ski "pistes" vs rural track
    "N08": ["E018", "E026"],    # cook "tajine au safran"; engineer at Safran (aero engines)
    "N09": ["E021"],            # pastry with rose water vs rose-water cooperative
    "N10": ["E023"],            # derivatives trader ("finance", "budgeting") vs co-op bookkeeping
    "N11": ["E026"],            # aerospace ceramic composites vs pottery
    "N12": ["E028"],            # blacksmith making "portails" (gates) vs web portal
    "N13": ["E031"],            # "génie civil" vs "état civil"
    "N14": ["E023"],            # trading-desk budgets vs commune budget
    "N15": ["E034"],            # mortgage "financement" vs project funding
    "N17": ["E039", "E040", "E004"],  # "pompier" vs pompage; sun-protection dermatologist; pool pumps
    "N18": ["E043"],            # nurse "perfusions / goutte-à-goutte" vs drip irrigation
    "N19": ["E045"],            # web "hébergement" vs tourist accommodation
    "N20": ["E047"],            # software "architecte" vs earth architecture
    "N21": ["E050"],            # "Docteur" en lettres vs doctors
    "N22": ["E054"],            # network "couche transport" vs school transport
    "N23": ["E057", "E025"],    # geological "formations"; social-media community manager vs animatrice communautaire
    "N24": ["E018"],            # restaurant chef "couscous" vs couscous cooperative
    "N25": ["E060"],            # Apache Hive vs bee hives
    "N27": ["E066"],            # data "protection" vs flood protection
    "N29": ["E071"],            # "collecte de fonds" vs waste collection
    "N30": ["E011", "E010"],    # sports coaches vs business coaching
    "N32": ["E075"],            # "aménagement intérieur" vs plan d'aménagement
    "N33": ["E062"],            # dog "élevage" vs goat breeding
    "N36": ["E078"],            # "tapis roulants" (conveyor belts) vs carpets
    "N37": ["E101"],            # "code de la route" vs coding
}

SLICES = {
    "typos": ["N01", "N02", "N05", "N07", "N10", "N12", "N15", "N17", "N18", "N24", "N29",
              "N31", "N34", "N35"],
    "jargon": ["N01", "N02", "N03", "N04", "N05", "N06", "N07", "N08", "N09", "N11", "N12",
               "N13", "N14", "N15", "N16", "N17", "N18", "N20", "N24", "N25", "N26", "N27",
               "N29", "N32", "N33", "N34", "N36", "N38"],
    "cross_language": ["N01", "N11", "N14", "N16", "N17", "N18", "N21", "N22", "N25", "N28",
                       "N34", "N35", "N38"],
    "arabic": ["N14", "N21", "N22", "N28", "N35", "N38"],
    "english": ["N11", "N16", "N25", "N37"],
}


def full(short, prefix):
    return "B-" + short if not short.startswith("B-") else short


def main():
    experts = json.load(open(os.path.join(HERE, "experts.json"), encoding="utf-8"))
    needs = json.load(open(os.path.join(HERE, "needs.json"), encoding="utf-8"))
    eids = [e["id"] for e in experts]
    nids = [n["id"] for n in needs]
    eset, nset = set(eids), set(nids)

    for n, row in SPARSE.items():
        assert full(n, "N") in nset, n
        for e, g in row.items():
            assert full(e, "E") in eset, (n, e)
            assert g in (0, 1, 2, 3), (n, e, g)
    for n, lst in TRAPS.items():
        assert full(n, "N") in nset, n
        for e in lst:
            assert full(e, "E") in eset, (n, e)
            assert SPARSE.get(n, {}).get(e, 0) == 0, ("trap graded > 0", n, e)

    grades = {}
    for nid in nids:
        short = nid[2:]
        row = SPARSE.get(short, {})
        grades[nid] = {eid: int(row.get(eid[2:], 0)) for eid in eids}

    slices = {nid: [] for nid in nids}
    for name, lst in SLICES.items():
        for n in lst:
            slices[full(n, "N")].append(name)
    for n in TRAPS:
        slices[full(n, "N")].append("trap")
    order = ["typos", "jargon", "cross_language", "arabic", "english", "trap"]
    for nid in slices:
        slices[nid] = sorted(set(slices[nid]), key=order.index)
    slices["_traps"] = {full(n, "N"): [full(e, "E") for e in lst] for n, lst in TRAPS.items()}

    json.dump(grades, open(os.path.join(HERE, "grades.json"), "w", encoding="utf-8"),
              ensure_ascii=False, indent=1)
    json.dump(slices, open(os.path.join(HERE, "slices.json"), "w", encoding="utf-8"),
              ensure_ascii=False, indent=1)
    print(f"grades.json: {len(grades)} needs x {len(eids)} experts; slices.json written")


if __name__ == "__main__":
    main()
