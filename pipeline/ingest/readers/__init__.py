"""One reader per file format. Each turns a file's bytes into plain text lines and metadata.

Every reader returns a :class:`~pipeline.ingest.readers.base.ReadResult`; table rows come out as lines
with cells separated by a tab, so later stages can recognise task-division tables.
"""
