"""The bundled rulesets and the shared vocabulary (shipped as package data)."""
