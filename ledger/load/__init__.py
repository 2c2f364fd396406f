"""Load generation with a national SP4N-LAPOR! profile, against the library or the HTTP API."""
