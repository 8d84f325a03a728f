"""Benchmarks of lovregler: ``python -m benchmarks`` (``make bench``); see README.md here."""
