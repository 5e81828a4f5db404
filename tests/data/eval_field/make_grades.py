#!/usr/bin/env python3
"""Sparse judgements for the field evaluation set (eval_field).

Written by hand from the texts of needs.json and experts.json only, before anything
was run. Every pair not listed here is graded 0. Grades:
  3 could do the work well and fits the constraints (languages, on-site/remote, hours)
  2 relevant and useful but partly fits (adjacent skill, or a constraint partly missed)
  1 loosely related (a pointer, a contact, a general opinion)
  0 not relevant, or cannot help (0 hours; remote-only for an on-site need; ...)
Traps (profiles sharing words with a need but unable to help) are always 0.

Run:  python3 make_grades.py   -> writes grades.json and slices.json
"""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

# need -> {expert: grade}; explicit 0s document a hard constraint
J = {
    # AEP network study, Anzi (Tiznit)
    "F-N01": {"F-E001": 3, "F-E002": 2, "F-E003": 2, "F-E048": 1, "F-E007": 1,
              "F-E122": 1, "F-E084": 1},
    # khettara rehabilitation, Tissint (Tata) -- on site, Tachelhit
    "F-N02": {"F-E005": 3, "F-E006": 3, "F-E001": 2, "F-E003": 1,
              "F-E007": 0},  # remote only, on-site need
    # manuscripts of the zaouia, Tamegroute
    "F-N03": {"F-E008": 3, "F-E009": 3, "F-E010": 2, "F-E076": 1},
    # saffron cooperative, Taliouine (the word saffron only in the body)
    "F-N04": {"F-E012": 3, "F-E013": 3, "F-E014": 3, "F-E015": 2, "F-E020": 1,
              "F-E071": 1},
    # rose distillation, Kalaat M'gouna (Arabic)
    "F-N05": {"F-E017": 3, "F-E018": 2, "F-E070": 2, "F-E012": 1, "F-E013": 1,
              "F-E026": 1},
    # argan organic certification & traceability (Darija), remote
    "F-N06": {"F-E020": 3, "F-E021": 3, "F-E013": 2, "F-E022": 1, "F-E070": 1},
    # cactus after the cochineal, Mesti
    "F-N07": {"F-E024": 3, "F-E025": 3, "F-E022": 2, "F-E026": 2},
    # kasbah & ksar restoration, Skoura -- on site
    "F-N08": {"F-E027": 3, "F-E029": 3, "F-E028": 2, "F-E031": 2, "F-E157": 2,
              "F-E033": 1, "F-E152": 1},
    # igoudar (collective granary), Ida Ou Gougmar -- on site
    "F-N09": {"F-E032": 3, "F-E033": 3, "F-E027": 2, "F-E031": 2, "F-E157": 2,
              "F-E064": 1, "F-E152": 1},
    # sand encroachment, M'hamid (English)
    "F-N10": {"F-E034": 3, "F-E036": 2, "F-E035": 2, "F-E156": 2, "F-E141": 1,
              "F-E120": 1},
    # hill dam feasibility, Toubkal (Arabic)
    "F-N11": {"F-E038": 3, "F-E039": 3, "F-E040": 2, "F-E048": 1, "F-E091": 1},
    # bees, varroa, Imouzzer (very short)
    "F-N12": {"F-E042": 3, "F-E043": 3,
              "F-E044": 0},  # 0 hours
    # solar pumping, Akka-Ighane, remote
    "F-N13": {"F-E046": 3, "F-E047": 3, "F-E048": 2, "F-E128": 1},
    # family biodigesters, Idelsane
    "F-N14": {"F-E050": 3, "F-E051": 2, "F-E052": 2, "F-E116": 1},
    # household waste plan, Temsia
    "F-N15": {"F-E054": 3, "F-E056": 3, "F-E055": 2, "F-E058": 1},
    # rural track, Ait Hani
    "F-N16": {"F-E059": 3, "F-E040": 3, "F-E060": 2, "F-E154": 2},
    # preschool educators training, Tnine Amellou -- on site, Tachelhit
    "F-N17": {"F-E062": 3, "F-E064": 2, "F-E063": 2,
              "F-E065": 0},  # remote only, on-site need
    # mother & child health, Tagounite (Arabic)
    "F-N18": {"F-E066": 3, "F-E067": 3, "F-E068": 2,
              "F-E153": 0},  # 0 hours
    # amlou & olive oil, ONSSA authorisation (Darija)
    "F-N19": {"F-E070": 3, "F-E020": 2, "F-E071": 2, "F-E013": 1, "F-E012": 1,
              "F-E022": 1},
    # youth incubator, Sidi Boushab
    "F-N20": {"F-E072": 3, "F-E073": 3, "F-E074": 2},
    # commune web portal, Tnine Aglou, remote
    "F-N21": {"F-E076": 3, "F-E077": 3, "F-E078": 2, "F-E004": 1},
    # own revenues, Ait Iaaza
    "F-N22": {"F-E080": 3, "F-E082": 3, "F-E081": 2, "F-E159": 1},
    # funding dossier for a women's centre, Tarmigt, remote
    "F-N23": {"F-E084": 3, "F-E085": 3, "F-E159": 1},
    # urban planning, Aourir
    "F-N24": {"F-E087": 3, "F-E088": 2, "F-E089": 2, "F-E146": 1},
    # floods of the oued, Ibdar
    "F-N25": {"F-E039": 3, "F-E091": 3, "F-E092": 2, "F-E038": 1, "F-E040": 1},
    # climbing & guides, Todgha gorges (English) -- on site
    "F-N26": {"F-E093": 3, "F-E094": 3, "F-E095": 2, "F-E158": 2, "F-E031": 1},
    # girls' sport school, Foum Zguid
    "F-N27": {"F-E097": 3, "F-E099": 3, "F-E098": 2, "F-E041": 1},
    # equality & gender body, Igli (Arabic)
    "F-N28": {"F-E101": 3, "F-E103": 3, "F-E102": 2},
    # inter-commune school transport, Tnine Aday
    "F-N29": {"F-E104": 3, "F-E105": 3, "F-E106": 2, "F-E131": 1},
    # artisanal fishing cold chain, Sbouya (Spanish)
    "F-N30": {"F-E108": 3, "F-E109": 3, "F-E046": 1, "F-E110": 1, "F-E134": 1},
    # MRE investment desk, Tafingoult
    "F-N31": {"F-E111": 3, "F-E112": 3, "F-E031": 1,
              "F-E113": 0},  # 0 hours
    # transhumant herders, Ikniouen -- on site
    "F-N32": {"F-E115": 3, "F-E116": 2, "F-E117": 2},
    # carbon credits for the argan forest, Argana, remote
    "F-N33": {"F-E119": 3, "F-E036": 2, "F-E120": 2, "F-E035": 1},
    # liquid sanitation, Massa
    "F-N34": {"F-E122": 3, "F-E123": 2, "F-E001": 1},
    # drip irrigation, Lamhara (short) -- on site
    "F-N35": {"F-E125": 3, "F-E126": 3},
    # energy audit, LED, solar (English), remote
    "F-N36": {"F-E128": 3, "F-E129": 3, "F-E046": 2},
    # rural transport, Ait Boudaoud
    "F-N37": {"F-E131": 3, "F-E105": 3, "F-E132": 2, "F-E106": 1},
    # dates packing unit & bayoud, Tinzouline
    "F-N38": {"F-E133": 3, "F-E134": 3, "F-E108": 2, "F-E013": 1},
    # youth audiovisual workshop, Ghassate
    "F-N39": {"F-E136": 3, "F-E137": 2, "F-E061": 2},
    # girls' boarding house (dar taliba), Tizi N'test (Arabic)
    "F-N40": {"F-E138": 3, "F-E139": 3, "F-E140": 2, "F-E159": 1},
    # climate part of the PAC, Tamanarte (English, short), remote
    "F-N41": {"F-E141": 3, "F-E156": 3, "F-E035": 2, "F-E034": 1},
    # day centre for disabled children, Mirleft (Darija)
    "F-N42": {"F-E142": 3, "F-E143": 3, "F-E144": 2},
    # collective lands, Imider -- on site
    "F-N43": {"F-E060": 3, "F-E146": 3, "F-E111": 1, "F-E033": 1,
              "F-E089": 0},  # remote only, on-site need
    # training of elected officials, Telouet
    "F-N44": {"F-E147": 3, "F-E080": 2, "F-E148": 2, "F-E104": 1, "F-E101": 1},
}

# keyword traps: share words with the need, cannot help -> 0
TRAPS = {
    "F-N01": ["F-E004"],            # IT network engineer for a water network
    "F-N03": ["F-E011"],            # "numérisation" of HR processes
    "F-N04": ["F-E016"],            # engineer at Safran (aerospace)
    "F-N05": ["F-E019"],            # florist working with roses
    "F-N06": ["F-E023"],            # ISO 27001 certification, log traceability
    "F-N08": ["F-E030"],            # travel influencer (kasbahs, tourisme)
    "F-N09": ["F-E030"],
    "F-N10": ["F-E037"],            # desert safari, dune bashing
    "F-N11": ["F-E041"],            # football "matchs de barrage"
    "F-N12": ["F-E045"],            # honeypots (cybersecurity)
    "F-N13": ["F-E049"],            # solar physicist
    "F-N14": ["F-E053"],            # natural gas / LNG trader
    "F-N15": ["F-E057"],            # "recyclage professionnel" (career retraining)
    "F-N16": ["F-E061"],            # sound engineer, "mixage de pistes"
    "F-N18": ["F-E069"],            # health-insurance actuary
    "F-N20": ["F-E075"],            # neonatal incubators technician
    "F-N21": ["F-E079"],            # metal gates ("portails")
    "F-N22": ["F-E083"],            # consumer-credit debt collection ("recouvrement")
    "F-N23": ["F-E086"],            # fireplace inserts ("foyers")
    "F-N24": ["F-E090", "F-E100"],  # interior design ("aménagement"); land sales ("lotissements")
    "F-N26": ["F-E096"],            # ITIL ticket "escalade"
    "F-N27": ["F-E100"],            # "terrains à bâtir"
    "F-N29": ["F-E107"],            # CAN bus (automotive electronics)
    "F-N31": ["F-E114"],            # SAP data "migration"
    "F-N32": ["F-E118"],            # dog breeding ("élevage canin")
    "F-N33": ["F-E121"],            # bank credit analyst for carbon credits
    "F-N34": ["F-E124"],            # "assainissement financier" (restructuring)
    "F-N35": ["F-E127"],            # rheumatologist ("goutte" = gout)
    "F-N36": ["F-E130"],            # stage lighting designer
    "F-N38": ["F-E135"],            # dating-app product manager ("dates")
    "F-N42": ["F-E145"],            # dietitian ("IMC" = body-mass index)
    "F-N43": ["F-E100"],            # "terrains", "lotissements" (real-estate agent)
    "F-N44": ["F-E149"],            # financial-markets trader ("marchés")
}

# slices (see README): typos, jargon, cross_language, arabic, english, trap, darija, short
S = {
    "F-N01": ["typos", "jargon"],
    "F-N02": ["typos", "jargon", "cross_language", "darija"],
    "F-N03": ["jargon", "cross_language"],
    "F-N04": ["jargon", "cross_language"],
    "F-N05": ["jargon", "cross_language", "arabic"],
    "F-N06": ["typos", "jargon", "cross_language", "darija"],
    "F-N07": ["jargon"],
    "F-N08": ["jargon", "cross_language"],
    "F-N09": ["jargon"],
    "F-N10": ["jargon", "english"],
    "F-N11": ["jargon", "cross_language", "arabic"],
    "F-N12": ["typos", "cross_language", "short"],
    "F-N13": ["jargon", "cross_language"],
    "F-N14": ["jargon"],
    "F-N15": ["typos", "cross_language"],
    "F-N16": ["typos", "jargon"],
    "F-N17": [],
    "F-N18": ["cross_language", "arabic"],
    "F-N19": ["typos", "jargon", "darija"],
    "F-N20": ["jargon"],
    "F-N21": [],
    "F-N22": ["typos", "jargon", "cross_language"],
    "F-N23": ["typos", "jargon"],
    "F-N24": ["jargon"],
    "F-N25": ["cross_language"],
    "F-N26": ["cross_language", "english"],
    "F-N27": ["typos", "cross_language"],
    "F-N28": ["jargon", "cross_language", "arabic"],
    "F-N29": ["typos", "jargon"],
    "F-N30": ["jargon"],
    "F-N31": ["jargon"],
    "F-N32": ["typos", "jargon"],
    "F-N33": ["jargon", "cross_language"],
    "F-N34": ["typos", "jargon"],
    "F-N35": ["typos", "jargon", "short"],
    "F-N36": ["jargon", "cross_language", "english"],
    "F-N37": ["typos"],
    "F-N38": ["jargon"],
    "F-N39": ["jargon"],
    "F-N40": ["cross_language", "arabic"],
    "F-N41": ["cross_language", "english", "short"],
    "F-N42": ["typos", "darija"],
    "F-N43": ["jargon", "cross_language"],
    "F-N44": ["jargon"],
}


def main():
    needs = json.loads((HERE / "needs.json").read_text(encoding="utf-8"))
    experts = json.loads((HERE / "experts.json").read_text(encoding="utf-8"))
    nids = [n["id"] for n in needs]
    eids = [e["id"] for e in experts]
    for nid, row in J.items():
        for eid, g in row.items():
            assert nid in nids and eid in eids, (nid, eid)
            assert g in (0, 1, 2, 3), (nid, eid, g)
    for nid, ts in TRAPS.items():
        for eid in ts:
            assert J.get(nid, {}).get(eid, 0) == 0, ("trap graded > 0", nid, eid)
    grades = {nid: {eid: J.get(nid, {}).get(eid, 0) for eid in eids} for nid in nids}
    slices = {nid: sorted(set(S.get(nid, [])) | ({"trap"} if TRAPS.get(nid) else set()))
              for nid in nids}
    slices["_traps"] = {nid: list(ts) for nid, ts in TRAPS.items()}
    (HERE / "grades.json").write_text(json.dumps(grades, ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")
    (HERE / "slices.json").write_text(json.dumps(slices, ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")
    print(f"wrote grades.json ({len(nids)} x {len(eids)}) and slices.json")


if __name__ == "__main__":
    main()
