"""The caseload stage: many citizens at once.

:mod:`~lovregler.caseload.synth` makes synthetic caseloads, :mod:`~lovregler.caseload.tables`
reads and writes them (Parquet, JSON lines), :mod:`~lovregler.caseload.batch` evaluates every
citizen of a caseload under every ruleset (locally or on dask), :mod:`~lovregler.caseload.report`
writes the HTML and JSON report of a batch, and :mod:`~lovregler.caseload.demo` runs the chain.
Each is imported only when used: the batch stack (pyarrow, dask) is slow to import.
"""
