"""What the check of every case file shares, loaded once per run (`casebook.check.validate`)
and read by the check of each file (`casebook.check.casefile`)."""

from __future__ import annotations

from dataclasses import dataclass

from casebook.check.checkcache import CheckCache
from casebook.sources.privacy import IdentifyingDetails
from casebook.sources.project import Project
from casebook.sources.questions import QuestionBank
from casebook.sources.support import SupportDirectory
from casebook.sources.vocabularies import Vocabularies


@dataclass(frozen=True)
class CheckContext:
    """What the check of every case file shares, loaded once per run."""

    project: Project
    vocabularies: Vocabularies
    bank: QuestionBank
    ids: set[str]  # the ids of all original cases, checked in this run or not
    pages: frozenset[str]
    details: IdentifyingDetails
    support: SupportDirectory
    cache: CheckCache
