"""The site stage: the docs site built from the rule files.

:mod:`~lovregler.site.sphinxext` is the Sphinx extension (``extensions =
["lovregler.site.sphinxext"]``) that writes a page per ruleset, the paragraph index and the
language reference's tables; :mod:`~lovregler.site.timeline_svg` draws an example as a
timeline; :mod:`~lovregler.site.sitesearch` gives the search results a short text.
"""
