"""The Lark grammar of the lovregler rule language (shipped as package data)."""
