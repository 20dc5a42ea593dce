"""ORCID iDs: parsing and the ISO 7064 MOD 11-2 checksum."""

import re

_ORCID = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])/?$")


class InvalidOrcid(ValueError):
    """The text is not a valid ORCID iD."""


def checksum_digit(base_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def parse_orcid(text: str) -> str:
    """Normalise an ORCID iD or URL to 0000-0000-0000-0000 form, checking its checksum."""
    match = _ORCID.match(text.strip())
    if not match:
        raise InvalidOrcid("An ORCID iD looks like 0000-0002-1825-0097.")
    digits = "".join(match.groups()).upper()
    if checksum_digit(digits[:15]) != digits[15]:
        raise InvalidOrcid("This ORCID iD has a wrong check digit; please copy it again from orcid.org.")
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))
