"""Plots and readable reports built from analyses and transcripts."""
