"""Support services by country, read from data/support_services.yml."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

from casebook.sources.isocodes import country_code
from casebook.sources.problems import Problem, Severity, display_path
from casebook.sources.yamlmodel import read_model

INTERNATIONAL = "international"
STALE_AFTER = dt.timedelta(days=365)


def _region(value: object) -> object:
    if isinstance(value, str) and value.lower() != INTERNATIONAL:
        return country_code(value)
    return value


class ServiceText(BaseModel):
    """A service's text in another language; what is left out stays as in the original."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str | None = None
    hours: str | None = None
    audience: str | None = Field(None, alias="for")


class Service(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(min_length=1)
    country: Annotated[str, BeforeValidator(_region)] = Field(
        description="An ISO 3166 code such as MX, or 'international'."
    )
    phone: str | None = None
    url: HttpUrl | None = None
    hours: str = Field(min_length=1)
    audience: str = Field(alias="for", min_length=1, description="Who the service is for.")
    last_checked: dt.date = Field(
        description="When an editor last checked the details against `source`, YYYY-MM-DD."
    )
    source: HttpUrl = Field(description="The page the details were copied from.")
    source_date: str | None = Field(
        None, description="The date the source page shows, as written; leave out if it shows none."
    )
    translations: dict[str, ServiceText] = Field(
        {}, description="The text in other languages, by language code."
    )

    @field_validator("source_date", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        # YAML reads 2021-06-07 as a date; the page's date is kept as written.
        return str(value) if isinstance(value, dt.date | int) else value

    def in_language(self, language: str) -> Service:
        """This service with its text in a language, where a translation gives it."""
        text = self.translations.get(language)
        if text is None:
            return self
        changes = {k: v for k, v in text.model_dump().items() if v is not None}
        return self.model_copy(update=changes)

    @property
    def translated(self) -> frozenset[str]:
        return frozenset(self.translations)

    @model_validator(mode="after")
    def _reachable(self) -> Service:
        if not self.phone and self.url is None:
            raise ValueError("a service needs a 'phone' number or a 'url'; add one")
        return self


class SupportFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    services: list[Service] = Field(min_length=1)


@dataclass
class SupportDirectory:
    services: list[Service] = field(default_factory=list)

    def for_countries(self, countries: list[str]) -> list[Service]:
        """Services for these countries first, then the international ones."""
        local = [s for s in self.services if s.country in countries]
        return local + [s for s in self.services if s.country == INTERNATIONAL]

    def by_country(self) -> dict[str, list[Service]]:
        grouped: dict[str, list[Service]] = {}
        for service in self.services:
            grouped.setdefault(service.country, []).append(service)
        return grouped


def support_path(root: Path) -> Path:
    return root / "data" / "support_services.yml"


def load_support(
    root: Path, today: dt.date | None = None
) -> tuple[SupportDirectory, list[Problem]]:
    path = support_path(root)
    name = display_path(path, root)
    if not path.is_file():
        return SupportDirectory(), [
            Problem(
                name, 1, "", "the support services file is missing; restore it from the repository"
            )
        ]
    loaded, problems = read_model(path, name, SupportFile)
    if loaded is None:
        return SupportDirectory(), problems
    document, services = loaded.document, loaded.value.services
    today = today or dt.date.today()
    for index, service in enumerate(services):
        if today - service.last_checked > STALE_AFTER:
            loc = ("services", index, "last_checked")
            problems.append(
                Problem(
                    name,
                    document.lines.line(loc),
                    "services.last_checked",
                    f"'{service.name}' was last checked on {service.last_checked.isoformat()}, over "
                    "12 months ago; confirm its details with the service and update the date",
                    Severity.WARNING,
                )
            )
    return SupportDirectory(services), problems
