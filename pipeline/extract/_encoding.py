"""Bytes to text the way a browser decodes a page: WHATWG web encodings only (pure).

A page names its encoding in a ``<meta charset>`` (or ``http-equiv`` content type).  Python's codec
registry knows far more than the web does, and some of its codecs are hazards on hostile input:
``utf-7`` lets ``+ADw-script+AD4-`` read as markup, and ``punycode`` decodes a megabyte in minutes.  So a
declared label is looked up in the Encoding Standard's label table (https://encoding.spec.whatwg.org/,
"Encodings" section) and nothing else is decoded: an unknown label, or one the standard maps to its
"replacement" encoding, is an :class:`~pipeline.errors.ExtractError`.  A byte order mark wins over any
declaration; no declaration means UTF-8 (every Learn page in the corpus, 2022-03..2024-12, is UTF-8
and declares it).  Undecodable bytes become U+FFFD, which validation flags (the ``cells`` suite).
"""

from __future__ import annotations

import re

from ..errors import ExtractError

# Python codec -> the WHATWG labels of that encoding (Encoding Standard, "Encodings" table)
_LABELS: dict[str, str] = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    "cp866": "866 cp866 csibm866 ibm866",
    "iso8859_2": "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2",
    "iso8859_3": "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3",
    "iso8859_4": "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4",
    "iso8859_5": "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988",
    "iso8859_6": "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e "
    "iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987",
    "iso8859_7": "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 "
    "iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    "iso8859_8": "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 "
    "iso_8859-8 iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical",
    "iso8859_10": "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    "iso8859_13": "iso-8859-13 iso8859-13 iso885913",
    "iso8859_14": "iso-8859-14 iso8859-14 iso885914",
    "iso8859_15": "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    "iso8859_16": "iso-8859-16",
    "koi8_r": "cskoi8r koi koi8 koi8-r koi8_r",
    "koi8_u": "koi8-ru koi8-u",
    "mac_roman": "csmacintosh mac macintosh x-mac-roman",
    "cp874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "cp1250": "cp1250 windows-1250 x-cp1250",
    "cp1251": "cp1251 windows-1251 x-cp1251",
    "cp1252": "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 "
    "iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252",
    "cp1253": "cp1253 windows-1253 x-cp1253",
    "cp1254": "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 "
    "windows-1254 x-cp1254",
    "cp1255": "cp1255 windows-1255 x-cp1255",
    "cp1256": "cp1256 windows-1256 x-cp1256",
    "cp1257": "cp1257 windows-1257 x-cp1257",
    "cp1258": "cp1258 windows-1258 x-cp1258",
    "mac_cyrillic": "x-mac-cyrillic x-mac-ukrainian",
    "gbk": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk",
    "gb18030": "gb18030",
    "big5hkscs": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "euc_jp": "cseucpkdfmtjapanese euc-jp x-euc-jp",
    "iso2022_jp": "csiso2022jp iso-2022-jp",
    "cp932": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "cp949": "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 "
    "windows-949",
}
CODECS: dict[str, str] = {label: codec for codec, labels in _LABELS.items() for label in labels.split()}
# a <meta> naming UTF-16 is wrong by construction (the markup was readable as ASCII): the standard says UTF-8
CODECS.update(
    dict.fromkeys(
        [
            "csunicode",
            "iso-10646-ucs-2",
            "ucs-2",
            "unicode",
            "unicodefeff",
            "utf-16",
            "utf-16le",
            "unicodefffe",
            "utf-16be",
        ],
        "utf-8",
    )
)
# labels the standard maps to "replacement": the page cannot be decoded at all
REPLACEMENT = frozenset(["csiso2022kr", "hz-gb-2312", "iso-2022-cn", "iso-2022-cn-ext", "iso-2022-kr"])
USER_DEFINED = "x-user-defined"

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([^\s"'>;/]+)""", re.I)
# x-user-defined: ASCII stays, bytes 0x80-0xFF are U+F780-U+F7FF
_USER_DEFINED = {b: 0xF700 + b for b in range(0x80, 0x100)}


def web_encoding(raw: bytes) -> tuple[str, int]:
    """The Python codec to decode ``raw`` with and the number of leading BOM bytes to skip."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return codec, len(bom)
    m = _CHARSET.search(raw[:4096])
    if m is None:
        return "utf-8", 0
    label = m.group(1).decode("ascii", "replace").strip().lower()
    if label == USER_DEFINED:
        return USER_DEFINED, 0
    if label in REPLACEMENT:
        raise ExtractError(f"the page declares charset {label!r}, which browsers refuse to decode")
    found = CODECS.get(label)
    if found is None:
        raise ExtractError(f"the page declares charset {label[:40]!r}, not a web encoding (WHATWG Encoding Standard)")
    return found, 0


def decode(raw: bytes) -> str:
    """Bytes to text by :func:`web_encoding`; undecodable bytes become U+FFFD."""
    codec, skip = web_encoding(raw)
    if codec == USER_DEFINED:
        return raw.decode("latin-1").translate(_USER_DEFINED)
    return raw[skip:].decode(codec, errors="replace")
