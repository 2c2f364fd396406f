"""Versioned SLA policy files (data): one JSON file per policy version, NAME.vVERSION.json."""
