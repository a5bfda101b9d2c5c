"""Write the import fixtures of this folder (run once; the files are kept in the repository).

.venv/bin/python tests/files/generate.py
"""

import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
EN = "first name,last name,email,phone,language,country,newsletter consent,tags\r\n"
ROWS_EN = (
    "Élodie,Dupré,elodie.dupre@example.com,06 12 34 56 78,fr,France,yes,VIP\r\n"
    "Zoë,Lefèvre,zoe@example.org,,fr,FR,no,\r\n"
    "François,Noël,,+33 6 98 76 54 32,fr,,,\r\n"
)
FR = "prénom;nom;e-mail;téléphone;langue;pays;consentement newsletter;tags;remarques\r\n"
ROWS_FR = (
    "Élodie;Dupré;elodie.dupre@example.com;06 12 34 56 78;français;France;oui;VIP, Régulier;\r\n"
    "Œdipe;Cœurdelion;oedipe@example.fr;;fr;Belgique;non;;l’été dernier : 20 €\r\n"
    "François;Noël;;+33 6 98 76 54 32;fr;;;;\r\n"
)

LATIN1 = (
    "Prénom;Nom;E-mail;Téléphone;Langue;Pays\r\n"
    "Hélène;Brûlé;helene.brule@example.com;06 12 34 56 78;fr;France\r\n"
    "François;Noël;;+33 6 98 76 54 32;français;Suisse\r\n"
)


def write(name, text, encoding="utf-8"):
    (HERE / name).write_bytes(text.encode(encoding))


def main():
    write("utf8.csv", EN + ROWS_EN)
    write("utf8_bom.csv", EN + ROWS_EN, "utf-8-sig")
    write("windows1252_semicolon.csv", FR + ROWS_FR, "cp1252")
    write("french_headers.csv", FR + ROWS_FR)
    write("tab.csv", (EN + ROWS_EN).replace(",", "\t").replace("VIP", "VIP"))
    write(
        "quoted_newlines.csv",
        "first name,last name,email,notes,arrival,departure\r\n"
        '"Élodie","Dupré","elodie.dupre@example.com",'
        '"Allergic to nuts,\r\nprefers the garden room",'
        "2026-07-14,2026-07-17\r\n"
        '"Jean","Martin","jean@example.com","He said ""hello""",2026-08-01,\r\n',
    )
    write(
        "french_dates.csv",
        "prénom;nom;e-mail;arrivée;départ;référence de réservation\r\n"
        "Élodie;Dupré;elodie.dupre@example.com;14/07/2026;17/07/2026;OLD-123\r\n"
        "Jean;Martin;jean@example.com;2026-08-01;;\r\n",
    )
    write(
        "duplicates.csv",
        "first name,last name,email,phone,city\r\n"
        "Élodie,Dupré,elodie.dupre@example.com,0612345678,\r\n"
        "ELODIE,DUPRE,Elodie.Dupre@Example.com,,Paris\r\n"
        "Elodie,Dupré,,06 12 34 56 78,Lyon\r\n"
        "Jean,Martin,,,\r\n"
        "jean,martin,,,Nice\r\n",
    )
    write("missing_column.csv", "first name,email\r\nÉlodie,elodie@example.com\r\n")
    write("ragged.csv", EN + ROWS_EN + "Jean,Martin,jean@example.com,,en,,,,extra,cells\r\n")
    write("bad_date.csv", "first name,last name,arrival\r\nÉlodie,Dupré,31/02/2026\r\n")
    write("bad_email.csv", "first name,last name,email\r\nÉlodie,Dupré,elodie@@example\r\n")
    write_other_encodings()
    write_xlsx()


def write_other_encodings():
    # ISO-8859-1 (Latin-1): accents only, none of Windows-1252's extra characters (’ € Œ).
    write("latin1_semicolon.csv", LATIN1, "latin-1")
    # Excel's "Unicode text": UTF-16 with a BOM, tab-separated.
    write("excel_unicode_text.txt", (EN + ROWS_EN).replace(",", "\t"), "utf-16")
    # Old Excel for Mac: Mac Roman, lines ended by a carriage return alone.
    write("mac_roman_cr.csv", (FR + ROWS_FR).replace("\r\n", "\r"), "mac-roman")


def write_xlsx():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Clients"
    sheet.append(
        ["Prénom", "Nom", "E-mail", "Téléphone", "Pays", "Arrivée", "Départ", "Newsletter"]
    )
    sheet.append(
        [
            "Élodie",
            "Dupré",
            "elodie.dupre@example.com",
            33612345678,
            "FR",
            datetime.datetime(2026, 7, 14),
            datetime.datetime(2026, 7, 17),
            True,
        ]
    )
    sheet.append(
        [
            "Jean",
            "Martin",
            "jean@example.com",
            "+33 6 11 22 33 44",
            "France",
            datetime.date(2026, 8, 1),
            None,
            "non",
        ]
    )
    sheet.append([None, None, None, None, None, None, None, None])
    sheet.append(["Ana", "Silva", None, None, "Portugal", None, None, None])
    workbook.save(HERE / "excel_export.xlsx")


if __name__ == "__main__":
    main()
