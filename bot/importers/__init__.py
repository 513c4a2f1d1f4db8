"""Importers: turn procedures published elsewhere into our knowledge models."""
