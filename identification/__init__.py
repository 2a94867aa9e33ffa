"""Data-driven ECM identification: plain Python over DuckDB or Spark, with no Django import."""

from identification.errors import InputError, RulesError

__all__ = ["InputError", "RulesError"]
