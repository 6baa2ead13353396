"""Question content to and from the formats teachers bring from other systems: a CSV template,
IMS QTI 2.1 content packages (QTI 3.0 read too) and Moodle XML. Pure: bytes in, bytes or
question content out; the HTTP routes (preview, confirm, export) live elsewhere. Whatever a
format cannot carry is reported per row or per item, never dropped silently."""
