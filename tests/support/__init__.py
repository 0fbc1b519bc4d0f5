"""Helpers imported by tests and by subprocesses that tests start (via python:module:attr specs)."""
