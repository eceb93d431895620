"""Which packages the distribution holds (the rest of the metadata is in pyproject.toml).

Every package under ``customers_plugin/`` is found automatically, so a new subpackage can
never be left out of the wheel; the top-level ``migrations/`` folder ships as
``customers_plugin.migrations`` (pyproject.toml maps the folder).
"""

from setuptools import find_packages, setup

MIGRATIONS = find_packages(where="migrations")

setup(
    packages=[
        *find_packages(include=["customers_plugin", "customers_plugin.*"]),
        "customers_plugin.migrations",
        *(f"customers_plugin.migrations.{name}" for name in MIGRATIONS),
    ],
)
