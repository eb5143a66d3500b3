"""The appointments configuration (``config/appointments.yaml``), checked once at load.

A mistake in the file stops the start-up with a message naming the bad key
(``motifs.2.duration_min: …``) instead of booking people into a wrong agenda.
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from capabilities.information.catalog import CatalogError
from capabilities.information.espaces import EspaceConfig, load_espaces

CONFIG = Path(__file__).resolve().parents[2] / "config" / "appointments.yaml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class AppointmentsConfigError(ValueError):
    """The appointments configuration is invalid (the message names the key)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rules(_Model):
    """Booking rules (rdv-insertion's usual values by default)."""

    min_delay_hours: float = Field(default=2, ge=0)
    horizon_days: int = Field(default=60, ge=1, le=366)
    cancel_limit_hours: float = Field(default=4, ge=0)
    one_active_per_motif: bool = True
    max_day_buttons: int = Field(default=6, ge=1, le=12)
    max_time_buttons: int = Field(default=12, ge=1, le=24)


class MotifConfig(_Model):
    """What an appointment is for: its length, its kind, what to bring."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,11}$")
    label: str = Field(min_length=1, max_length=80)
    duration_min: int = Field(ge=5, le=480)
    kind: Literal["individual", "collective"]
    capacity: int | None = Field(default=None, ge=1, le=500)
    rsa: bool = False
    physical: bool = True
    bring: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _capacity(self) -> MotifConfig:
        if self.kind == "collective" and self.capacity is None:
            raise ValueError("capacity: required for a collective motif")
        return self


class StaffConfig(_Model):
    """A member of the team, found again in the shared ``staff`` table by e-mail."""

    key: str = Field(pattern=r"^[a-z0-9_]{1,20}$")
    name: str
    email: str


class PeriodConfig(_Model):
    """A weekly opening for individual appointments, with the staff present."""

    espace: str
    weekdays: list[Weekday] = Field(min_length=1)
    start: time
    end: time
    staff: list[str] = Field(min_length=1)
    motifs: list[str] = Field(default_factory=list)  # empty: every individual motif
    valid_from: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _order(self) -> PeriodConfig:
        if self.end <= self.start:
            raise ValueError("end: must be after start")
        return self


class SessionConfig(_Model):
    """A weekly collective session of one motif."""

    espace: str
    motif: str
    weekdays: list[Weekday] = Field(min_length=1)
    start: time
    capacity: int | None = Field(default=None, ge=1, le=500)
    valid_from: date | None = None
    valid_until: date | None = None


class ClosureConfig(_Model):
    """A closed day (or part of a day) besides public holidays."""

    espace: str
    date: date
    start: time | None = None
    end: time | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _both(self) -> ClosureConfig:
        if (self.start is None) != (self.end is None):
            raise ValueError("start/end: give both or neither")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end: must be after start")
        return self


class AppointmentsConfig(_Model):
    """The whole file."""

    example: bool
    rules: Rules = Field(default_factory=Rules)
    motifs: list[MotifConfig] = Field(min_length=1)
    staff: list[StaffConfig] = Field(default_factory=list)
    periods: list[PeriodConfig] = Field(default_factory=list)
    sessions: list[SessionConfig] = Field(default_factory=list)
    closures: list[ClosureConfig] = Field(default_factory=list)
    nearest: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("motifs")
    @classmethod
    def _unique(cls, motifs: list[MotifConfig]) -> list[MotifConfig]:
        ids = [m.id for m in motifs]
        for motif_id in ids:
            if ids.count(motif_id) > 1:
                raise ValueError(f"motif {motif_id!r} defined twice")
        return motifs

    def motif(self, motif_id: str) -> MotifConfig | None:
        """The motif with that id."""
        return next((m for m in self.motifs if m.id == motif_id), None)


def _check_references(config: AppointmentsConfig, espaces: list[EspaceConfig]) -> None:
    espace_ids = {e.id for e in espaces}
    motifs = {m.id: m for m in config.motifs}
    staff = {s.key for s in config.staff}
    for i, period in enumerate(config.periods):
        if period.espace not in espace_ids:
            raise AppointmentsConfigError(f"periods.{i}.espace: Espace {period.espace!r} inconnu")
        for key in period.staff:
            if key not in staff:
                raise AppointmentsConfigError(f"periods.{i}.staff: {key!r} absent de staff")
        for motif_id in period.motifs:
            if motifs.get(motif_id) is None or motifs[motif_id].kind != "individual":
                raise AppointmentsConfigError(
                    f"periods.{i}.motifs: {motif_id!r} n'est pas un motif individuel"
                )
    for i, session in enumerate(config.sessions):
        if session.espace not in espace_ids:
            raise AppointmentsConfigError(f"sessions.{i}.espace: Espace {session.espace!r} inconnu")
        motif = motifs.get(session.motif)
        if motif is None or motif.kind != "collective":
            raise AppointmentsConfigError(
                f"sessions.{i}.motif: {session.motif!r} n'est pas un motif collectif"
            )
    for i, closure in enumerate(config.closures):
        if closure.espace not in espace_ids:
            raise AppointmentsConfigError(f"closures.{i}.espace: Espace {closure.espace!r} inconnu")
    for espace_id in config.nearest:
        if espace_id not in espace_ids:
            raise AppointmentsConfigError(f"nearest.{espace_id}: Espace inconnu")


def parse_config(
    raw: object, espaces: list[EspaceConfig], name: str = CONFIG.name
) -> AppointmentsConfig:
    """Validate a loaded YAML document; the error names the file and the bad key."""
    try:
        config = AppointmentsConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(racine)"
        raise AppointmentsConfigError(f"{name}: {where}: {first['msg']}") from exc
    try:
        _check_references(config, espaces)
    except AppointmentsConfigError as exc:
        raise AppointmentsConfigError(f"{name}: {exc}") from exc
    return config


@lru_cache(maxsize=4)
def load_config(path: Path = CONFIG) -> AppointmentsConfig:
    """The checked configuration, loaded once per process."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        espaces = load_espaces()
    except (OSError, yaml.YAMLError, CatalogError) as exc:
        raise AppointmentsConfigError(f"{path.name}: {exc}") from exc
    return parse_config(raw, espaces, path.name)


@lru_cache(maxsize=1)
def espaces_by_id() -> dict[str, EspaceConfig]:
    """The Espaces of ``config/espaces.yaml`` (owned by the content), by id."""
    return {espace.id: espace for espace in load_espaces()}
