"""Identity validators of the gift report (handlers/gift_validators.py)."""

from __future__ import annotations

import pytest

from handlers.gift_validators import parse_email, parse_nik, parse_nip, parse_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("3171234501990001", "3171234501990001"),  # a woman born 5 January 1999 (day + 40)
        ("3171 2305 0199 0001", "3171230501990001"),
        ("31.71.23.050199.0001", "3171230501990001"),
        ("9471012902000003", "9471012902000003"),  # 29 February 2000
    ],
)
def test_nik_of_sixteen_digits_is_accepted_without_separators(typed, stored):
    assert parse_nik(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "317123050199000",  # 15 digits
        "31712305019900011",  # 17 digits
        "3171230501990OO1",  # letters O for zeros
        "0971230501990001",  # no province 09
        "3171233201990001",  # day 32
        "3171230513990001",  # month 13
        "3171230501990000",  # serial 0000
        "３１７１２３０５０１９９０００１",  # full-width digits
        "",
    ],
)
def test_nik_that_is_not_a_plausible_nik_is_refused(typed):
    assert parse_nik(typed) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("198503152010011001", "198503152010011001"),
        ("19850315 201001 1 001", "198503152010011001"),
        ("199212312019032002", "199212312019032002"),
    ],
)
def test_nip_of_eighteen_digits_is_accepted(typed, stored):
    assert parse_nip(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "19850315201001100",  # 17 digits
        "1985031520100110012",  # 19 digits
        "198513152010011001",  # month 13
        "198502302010011001",  # 30 February
        "198503152010131001",  # appointed in month 13
        "198503152010013001",  # sex digit 3
        "198503151980011001",  # appointed before birth
        "abcdefghijklmnopqr",
    ],
)
def test_nip_that_is_not_a_plausible_nip_is_refused(typed):
    assert parse_nip(typed) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("budi.santoso@imigrasi.go.id", "budi.santoso@imigrasi.go.id"),
        ("  Siti+upg@Example.CO.ID ", "Siti+upg@example.co.id"),
    ],
)
def test_ordinary_email_is_accepted_with_domain_lowercased(typed, stored):
    assert parse_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "budi",
        "budi@",
        "@imigrasi.go.id",
        "budi@imigrasi",
        "budi..santoso@imigrasi.go.id",
        ".budi@imigrasi.go.id",
        "budi santoso@imigrasi.go.id",
        "Budi <budi@imigrasi.go.id>",
        "a" * 250 + "@x.id",
    ],
)
def test_malformed_email_is_refused(typed):
    assert parse_email(typed) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(021) 555-1234", "+62215551234"),
        ("0361 234567", "+62361234567"),
    ],
)
def test_indonesian_mobile_and_landline_numbers_are_stored_as_plus_62(typed, stored):
    assert parse_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "0812345",  # too short for a mobile
        "08123456789012",  # too long
        "+6581234567",  # Singapore
        "81234567890",  # no leading 0 or country code
        "00812345678",
        "0812-3456-789O",
        "",
    ],
)
def test_phone_number_that_is_not_indonesian_is_refused(typed):
    assert parse_phone(typed) is None
