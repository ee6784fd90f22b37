"""A project's full archive: written by `writer`, restored by `reader`, its format in `archive`."""

from tickit.services.data_export.reader import ArchiveError, ImportSummary, read_archive
from tickit.services.data_export.writer import ExportSummary, parse_since, record_export, write_archive

__all__ = [
    "ArchiveError",
    "ExportSummary",
    "ImportSummary",
    "parse_since",
    "read_archive",
    "record_export",
    "write_archive",
]
