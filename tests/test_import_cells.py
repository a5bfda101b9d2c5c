"""The short paths of the import's cell widgets give the same results as the general ones."""

import random

import pytest

from wagtail_guests.identity import normalise_phone
from wagtail_guests.importing.cells import EmailWidget, quick_e164
from wagtail_guests.resources import GuestImportResource

REGIONS = ["FR", "BE", "GB", "DE", "CH", "ES", "IT", "US", "CA", "NL", None]
PREFIXES = ["", "0", "00", "+", "+33", "+32", "+44", "+49", "+1", "+39", "+41", "+34", "33"]


def random_number(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 12)))
    if rng.random() < 0.5:
        digits = rng.choice(["6", "7", "1", "2", "3", "4", "9", "20", "79"]) + digits[1:]
    text = rng.choice(PREFIXES) + digits
    if rng.random() < 0.5:  # written with separators, as people do
        separator = rng.choice([" ", ".", "-"])
        text = separator.join(text[i : i + 2] for i in range(0, len(text), 2))
    return text


def test_quick_phone_path_agrees_with_phonenumbers():
    rng = random.Random(20261123)
    answered = 0
    for _ in range(20_000):
        text, region = random_number(rng), rng.choice(REGIONS)
        quick = quick_e164(text, region)
        if quick is not None:
            answered += 1
            assert quick == normalise_phone(text, region), (text, region)
    assert answered > 2000  # the short path takes the common shapes


@pytest.mark.parametrize(
    "text",
    ["06 12 34 56 78", "+33 6 12 34 56 78", "+33612345678", "06.12.34.56.78", "+44 20 7946 0018"],
)
def test_quick_phone_path_takes_usual_shapes(text):
    region = "GB" if text.startswith("+44") else "FR"
    assert quick_e164(text, region) == normalise_phone(text, region) != ""


@pytest.mark.parametrize(
    "email,valid",
    [
        ("elodie.dupre@example.com", True),
        ("o'brien@example.ie", True),
        ("x+tag@sub.example.co.uk", True),
        ("élodie@exemple.fr", False),  # Django refuses a non-ASCII local part
        ("jean@exemple.français", True),  # an internationalised domain: the long path
        ("user@localhost", True),
        ("a..b@example.com", False),
        ("elodie@@example", False),
        ("no-at-sign.example.com", False),
        ("trailing.dot.@example.com", False),
        ("user@-example.com", False),
    ],
)
def test_email_short_path_agrees_with_django(email, valid):
    widget = EmailWidget()
    if valid:
        assert widget.clean(email) == email
    else:
        with pytest.raises(ValueError, match="is not a valid email address"):
            widget.clean(email)


def test_memoised_widgets_give_each_row_its_own_result():
    clean_row = GuestImportResource().row_cleaner(
        {"first_name": 0, "last_name": 1, "country": 2, "phone": 3, "tags": 4}
    )
    first, errors = clean_row(["Élodie", "Dupré", "Belgique", "0470 12 34 56", "VIP, Local"])
    assert not errors and first["country"] == "BE" and first["phone"] == "+32470123456"
    second, errors = clean_row(["Jean", "Martin", "France", "06 12 34 56 78", "VIP, Local"])
    assert not errors and second["phone"] == "+33612345678"
    assert second["tags"] == ("VIP", "Local")
    _values, errors = clean_row(["Ana", "Silva", "Atlantis", "", ""])
    assert errors[0][0] == "country"
    _values, errors = clean_row(["Ana", "Silva", "Atlantis", "", ""])
    assert errors[0][0] == "country"  # an error is given again, not remembered as a value
