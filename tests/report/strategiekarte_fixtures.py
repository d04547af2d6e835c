#!/usr/bin/env python3
"""The Strategiekarte's test data (tests/report/strategiekarte.sh), written into DIR:

  hze_YYYY_stadt.csv   Jugendamt 05-9-13-000, Berichtsjahre 2022-2024: Sozialräume Nord,
                       Süd, Mitte, a hostile name (=1+1<script>...) and Klein (2024: two
                       aids, a cell under 3), every sixth record with a warning (F02:
                       parents deceased, living with them); 2024 also records without a
                       Sozialraum and
                       three records that a rule rejects (H01: Vollzeitpflege in a Heim)
  hze_2024_kreis.csv   a second Jugendamt, 05-9-15-000, Sozialräume Dorf A and Dorf B
  bevoelkerung_YYYY    2022 and 2024 only: 2023's Eckwert needs another year's population
  sgb2_YYYY.csv        2022-2024
  gefaehrdung_2024.csv, schutz_2024.csv   § 8a and § 42 records of the Stadt, 2024

Deterministic: the same files every run. The figures are not written down here: the test
compares the report with the views, whatever they compute.

  strategiekarte_fixtures.py DIR
"""
import os
import sys

HOSTILE = "=1+1<script>alert(1)</script>"
STADT = ("05", "9", "13", "000", "100001")
KREIS = ("05", "9", "15", "000", "200001")

HZE_HEADER = ("land;regbez;kreis;gemeinde;einrichtung;lfd_nr;berichtsjahr;person_id;sozialraum;beginn;"
              "uebernahme;hilfeart;ort;traeger;geschlecht;geburt;aufenthalt_vorher;familiensituation;"
              "herkunft_ausland;deutsch_zuhause;transferleistungen;anregung;sorgerechtsentzug;"
              "verfahrensaussetzung;freiheitsentzug;grund1;grund2;grund3;andauernd;kontakte_jahr;ende;"
              "kontakte_gesamt;beendigungsgrund;aufenthalt_nachher;anschlusshilfe")

# hilfeart, ort, traeger: ambulant (Erziehungsbeistand), ambulant (Soziale Gruppenarbeit),
# Vollzeitpflege, Heimerziehung
KINDS = [("05", "01", "21"), ("04", "06", "21"), ("09", "03", "40"), ("11", "08", "21")]

# aids per Berichtsjahr and Sozialraum of the Stadt ('' = no Sozialraum: ohne Zuordnung)
STADT_AIDS = {
    2022: {"Nord": 30, "Süd": 20, "Mitte": 12, HOSTILE: 6},
    2023: {"Nord": 34, "Süd": 22, "Mitte": 10, HOSTILE: 5, "Klein": 4},
    2024: {"Nord": 40, "Süd": 25, "Mitte": 15, HOSTILE: 8, "Klein": 2, "": 3},
}
KREIS_AIDS = {2024: {"Dorf A": 6, "Dorf B": 5}}

# inhabitants under 21 per age group 1-4, and 5 (21-26); the year 2023 is missing
POPULATION = {"Nord": 6000, "Süd": 4000, "Mitte": 3000, HOSTILE: 1500, "Klein": 400,
              "Dorf A": 900, "Dorf B": 700}
SGB2 = {"Nord": "24,5", "Süd": "12,1", "Mitte": "18,0", HOSTILE: "31,3", "Klein": "8,4",
        "Dorf A": "6,2", "Dorf B": "9,9"}


def hze_rows(unit, year, aids, rejected):
    rows, n = [], 0
    for sr, count in aids.items():
        for i in range(count):
            n += 1
            hilfeart, ort, traeger = KINDS[(i + n) % 4]
            if rejected and sr == "Nord" and i < 2 or rejected and sr == "Süd" and i == 0:
                hilfeart, ort, traeger = "09", "08", "21"       # H01: Vollzeitpflege in a Heim
            ended = i % 3 == 2
            unknown = i % 5 == 4                                  # familiensituation unbekannt
            no_transfer = unknown or i % 7 == 3                  # transferleistungen unbekannt
            row = list(unit) + [f"{n:05d}", str(year), f"P{unit[2]}{year}{n:04d}", sr,
                                f"{1 + i % 12:02d}.{year - 1}", "", hilfeart, ort, traeger,
                                "1" if i % 2 else "2", f"{1 + i % 12:02d}.{year - 6 - i % 8}", "01",
                                "5" if unknown else "4" if i % 6 == 5 else "1", "" if unknown else "2", "" if unknown else "1",
                                "" if no_transfer else "1", "2", "2", "2", "2", "14", "", ""]
            if ended:
                reason = "10" if i % 2 else "20"
                row += ["2", "", f"{1 + i % 9:02d}.{year}", "", reason, "01", "6"]
            else:
                row += ["1", "", "", "", "", "", ""]
            rows.append(";".join(row))
    return rows


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(r + "\n")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for year, aids in STADT_AIDS.items():
        write(f"{out}/hze_{year}_stadt.csv", HZE_HEADER, hze_rows(STADT, year, aids, year == 2024))
    write(f"{out}/hze_2024_kreis.csv", HZE_HEADER, hze_rows(KREIS, 2024, KREIS_AIDS[2024], False))
    for year in (2022, 2024):
        rows = []
        for sr, n in POPULATION.items():
            grow = 1 + (year - 2022) / 100
            for g, share in (("1", 0.3), ("2", 0.3), ("3", 0.25), ("4", 0.15), ("5", 0.3)):
                unit = KREIS if sr.startswith("Dorf") else STADT
                rows.append(f"{year};{sr};{g};{round(n * share * grow)};" + ";".join(unit))
        for unit, total in ((STADT, 250000), (KREIS, 40000)):
            rows.append(f"{year};;gesamt;{total};" + ";".join(unit))
        write(f"{out}/bevoelkerung_{year}.csv", "berichtsjahr;sozialraum;altersgruppe;anzahl;land;regbez;kreis;"
              "gemeinde;einrichtung", rows)
    for year in (2022, 2023, 2024):
        write(f"{out}/sgb2_{year}.csv", "berichtsjahr;sozialraum;quote_unter15",
              [f"{year};{sr};{q}" for sr, q in SGB2.items()])
    # § 8a: per Sozialraum some assessments, Klein with one (a cell under 3)
    rows, n = [], 0
    for sr, count in (("Nord", 12), ("Süd", 8), ("Mitte", 5), (HOSTILE, 4), ("Klein", 1)):
        for i in range(count):
            n += 1
            found = i % 3 != 2
            arts = "1;2;2;2" if found else "2;2;2;2"
            ergebnis = ("1" if i % 2 else "2") if found else "3"
            rows.append(";".join(STADT) + f";{n:05d};2024;Q{n:04d};{sr};{1 + i % 12:02d}.2024;5;{1 + i % 2};"
                        f"{3 + i % 12};01;{arts};{ergebnis};2;2")
    write(f"{out}/gefaehrdung_2024.csv", "land;regbez;kreis;gemeinde;einrichtung;lfd_nr;berichtsjahr;person_id;"
          "sozialraum;monat_abschluss;anregung;geschlecht;alter;aufenthalt;art_vernachlaessigung;"
          "art_koerperlich;art_psychisch;art_sexuell;ergebnis;inobhutnahme_folgt;hilfe_folgt", rows)
    # § 42: Inobhutnahmen, Klein none
    rows, n = [], 0
    for sr, count in (("Nord", 7), ("Süd", 5), ("Mitte", 3), (HOSTILE, 3)):
        for i in range(count):
            n += 1
            rows.append(";".join(STADT) + f";{n:05d};2024;R{n:04d};{sr};1;2;1;3;{1 + i:02d}.0{1 + i % 9}.2024;"
                        f"{10 + i:02d}.0{1 + i % 9}.2024;{1 + i % 2};{2 + i % 5};03;;;2;{1 if i % 2 else 5}")
    write(f"{out}/schutz_2024.csv", "land;regbez;kreis;gemeinde;einrichtung;lfd_nr;berichtsjahr;person_id;"
          "sozialraum;art;traeger;unterbringung;anregung;beginn;ende;geschlecht;altersgruppe;anlass1;anlass2;"
          "anlass3;vorherige_8a;anschluss", rows)


main()
