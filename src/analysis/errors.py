"""Exception types for user-facing problems: each message names the file, row or value and the fix.

A user mistake (bad manifest, unreadable file, invalid coding sheet) raises an ``AnalysisError``
subclass; the command line turns it into a one-line message and exit status 1. Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations


class AnalysisError(ValueError):
    """Base class of every error caused by the user's input rather than by a bug."""


class CorpusError(AnalysisError):
    """The manifest or a document file cannot be used (missing, unreadable, empty, altered...)."""


class SegmentationError(AnalysisError):
    """A document yields no analysable units, or units that cannot be traced to the raw text."""


class CodingError(AnalysisError):
    """A coding sheet or codebook is invalid, out of date, or would overwrite a coder's work."""


class ReportError(AnalysisError):
    """A report build failed: a notebook cell raised, or an input is missing."""
