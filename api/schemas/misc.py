"""Schemas of the agency registry, the caller's identity and health checks."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas.base import InSchema, agency_ref, choice
from ledger.agencies.registry import LEVELS


class AgencyListArgs(InSchema):
    """Filter the registry."""

    parent = agency_ref(required=False, metadata={"description": "Only direct children"})
    level = choice(sorted(LEVELS), required=False)


class AgencyOut(Schema):
    """One agency (K/L/D) or work unit (OPD)."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    tier = fields.String(required=True)
    parent = fields.String(allow_none=True)
    time_zone = fields.String(required=True)
    sla_policy = fields.String(required=True)
    is_hub = fields.Boolean(required=True)


class WhoAmIOut(Schema):
    """The principal behind the bearer token."""

    token_id = fields.String(allow_none=True)
    role = fields.String(required=True)
    agency_id = fields.String(allow_none=True)
    label = fields.String(required=True)


class HealthOut(Schema):
    """Liveness or readiness."""

    status = fields.String(required=True)
