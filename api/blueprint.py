"""The Blueprint of every view: schemas decide about unknown fields, not the location."""

from __future__ import annotations

import flask_smorest
from webargs.flaskparser import FlaskParser


class Blueprint(flask_smorest.Blueprint):
    """Input schemas refuse unknown fields (query strings too); header schemas ignore them."""

    ARGUMENTS_PARSER = FlaskParser(unknown=None)
