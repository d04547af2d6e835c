#!/usr/bin/env python3
"""Writes samples/stadt/: three Berichtsjahre (2022-2024) of the sample city, the data the
Strategiekarte of `make demo` is drawn from.

A developer tool: the files it writes are committed, `make demo` only reads them. Run it
again (python3 scripts/samples/stadt.py) only to change the sample city; it is
deterministic (fixed seed), so an unchanged script writes the same bytes.

What it models, in short (samples/stadt/README.md says it for the reader of the demo):
  - one Jugendamt (05 9 13 000 512345, the unit of every sample) with the eight
    Sozialräume of samples/bevoelkerung_2024.csv and samples/sgb2_2024.csv;
  - aids are simulated month by month from 2010 on, so that the stock at 1.1.2022 has
    realistic begin dates; each aid has a person, a birth month, a begin, a duration, and
    ends at the latest at 18 or (Fortsetzungshilfe, § 41) at 21;
  - a Berichtsjahr's delivery holds every aid running at some time in the year: ongoing at
    31.12. (andauernd 1) or ended in the year (andauernd 2). An aid keeps its lfd_nr,
    person_id, beginn and geburt from year to year (what X03 checks);
  - use of aid per Sozialraum rises with the SGB II rate, with two outliers: Südstadt
    (low rate, high use) and Eving (high rate, low use);
  - an aid ended with "Hilfe zur Erziehung" or "Eingliederungshilfe" as the next aid is
    followed by one for the same person (Hilfebiografien);
  - the persons of samples/schutz_2024.csv and samples/gefaehrdung_2024.csv whose measure
    was followed by an aid get one, beginning within three months, and some had an
    ambulant aid before (the links of the Wächteramt views);
  - a few defects per year, of the kinds the 2024 samples have (about 1 % rejected).
"""
import csv
import math
import os
import random

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "samples", "stadt")
UNIT = ["05", "9", "13", "000", "512345"]
YEARS = [2022, 2023, 2024]
FIRST_SIM_YEAR = 2010

rng = random.Random(20241231)

# ---------------------------------------------------------------------------------------
# The city: population under 21 and SGB II rate of 2024 (the committed 2024 samples)
# ---------------------------------------------------------------------------------------


def read_csv(name):
    with open(os.path.join(ROOT, "samples", name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


POP24 = {}
for r in read_csv("bevoelkerung_2024.csv"):
    POP24.setdefault(r["sozialraum"], {})[r["altersgruppe"]] = int(r["anzahl"])
SGB24 = {r["sozialraum"]: float(r["quote_unter15"].replace(",", ".")) for r in read_csv("sgb2_2024.csv")}
RAEUME = sorted(POP24)

# Population change per year (fraction) up to 2024: the inner city grew by immigration.
POP_TREND = {"Innenstadt-Nord": 0.018, "Nordmarkt": 0.022, "Eving": 0.010, "Südstadt": -0.004}
# SGB II rate of 2022 and 2023 relative to 2024, in percentage points.
SGB_DELTA = {
    2022: {"Innenstadt-Nord": -1.9, "Nordmarkt": -2.4, "Eving": -1.1, "Hörde": -0.4, "Lütgendortmund": 0.3,
           "Brackel": -0.2, "Südstadt": 0.4, "Aplerbeck": 0.1},
    2023: {"Innenstadt-Nord": -0.8, "Nordmarkt": -1.0, "Eving": -0.3, "Hörde": -0.1, "Lütgendortmund": 0.2,
           "Brackel": 0.1, "Südstadt": 0.2, "Aplerbeck": -0.2},
}


def pop(raum, year, group):
    v = POP24[raum][group]
    t = POP_TREND.get(raum, 0.004)
    if group == "5" and raum == "Südstadt":      # students come and go
        t = {2022: 0.03, 2023: -0.01}.get(year, 0) if year < 2024 else 0
        return round(v / (1 + t))
    return round(v / (1 + t) ** (2024 - year))


def u21(raum, year):
    return sum(pop(raum, year, g) for g in "1234")


# ---------------------------------------------------------------------------------------
# Kinds of aid: Fallzahl per 10,000 under 21 the city aims at, mean duration in months,
# age at begin (years, inclusive range)
# ---------------------------------------------------------------------------------------
# CHOICE: Erziehungsberatung only of the city's own Beratungsstellen (traeger 10): those of
# free Träger report for themselves in the official statistic, so a Jugendamt's delivery
# holds fewer EB cases than the whole city has.
ART = {
    "01": (55, 7, (3, 17)), "02": (40, 6, (2, 17)), "03": (20, 5, (12, 20)),
    "04": (8, 11, (9, 15)), "05": (30, 14, (10, 17)), "06": (4, 8, (14, 17)),
    "07": (72, 15, (0, 14)), "08": (8, 22, (6, 12)), "09": (46, 48, (0, 15)),
    "10": (3, 40, (0, 14)), "11": (45, 24, (10, 17)), "12": (5, 12, (14, 19)),
    "13": (55, 22, (5, 17)), "14": (20, 12, (3, 16)), "15": (3, 18, (8, 16)),
    "16": (15, 10, (3, 16)),
}
EB = ("01", "02", "03")
STATIONAER = ("09", "10", "11", "15")


def setting(art, ort):
    if art in STATIONAER:
        return "stationär"
    if art == "08":
        return "teilstationär"
    if art == "12":
        return "stationär" if ort in ("08", "09") else "ambulant"
    if art == "13":
        return {"02": "stationär", "03": "stationär", "08": "stationär", "09": "stationär",
                "07": "teilstationär"}.get(ort, "ambulant")
    return "ambulant"


def intensity():
    """Factor per Sozialraum on the city's rates (HzE without EB and § 35a; EB; § 35a)."""
    raw = {r: 60 + 6.5 * SGB24[r] for r in RAEUME}
    raw["Südstadt"] *= 1.9           # outlier: low SGB II rate, high use
    raw["Eving"] *= 0.52             # outlier: high rate, strong prevention, low use
    total_pop = sum(u21(r, 2024) for r in RAEUME)
    mean = sum(raw[r] * u21(r, 2024) for r in RAEUME) / total_pop
    hze = {r: raw[r] / mean for r in RAEUME}
    eb = {r: 1.25 - 0.011 * SGB24[r] for r in RAEUME}
    ebm = sum(eb[r] * u21(r, 2024) for r in RAEUME) / total_pop
    eb = {r: eb[r] / ebm for r in RAEUME}
    ea = {r: 1.0 + rng.uniform(-0.15, 0.15) for r in RAEUME}
    return hze, eb, ea


HZE_F, EB_F, EA_F = intensity()


def trend(raum, year):
    """Start rates change over the years: the city +3 % a year, Nordmarkt +10 %."""
    g = 0.10 if raum == "Nordmarkt" else 0.03
    return (1 + g) ** (min(year, 2024) - 2024)


def poisson(lam):
    if lam <= 0:
        return 0
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


def pick(weights):
    """weights: {value: weight}"""
    tot = sum(weights.values())
    x = rng.uniform(0, tot)
    for v, w in weights.items():
        x -= w
        if x <= 0:
            return v
    return v


# months are counted as year * 12 + (month - 1)
def mm(m):
    return "%02d.%04d" % (m % 12 + 1, m // 12)


def ystart(y):
    return y * 12


def yend(y):
    return y * 12 + 11


# ---------------------------------------------------------------------------------------
# Aids
# ---------------------------------------------------------------------------------------
class Aid:
    pass


persons = {}          # person_id -> dict(geburt, geschlecht, raum, ...)
aids = []
next_pid = [100001]


def new_person(raum, birth):
    pid = "P%06d" % next_pid[0]
    next_pid[0] += 1
    ausland = rng.random() < 0.15 + 0.011 * SGB24[raum]
    persons[pid] = {
        "geburt": birth,
        "geschlecht": pick({"1": 52, "2": 47, "3": 0.4}),
        "raum": raum,
        "ausland": ausland,
        "familie": pick({"1": 40 - 0.4 * SGB24[raum], "2": 30 + 0.4 * SGB24[raum], "3": 20, "4": 0.6, "5": 3}),
        "transfer": rng.random() < 0.2 + 0.013 * SGB24[raum],
        "sprache": rng.random() < 0.5,
    }
    return pid


def ort_traeger(art):
    if art in EB:
        return "06", "10"
    if art == "04":
        return "06", pick({"10": 2, "21": 1, "24": 1, "25": 1})
    if art in ("05", "06"):
        return pick({"01": 3, "06": 4, "10": 1}), pick({"10": 2, "21": 2, "22": 2, "24": 2, "25": 2, "28": 1})
    if art == "07":
        return "01", pick({"10": 1, "21": 3, "22": 2, "24": 3, "25": 3, "28": 2, "30": 1})
    if art == "08":
        return "07", pick({"21": 1, "24": 2, "25": 2, "28": 1})
    if art in ("09", "10"):
        return pick({"02": 1, "03": 3}), pick({"40": 8, "10": 1})
    if art == "11":
        return pick({"08": 5, "09": 3, "10": 1}), pick({"21": 2, "22": 1, "24": 3, "25": 3, "28": 2, "30": 2})
    if art == "12":
        return pick({"10": 5, "01": 1, "09": 1}), pick({"22": 1, "28": 2, "30": 1})
    if art == "13":
        o = pick({"06": 5, "05": 4, "01": 1, "07": 1, "08": 1, "03": 0.3})
        return o, ("40" if o == "03" else pick({"10": 1, "22": 2, "28": 2, "30": 2}))
    if art == "14":
        return pick({"01": 2, "06": 1}), pick({"10": 1, "21": 1, "24": 1, "25": 1})
    if art == "15":
        o = pick({"08": 2, "09": 2, "03": 1})
        return o, ("40" if o == "03" else pick({"24": 1, "25": 1, "28": 1}))
    return pick({"01": 2, "06": 2, "05": 1}), pick({"10": 1, "21": 1, "22": 1, "28": 1})


GRUENDE = {
    "eb": {"15": 5, "17": 4, "13": 2, "16": 2, "18": 2, "14": 1},
    "amb": {"13": 5, "14": 4, "11": 3, "15": 3, "16": 3, "18": 2, "17": 2, "12": 1},
    "stat": {"12": 4, "11": 4, "13": 3, "14": 3, "16": 3, "10": 1, "15": 2, "17": 2},
    "ea": {"17": 8, "18": 3, "16": 2},
}


def gruende(art):
    kind = "eb" if art in EB else "ea" if art == "13" else "stat" if art in STATIONAER else "amb"
    w = dict(GRUENDE[kind])
    n = pick({1: 3, 2: 4, 3: 2})
    out = []
    for _ in range(n):
        g = pick(w)
        out.append(g)
        del w[g]
        if not w:
            break
    return out + [""] * (3 - len(out))


def make_aid(art, raum, beginn, pid=None, age=None, takeover=True):
    a = Aid()
    a.art, a.raum, a.beginn = art, raum, beginn
    lo, hi = ART[art][2]
    if pid is None:
        if age is None:
            # § 41: a few aids begin at 18 to 20 (young adults' Heimerziehung, ISE, Beistand)
            if art in ("05", "11", "12") and rng.random() < 0.08:
                age = rng.randint(18, 20)
            else:
                age = rng.randint(lo, hi)
        birth = beginn - age * 12 - rng.randint(0, 11)
        if birth > beginn:
            birth = beginn
        pid = new_person(raum, birth)
    a.pid = pid
    p = persons[pid]
    a.geburt = p["geburt"]
    a.ort, a.traeger = ort_traeger(art)
    dur = max(1, int(rng.expovariate(1.0 / ART[art][1])) + 1)
    # the aid ends at 18, or as a Fortsetzungshilfe (§ 41) at 21 at the latest
    cap = a.geburt + (21 if (art in STATIONAER + ("12", "03") and rng.random() < 0.5) else 18) * 12
    if beginn >= a.geburt + 18 * 12:
        cap = a.geburt + 21 * 12
    a.ende = min(beginn + dur, max(cap, beginn + 1))
    a.uebernahme = takeover and beginn > ystart(FIRST_SIM_YEAR + 2) and rng.random() < 0.015
    a.first_seen = beginn
    if a.uebernahme:        # begun elsewhere, taken over some months later
        a.beginn = beginn - rng.randint(3, 30)
        if a.beginn < a.geburt:
            a.beginn = a.geburt
    a.vorher = pick({"01": 85, "02": 3, "05": 4, "06": 5, "09": 2, "07": 1}) if art in STATIONAER else \
        pick({"01": 96, "02": 2, "05": 1, "06": 1})
    if p["familie"] == "4" and a.vorher == "01":
        a.vorher = "02"
    a.anregung = pick({"2": 60, "3": 10, "1": 10, "6": 5, "4": 10, "8": 5}) if art in EB else \
        pick({"2": 35, "6": 35, "3": 15, "4": 10, "8": 5}) if art == "13" else \
        pick({"2": 30, "4": 30, "3": 12, "1": 6, "5": 7, "6": 5, "7": 2, "8": 8})
    a.sorge = "1" if art in STATIONAER and rng.random() < 0.16 else "2"
    a.verfahren = "1" if rng.random() < 0.01 else "2"
    a.freiheit = "1" if art == "11" and rng.random() < 0.015 else "2"
    a.gruende = gruende(art)
    a.weitere = str(pick({0: 30, 1: 35, 2: 20, 3: 10, 4: 5})) if art in ("07", "14", "16") else ""
    a.vorher_8a = ""
    a.next = None
    a.kontakte = {}
    # how it ends (only used when it ends by 12.2024)
    plan = 0.62 - 0.003 * SGB24[raum]
    grund = pick({"10": plan, "20": 0.12, "21": 0.05, "22": 0.06 if art not in EB else 0.01,
                  "30": 0.03 if art in ("09", "10") else 0, "40": 0.035, "50": 0.14})
    if a.uebernahme and grund == "40":
        grund = "10"
    a.grund = grund
    if grund == "40":
        a.anschluss = "1"
    elif grund == "30":
        a.anschluss = "6"
    else:
        a.anschluss = pick({"6": 50, "4": 14 if art not in EB else 6, "3": 12, "2": 10, "5": 3})
    adult = a.ende >= a.geburt + 18 * 12
    if art in STATIONAER or setting(art, a.ort) == "stationär":
        a.nachher = pick({"01": 35, "04": 25 if adult else 0, "06": 10, "05": 5, "02": 5, "09": 5, "10": 1})
        if grund == "30":
            a.nachher = "03"
    else:
        a.nachher = pick({"01": 92, "04": 4 if adult else 0, "06": 2, "02": 2})
    aids.append(a)
    return a


def follow_up(a):
    """The aid that follows an aid ended with the next aid 'HzE' (4) or '§ 35a' (5)."""
    if a.anschluss not in ("4", "5") or a.ende > yend(2024):
        return
    age = (a.ende - a.geburt) // 12
    if age >= 18:
        nxt = "12" if age < 20 else None
    elif a.anschluss == "5":
        nxt = "13"
    else:
        nxt = pick({"11": 4, "09": 2, "05": 3, "07": 2, "12": 1} if a.art not in STATIONAER else
                   {"11": 3, "12": 1, "05": 2, "09": 1})
        if nxt == a.art:
            nxt = "05"
    if nxt is None:
        a.anschluss = "6"
        return
    b = make_aid(nxt, a.raum, a.ende + (1 if a.art in STATIONAER else rng.randint(0, 1)), pid=a.pid, takeover=False)
    a.next = b
    follow_up(b)


def simulate():
    for raum in RAEUME:
        for art, (fz, dur, _) in ART.items():
            f = EB_F[raum] if art in EB else EA_F[raum] if art == "13" else 0.85 * HZE_F[raum]
            for m in range(ystart(FIRST_SIM_YEAR), yend(2024) + 1):
                y = m // 12
                starts_year = fz * f * u21(raum, min(max(y, 2022), 2024)) / 10000 / (1 + dur / 12)
                for _ in range(poisson(starts_year * trend(raum, y) / 12)):
                    a = make_aid(art, raum, m)
                    follow_up(a)


# ---------------------------------------------------------------------------------------
# The Wächteramt samples: an aid after a § 8a assessment or an Inobhutnahme
# ---------------------------------------------------------------------------------------
def link_waechteramt():
    linked = set()
    for r in read_csv("schutz_2024.csv"):
        pid, raum = r["person_id"], r["sozialraum"]
        if not pid or raum not in POP24 or pid in linked:
            continue
        try:
            d, mo, y = (int(x) for x in r["ende"].split("."))
            b = (int(r["beginn"].split(".")[2]) * 12 + int(r["beginn"].split(".")[1]) - 1)
        except ValueError:
            continue
        end = y * 12 + mo - 1
        if y != 2024 or end < b:
            continue
        band = {"1": (0, 2), "2": (3, 5), "3": (6, 8), "4": (9, 11), "5": (12, 13), "6": (14, 15),
                "7": (16, 17)}.get(r["altersgruppe"])
        if band is None:
            continue
        age = rng.randint(*band)
        birth = b - age * 12 - rng.randint(0, 11)
        persons[pid] = {"geburt": birth, "geschlecht": r["geschlecht"], "raum": raum,
                        "ausland": rng.random() < 0.4, "familie": pick({"1": 2, "2": 4, "3": 2, "5": 0.2}),
                        "transfer": rng.random() < 0.6, "sprache": rng.random() < 0.5}
        linked.add(pid)
        # a third had an ambulant aid (SPFH) running before
        if rng.random() < 0.35:
            pre = make_aid("07", raum, max(b - rng.randint(4, 20), birth), pid=pid, takeover=False)
            pre.ende = b
            pre.grund, pre.anschluss, pre.nachher = "50", "4" if r["anschluss"] == "4" else "6", "01"
        art = {"4": pick({"11": 3, "09": 2}), "5": pick({"07": 2, "05": 1}), "6": "13"}.get(r["anschluss"])
        if art:
            a = make_aid(art, raum, min(end + rng.randint(0, 2), yend(2024)), pid=pid, takeover=False)
            a.vorher_8a = "1" if r["vorherige_8a"] == "1" else "2"
    for r in read_csv("gefaehrdung_2024.csv"):
        pid, raum = r["person_id"], r["sozialraum"]
        if r["hilfe_folgt"] != "1" or not pid or raum not in POP24 or pid in linked:
            continue
        try:
            mo, y = (int(x) for x in r["monat_abschluss"].split("."))
            age = int(r["alter"])
        except ValueError:
            continue
        if y != 2024 or age > 17:
            continue
        m = y * 12 + mo - 1
        birth = m - age * 12 - rng.randint(0, 11)
        persons[pid] = {"geburt": birth, "geschlecht": r["geschlecht"] if r["geschlecht"] in "12" else "1",
                        "raum": raum, "ausland": rng.random() < 0.35,
                        "familie": pick({"1": 3, "2": 4, "3": 2}), "transfer": rng.random() < 0.55, "sprache": rng.random() < 0.5}
        linked.add(pid)
        art = pick({"07": 5, "05": 1, "14": 1, "11": 1}) if age >= 10 else pick({"07": 6, "14": 1, "09": 1})
        if art == "05" and age < 10:
            art = "07"
        a = make_aid(art, raum, min(m + rng.randint(0, 3), yend(2024)), pid=pid, takeover=False)
        a.vorher_8a = "1"


# ---------------------------------------------------------------------------------------
# Deliveries
# ---------------------------------------------------------------------------------------
HEADER = ["land", "regbez", "kreis", "gemeinde", "einrichtung", "lfd_nr", "berichtsjahr", "person_id",
          "sozialraum", "beginn", "uebernahme", "hilfeart", "ort", "traeger", "geschlecht", "geburt",
          "aufenthalt_vorher", "familiensituation", "herkunft_ausland", "deutsch_zuhause",
          "transferleistungen", "anregung", "sorgerechtsentzug", "verfahrensaussetzung", "freiheitsentzug",
          "grund1", "grund2", "grund3", "andauernd", "kontakte_jahr", "ende", "kontakte_gesamt",
          "beendigungsgrund", "aufenthalt_nachher", "anschlusshilfe", "weitere_junge_menschen", "vorher_8a"]


def unknown(value, share=0.04):
    return "" if rng.random() < share else value


def assign_numbers():
    """lfd_nr: kept from the first delivery that holds the aid to its end record."""
    shown = [a for a in aids if a.first_seen <= yend(YEARS[-1]) and a.ende >= ystart(YEARS[0])]
    for a in shown:
        a.first_year = max(YEARS[0], a.first_seen // 12)
    shown.sort(key=lambda a: (a.first_year, a.beginn, a.pid))
    for i, a in enumerate(shown, 1):
        a.lfd = "%05d" % i
    return shown


def kontakte(a, year):
    """Counselling contacts of an Erziehungsberatung in a year: about one a month."""
    if year not in a.kontakte:
        months = min(a.ende, yend(year)) - max(a.beginn, ystart(year)) + 1
        a.kontakte[year] = max(1, round(months * random.Random("%s%d" % (a.lfd, year)).uniform(0.6, 1.6)))
    return a.kontakte[year]


def record(a, year):
    p = persons[a.pid]
    running = a.ende > yend(year)
    r = dict(zip(HEADER[:5], UNIT))
    r.update(lfd_nr=a.lfd, berichtsjahr=str(year), person_id=a.pid, sozialraum=a.raum, beginn=mm(a.beginn),
             uebernahme="1" if a.uebernahme else "", hilfeart=a.art, ort=a.ort, traeger=a.traeger,
             geschlecht=p["geschlecht"], geburt=mm(a.geburt), aufenthalt_vorher=a.vorher,
             familiensituation=p["familie"],
             herkunft_ausland=("1" if p["ausland"] else "2"),
             deutsch_zuhause=("2" if p["ausland"] and p["sprache"] else "1"),
             transferleistungen=("1" if p["transfer"] else "2"),
             anregung=a.anregung, sorgerechtsentzug=a.sorge, verfahrensaussetzung=a.verfahren,
             freiheitsentzug=a.freiheit, grund1=a.gruende[0], grund2=a.gruende[1], grund3=a.gruende[2],
             andauernd="1" if running else "2", kontakte_jahr="", ende="", kontakte_gesamt="",
             beendigungsgrund="", aufenthalt_nachher="", anschlusshilfe="",
             weitere_junge_menschen=a.weitere, vorher_8a=a.vorher_8a)
    if a.art in EB:
        r["kontakte_jahr"] = str(kontakte(a, year))
    if not running:
        r.update(ende=mm(a.ende), beendigungsgrund=a.grund, aufenthalt_nachher=a.nachher,
                 anschlusshilfe=a.anschluss)
        if a.art in EB:
            r["kontakte_gesamt"] = str(sum(kontakte(a, y) for y in range(a.beginn // 12, year + 1)))
    return r


def stable_unknowns(rows, year):
    """Unknown family data ('' in the three optional fields) in a few records, per aid; a
    few records without Sozialraum."""
    rr = random.Random(year * 7)
    for r in rows:
        h = random.Random(r["person_id"] + r["lfd_nr"]).random()
        if h < 0.035:
            r["herkunft_ausland"] = ""
            r["deutsch_zuhause"] = ""
        if h > 0.96:
            r["transferleistungen"] = ""
    # CHOICE: six aids counted in the Eckwert and two Erziehungsberatungen a year without a
    # Sozialraum (the case worker left it empty): the data-quality page has something to
    # show, and with six the group "ohne Zuordnung" is not a cell under 3 that would make
    # the committee views suppress a Sozialraum's figure beside it.
    hze = [r for r in rows if r["hilfeart"] not in EB + ("13",)]
    eb = [r for r in rows if r["hilfeart"] in EB]
    for r in rr.sample(hze, 6) + rr.sample(eb, 2):
        r["sozialraum"] = ""


def defects(rows, year):
    """A few records with the defects the 2024 samples show; about 1 % rejected."""
    rr = random.Random(year)
    notes = []

    def some(cond):
        c = [r for r in rows if cond(r) and not r.get("_defect")]
        r = rr.choice(c)
        r["_defect"] = True
        return r

    r = some(lambda r: True)
    r["geschlecht"] = ""
    notes.append(("P01", r["lfd_nr"]))
    r = some(lambda r: r["hilfeart"] == "07")
    r["ort"] = "13"
    notes.append(("P02", r["lfd_nr"]))
    r = some(lambda r: r["andauernd"] == "2")
    r["ende"] = "13." + r["ende"][3:]
    notes.append(("P03", r["lfd_nr"]))
    for _ in range(2):
        r = some(lambda r: True)
        r["familiensituation"] = ""
        notes.append(("F01", r["lfd_nr"]))
    r = some(lambda r: r["beginn"].endswith(str(year)) and r["beginn"] != "12.%d" % year)
    m = int(r["beginn"][:2])
    r["geburt"] = "%02d.%d" % (m + 1, year)
    notes.append(("D01", r["lfd_nr"]))
    r = some(lambda r: r["andauernd"] == "2" and r["beginn"].endswith(str(year)) and r["beginn"] != r["ende"])
    r["ende"], r["beginn"] = r["beginn"], r["ende"]
    notes.append(("D02", r["lfd_nr"]))
    r = some(lambda r: r["andauernd"] == "2")
    r["beendigungsgrund"] = ""
    notes.append(("D04", r["lfd_nr"]))
    r = some(lambda r: r["hilfeart"] == "09")
    r["ort"] = "08"
    notes.append(("H01", r["lfd_nr"]))
    r = some(lambda r: r["hilfeart"] in EB and r["andauernd"] == "1")
    r["kontakte_jahr"] = "0"
    notes.append(("H06", r["lfd_nr"]))
    r = some(lambda r: r["grund2"] != "")
    r["grund2"] = r["grund1"]
    notes.append(("H07", r["lfd_nr"]))
    for _ in range(2):
        r = some(lambda r: r["familiensituation"] == "1")
        r["familiensituation"] = "4"           # F02: a warning only, and stays loaded
        r["aufenthalt_vorher"] = "01"
        notes.append(("F02", r["lfd_nr"]))
    # X01: a record exported twice (the second one is rejected)
    r = some(lambda r: r["andauernd"] == "1")
    dup = dict(r)
    rows.insert(rows.index(r) + rr.randint(3, 40), dup)
    notes.append(("X01", r["lfd_nr"]))
    # X02: a Heimerziehung entered a second time as Vollzeitpflege, under a new number
    r = some(lambda r: r["hilfeart"] == "11" and r["andauernd"] == "1" and r["beginn"] in
             ["%02d.%d" % (m, year) for m in range(1, 11)])
    x = dict(r)
    x.update(lfd_nr="%05d" % (90000 + year % 100), hilfeart="09", ort="03", traeger="40")
    rows.append(x)
    notes.append(("X02", r["lfd_nr"]))
    for r in rows:
        r.pop("_defect", None)
    return notes


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([r[h] for h in header])


def main():
    os.makedirs(OUT, exist_ok=True)
    simulate()
    link_waechteramt()
    shown = assign_numbers()
    for year in YEARS:
        rows = [record(a, year) for a in shown
                if max(a.first_seen, a.beginn) <= yend(year) and a.ende >= ystart(year)
                and a.first_year <= year]
        stable_unknowns(rows, year)
        notes = defects(rows, year)
        write(os.path.join(OUT, "hze_%d.csv" % year), HEADER, rows)
        print("hze_%d.csv: %d records, defects %s" % (year, len(rows), " ".join(n for n, _ in notes)))
    for year in YEARS[:2]:
        write(os.path.join(OUT, "bevoelkerung_%d.csv" % year), ["berichtsjahr", "sozialraum", "altersgruppe", "anzahl"],
              [{"berichtsjahr": year, "sozialraum": r, "altersgruppe": g, "anzahl": pop(r, year, g)}
               for r in RAEUME for g in "12345"])
        write(os.path.join(OUT, "sgb2_%d.csv" % year), ["berichtsjahr", "sozialraum", "quote_unter15"],
              [{"berichtsjahr": year, "sozialraum": r,
                "quote_unter15": ("%.1f" % (SGB24[r] + SGB_DELTA[year][r])).replace(".", ",")} for r in RAEUME])


if __name__ == "__main__":
    main()
