"""Evaluation of generated dialogues (LangSmith-traced evaluators, statistics, reports)."""
