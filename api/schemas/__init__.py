"""Marshmallow schemas: the API's shape (In, Out and QueryArgs), never the events' shape."""

from __future__ import annotations
