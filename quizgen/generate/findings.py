"""A lint finding: the rule, how serious, where (file:line:col of the fact or template) and what to do."""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    where: str  # file:line:col of the fact (or template)
    question_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.rule}: {self.message} [{self.question_id}]"
