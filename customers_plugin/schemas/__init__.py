"""Marshmallow schemas of the REST API: request bodies and query strings (unknown body fields
are refused) and responses. They describe and check shapes; rules live in ``services``."""
