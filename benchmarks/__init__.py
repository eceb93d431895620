"""Reproducible benchmarks: each figure beside the hand-written SQL floor, measured in one run.

Run ``python -m benchmarks --help`` (or ``make bench``). Results go to ``benchmarks/results/``
as JSON and a Markdown table.
"""
