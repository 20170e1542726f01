"""Input checks: normalisation, refused characters, and every limit at its boundary."""

from __future__ import annotations

import unicodedata

import pytest

from registry.application import inputs
from registry.application.views import CertificateRef, Site
from registry.errors import InvalidInputError

NFC = unicodedata.normalize("NFC", "Zertifikat-Ü-1")
NFD = unicodedata.normalize("NFD", "Zertifikat-Ü-1")
REFUSED_EVERYWHERE = {
    "NUL": "\x00",
    "escape": "\x1b",
    "delete": "\x7f",
    "next line": "\x85",
    "carriage return": "\r",
    "zero-width space": "\u200b",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "surrogate": "\ud800",
}
REFUSED_IN_IDS = {
    **REFUSED_EVERYWHERE,
    "newline": "\n",
    "tab": "\t",
    "no-break space": "\u00a0",
    "zero-width joiner": "\u200d",
    "private use": "\ue000",
    "unassigned": "\u0378",
}
TEXT_LIMITS = [
    (inputs.organization_name, "organization.name", inputs.MAX_ORGANIZATION_NAME_BYTES),
    (inputs.address, "organization.address", inputs.MAX_ADDRESS_BYTES),
    (inputs.scope, "scope", inputs.MAX_SCOPE_BYTES),
    (inputs.reason, "reason", inputs.MAX_REASON_BYTES),
    (inputs.standard, "standard", inputs.MAX_STANDARD_BYTES),
    (inputs.request_id, "request_id", inputs.MAX_REQUEST_ID_BYTES),
]
SINGLE_LINE = [inputs.organization_name, inputs.standard, inputs.request_id]
MULTI_LINE = [inputs.address, inputs.scope, inputs.reason]


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(InvalidInputError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return str(caught.value)


# Identifiers


def test_an_identifier_is_nfc_normalised_and_stripped():
    assert NFC != NFD
    assert inputs.identifier(f"  {NFD}\n", "certificate.certificate_number") == NFC


def test_an_identifier_of_128_characters_is_accepted_and_of_129_refused():
    assert inputs.identifier("Ü" * 128, "certificate.certificate_number") == "Ü" * 128
    message = refused(inputs.identifier, "Ü" * 129, "certificate.certificate_number")
    assert "certificate.certificate_number" in message and "128 characters" in message


def test_an_identifier_is_measured_after_normalisation():
    assert inputs.identifier("U\u0308" * 128, "id") == "Ü" * 128


def test_an_empty_identifier_is_refused():
    assert "is required" in refused(inputs.identifier, " \t ", "certificate.certificate_number")


@pytest.mark.parametrize("name", list(REFUSED_IN_IDS))
def test_an_identifier_with_a_control_format_or_odd_space_character_is_refused(name):
    character = REFUSED_IN_IDS[name]
    message = refused(inputs.identifier, f"Q{character}1", "certificate.certification_body_id")
    assert "certificate.certification_body_id" in message
    assert f"U+{ord(character):04X}" in message
    assert character not in message  # quoted escaped, never raw


def test_an_identifier_may_hold_inner_ascii_spaces_and_any_script():
    assert inputs.identifier("ЦБ 7 / Q-ü", "id") == "ЦБ 7 / Q-ü"


def test_a_ref_names_the_field_of_each_part():
    message = refused(inputs.ref, CertificateRef("cb-1", "a\nb"), "certificate")
    assert message.startswith("certificate.certificate_number ")
    message = refused(inputs.ref, CertificateRef("c\u200bb", "Q-1"), "from_certificate")
    assert message.startswith("from_certificate.certification_body_id ")


# Free text


@pytest.mark.parametrize(("check", "name", "limit"), TEXT_LIMITS)
def test_text_at_its_byte_limit_is_accepted_and_one_byte_over_refused(check, name, limit):
    # "€" is three bytes of UTF-8: fill up with it, then make up the rest with ASCII.
    at_limit = "€" * (limit // 3) + "x" * (limit % 3)
    assert len(at_limit.encode("utf-8")) == limit
    assert check(at_limit) == at_limit
    message = refused(check, at_limit + "x")
    assert name in message and f"at most {limit} bytes" in message


def test_text_is_measured_in_bytes_not_characters():
    four_byte = "😀" * (inputs.MAX_STANDARD_BYTES // 4)
    assert inputs.standard(four_byte) == four_byte
    assert "64 bytes" in refused(inputs.standard, four_byte + "x")


def test_text_is_nfc_normalised():
    assert inputs.scope("Prüfung".replace("ü", "u\u0308")) == "Prüfung"


@pytest.mark.parametrize("check", SINGLE_LINE)
@pytest.mark.parametrize("name", [*REFUSED_EVERYWHERE, "newline", "tab"])
def test_single_line_text_refuses_control_and_format_characters(check, name):
    character = {**REFUSED_EVERYWHERE, "newline": "\n", "tab": "\t"}[name]
    message = refused(check, f"a{character}b")
    assert f"U+{ord(character):04X}" in message


@pytest.mark.parametrize("check", MULTI_LINE)
@pytest.mark.parametrize("name", list(REFUSED_EVERYWHERE))
def test_multi_line_text_refuses_control_and_format_characters(check, name):
    character = REFUSED_EVERYWHERE[name]
    assert f"U+{ord(character):04X}" in refused(check, f"a{character}b")


@pytest.mark.parametrize("check", MULTI_LINE)
def test_multi_line_text_keeps_newlines_and_tabs(check):
    assert check("line one\n\tline two") == "line one\n\tline two"


def test_text_keeps_joiners_and_other_spaces_that_scripts_need():
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a word with a non-joiner
    name = f"{persian} GmbH\u00a0& Co. 👩\u200d🔬"
    assert inputs.organization_name(name) == name


def test_optional_text_may_be_empty_but_required_text_may_not():
    assert inputs.organization_name("  ", required=False) == ""
    assert "organization.name is required" in refused(inputs.organization_name, "  ")


# Lists and the whole command


def test_5000_sites_are_accepted_and_5001_refused():
    assert len(inputs.sites([Site("a")] * inputs.MAX_SITES)) == 5000
    message = refused(inputs.sites, [Site("a")] * (inputs.MAX_SITES + 1))
    assert "sites" in message and "5000" in message


def test_a_site_scope_has_its_own_limit_and_may_be_empty():
    limit = inputs.MAX_SITE_SCOPE_BYTES
    assert inputs.sites([Site("a", "")]) == [{"address": "a", "scope": ""}]
    assert inputs.sites([Site("a", "s" * limit)])[0]["scope"] == "s" * limit
    message = refused(inputs.sites, [Site("a"), Site("a", "s" * (limit + 1))])
    assert "sites[1].scope" in message and f"{limit} bytes" in message


def test_100_sector_codes_are_accepted_and_101_refused():
    assert len(inputs.codes(["17"] * inputs.MAX_SECTOR_CODES)) == 100
    message = refused(inputs.codes, ["17"] * (inputs.MAX_SECTOR_CODES + 1))
    assert "sector_codes" in message and "100" in message


def test_a_sector_code_at_32_bytes_is_accepted_and_at_33_refused():
    assert inputs.codes(["ü" * 16]) == ["ü" * 16]
    message = refused(inputs.codes, ["17", "ü" * 16 + "x"])
    assert "sector_codes[1]" in message and "32 bytes" in message


def test_a_command_at_512_kib_is_accepted_and_one_byte_over_refused():
    empty = inputs.encoded_size({"scope": ""})
    at_limit = {"scope": "ü" * ((inputs.MAX_COMMAND_BYTES - empty) // 2)}
    assert inputs.encoded_size(at_limit) == inputs.MAX_COMMAND_BYTES
    assert inputs.command_fields(at_limit) is at_limit
    over = {"scope": at_limit["scope"] + "x"}
    message = refused(inputs.command_fields, over)
    assert "command" in message and str(inputs.MAX_COMMAND_BYTES) in message


def test_a_command_is_measured_as_compact_utf8_json():
    assert inputs.encoded_size({"a": "ü", "b": [1]}) == len('{"a":"ü","b":[1]}'.encode())


# Error messages


def test_a_refusal_quotes_only_a_short_escaped_excerpt():
    huge = "\u202e" + "x" * 1_000_000
    for message in (
        refused(inputs.scope, huge),
        refused(inputs.identifier, huge, "certificate.certificate_number"),
        refused(inputs.country, huge),
    ):
        assert len(message) < 200
        assert "\u202e" not in message


def test_an_excerpt_is_marked_when_cut():
    assert inputs.excerpt("a\nb") == "'a\\nb'"
    assert inputs.excerpt("x" * 33) == repr("x" * 32) + "…"
