"""The ISO codes an editor writes: countries (ISO 3166) and languages (ISO 639-1).

Each function gives the code as the site uses it, or raises ValueError with what to write
instead, so that it can validate a pydantic field.
"""

from __future__ import annotations

import pycountry


def country_code(value: str) -> str:
    """The ISO 3166 code an editor wrote, in capitals; ValueError says what to write."""
    code = value.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        hint = ""
        try:
            found = pycountry.countries.lookup(value)
        except LookupError:
            found = None
        if found is not None:
            hint = f"; write '{found.alpha_2}' for {found.name}"
        else:
            hint = "; write a two-letter ISO 3166 code such as 'MX' or 'GB'"
        raise ValueError(f"'{value}' is not an ISO 3166 country code{hint}")
    return code


def language_code(value: str) -> str:
    """The ISO 639-1 code an editor wrote, in lower case; ValueError says what to write."""
    found = pycountry.languages.get(alpha_2=value.strip().lower())
    if found is None:
        # Editors often write the language's name or its three-letter code instead.
        try:
            named = pycountry.languages.lookup(value.strip())
        except LookupError:
            named = None
        code = getattr(named, "alpha_2", None)
        hint = f"write '{code}' for {named.name}" if code else "write e.g. 'en', 'es' or 'fr'"
        raise ValueError(f"'{value}' is not an ISO 639-1 language code; {hint}")
    # pycountry matches 'EN' too; the site and the translations list use the lowercase code.
    return str(found.alpha_2)
