"""Read one input file: bytes, digest, optional gzip, JSON."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from hipaa_scan.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
# A single export larger than this is refused rather than exhausting memory;
# 100,000 resources in ARM shape are well under 1 GiB.
MAX_INPUT_BYTES = 2 * 1024**3


@dataclass(frozen=True, slots=True)
class RawDocument:
    source: str
    sha256: str
    size: int
    document: Any


def read_document(path: Path, source: str) -> RawDocument:
    """Read, digest and parse one file. Gzip is detected by its magic bytes,
    not by the file name, so a renamed export still loads."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(source, f"cannot read file ({exc.strerror or exc})") from None
    digest = hashlib.sha256(data).hexdigest()
    size = len(data)
    if data[:2] == GZIP_MAGIC:
        data = _gunzip(data, source)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(source, f"larger than {MAX_INPUT_BYTES} bytes once decompressed")
    data = _strip_bom(data, source)
    if not data.strip():
        raise InputError(source, "file is empty")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(source, f"not valid JSON: {exc}") from None
    return RawDocument(source=source, sha256=digest, size=size, document=document)


def _strip_bom(data: bytes, source: str) -> bytes:
    """Windows PowerShell 5.1 writes exports as UTF-16 (`>`) or UTF-8 with a
    byte-order mark (`Out-File -Encoding utf8`); JSON parsers want plain UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding).encode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(source, f"not valid {encoding.upper()} text ({exc.reason})") from None
    return data


def _gunzip(data: bytes, source: str) -> bytes:
    try:
        # Bound the output so a decompression bomb cannot exhaust memory.
        decomp = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        out = decomp.decompress(data, MAX_INPUT_BYTES + 1)
        if len(out) > MAX_INPUT_BYTES:
            raise InputError(source, f"larger than {MAX_INPUT_BYTES} bytes once decompressed")
        if not decomp.eof:
            raise InputError(source, "truncated gzip stream (unexpected end of data)")
        return out
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        raise InputError(source, f"corrupt gzip data ({exc})") from None
