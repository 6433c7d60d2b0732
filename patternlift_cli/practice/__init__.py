"""Judges learner code against a problem's cases in a separate, limited process."""
