"""Stage 1, syntax: from rule-file text to the AST.

* :mod:`~lovregler.syntax.lark_parser` loads the grammar (``grammar/lovregler.lark``) into a
  cached Lark parser;
* :mod:`~lovregler.syntax.keywords` reads the Danish/English keyword pairs from that grammar;
* :mod:`~lovregler.syntax.parse` parses a rule file; :mod:`~lovregler.syntax.transform`
  turns its parse tree into :mod:`~lovregler.syntax.ast` nodes, with a source position on
  every node;
* :mod:`~lovregler.syntax.syntax_errors` turns a Lark error into a diagnostic with a caret and
  a hint;
* :mod:`~lovregler.syntax.highlight` is the Pygments lexer and the editor grammar, built from
  the same keywords.
"""
