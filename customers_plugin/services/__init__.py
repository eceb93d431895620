"""Domain logic. Services take a SQLAlchemy session and plain values; they never read
``flask.request`` and never commit on their caller's behalf unless they own the transaction."""
