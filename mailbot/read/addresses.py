"""E-mail addresses as the bot may use them: plain, folded, by domain.

Mail software disagrees on the corners of RFC 5322 addresses: quoted local
parts (``"spy@evil.example?subject="@customer.fr``), comments, encoded words
(``=?utf-8?q?victim=40third.example?=``), several addresses in one field.
What one parser reads as a customer's domain another delivers elsewhere. So
the bot writes to, and trusts, only **plain** addresses: ``local@domain``,
a dot-atom local part (RFC 5322 atext, or letters and digits of any script,
RFC 6531) and a host name (LDH labels, or an internationalised name that
IDNA accepts), written as such in the header, alone or in ``<…>``.

Folding (lower case, ``+tag`` removed) is how limits count an address: a
limit per address must not be dodged with ``victim+1@``, ``Victim+2@``…
Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from email.utils import getaddresses

from mailbot.read.bounds import MAX_HEADER_CHARS

_SPECIALS = "!#$%&'*+/=?^_`{|}~-"
_ATEXT = rf"A-Za-z0-9{re.escape(_SPECIALS)}"
_ASCII_LOCAL = re.compile(rf"[{_ATEXT}]++(?:\.[{_ATEXT}]++)*+")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")  # fullmatch on a label of at most 63
_ENCODED_WORD = re.compile(r"=\?[^?\s]{1,40}\?[bq]\?", re.I)
MAX_ADDRESS = 254

# Public mailbox providers: anyone can open an address there, so such a domain
# never says who a customer is (directory.py refuses it as a customer domain).
FREE_MAIL = frozenset("""
    gmail.com googlemail.com yahoo.com yahoo.fr yahoo.co.uk ymail.com hotmail.com hotmail.fr hotmail.co.uk
    outlook.com outlook.fr live.com live.fr msn.com icloud.com me.com mac.com aol.com aol.fr aim.com
    gmx.com gmx.fr gmx.de gmx.net web.de mail.com email.com proton.me protonmail.com pm.me tutanota.com
    tuta.io zoho.com yandex.com yandex.ru mail.ru fastmail.com hushmail.com
    orange.fr wanadoo.fr free.fr sfr.fr neuf.fr cegetel.net club-internet.fr laposte.net bbox.fr
    numericable.fr noos.fr aliceadsl.fr alice.fr voila.fr netcourrier.com infonie.fr libertysurf.fr
    tiscali.fr caramail.com
    t-online.de freenet.de arcor.de skynet.be telenet.be proximus.be voo.be scarlet.be bluewin.ch sunrise.ch
    hispeed.ch libero.it virgilio.it tiscali.it alice.it tin.it btinternet.com sky.com talktalk.net
    virginmedia.com orange.es telefonica.net movistar.es terra.es sapo.pt wp.pl o2.pl onet.pl interia.pl
    seznam.cz centrum.cz comcast.net verizon.net att.net sbcglobal.net qq.com 163.com 126.com
""".split())


def _local_ok(local: str) -> bool:
    if not local or len(local) > 64:
        return False
    if local.isascii():
        return _ASCII_LOCAL.fullmatch(local) is not None
    # RFC 6531: UTF-8 allowed, but only letters and digits beyond ASCII (no controls,
    # no bidi overrides, no look-alike punctuation), in dot-separated atoms.
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    return all(ch.isalnum() or (ch.isascii() and ch in "." + _SPECIALS) for ch in local)


def ascii_domain(domain: str) -> str | None:
    """The domain as DNS knows it (IDNA A-labels, lower case), or None when it is no host name."""
    domain = domain.lower()
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            return None
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or labels[-1].isdigit():
        return None
    return domain if all(_LABEL.fullmatch(label) for label in labels) else None


def plain(address: str | None) -> str | None:
    """``address`` when it is a plain ``local@domain``, else None. The domain comes back as DNS
    knows it (IDNA A-labels, lower case): ``ＴＨＩＲＤ。example`` and ``third.example`` are one
    domain, for the limits as for delivery."""
    if not address or len(address) > MAX_ADDRESS or address.count("@") != 1:
        return None
    local, _, domain = address.partition("@")
    domain = ascii_domain(domain)
    if not _local_ok(local) or domain is None:
        return None
    return f"{local}@{domain}"


def _odd(char: str) -> bool:
    """A character no address or display name needs: controls (tab aside), format characters
    (bidi overrides, zero-width), and spaces other than the plain one."""
    return (char != "\t" and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")) or (
        char != " " and unicodedata.category(char) == "Zs")


def from_header(values: list[str]) -> tuple[str, str | None, str]:
    """(display name, plain address or None, why not) of an address header's raw values.

    ``values`` are every occurrence of the field, undecoded (a message with
    two From fields is not plain: DMARC and mail clients may each read
    another one). The address must be the field's only one and be written
    as is in the header (alone, or in ``<…>``): an address that a parser had
    to reassemble from quotes, comments or encoded words is refused.
    """
    if not values:
        return "", None, "absent"
    if len(values) > 1:
        return "", None, "the field appears more than once"
    raw = re.sub(r"\r?\n(?=[ \t])", "", values[0]).strip()  # unfolded, nothing else changed
    if len(raw) > MAX_HEADER_CHARS:
        return "", None, "too long"
    if any(_odd(char) for char in raw):
        return "", None, "control, format or unusual space characters in the field"
    try:
        pairs = [(n, a) for n, a in getaddresses([raw]) if n or a]
    except Exception:  # noqa: BLE001 - an unparsable field is simply not plain
        return "", None, "unparsable"
    if len(pairs) != 1:
        return "", None, f"{len(pairs)} addresses in the field"
    name, address = pairs[0]
    found = plain(address)
    if found is None:
        why = "encoded word" if _ENCODED_WORD.search(raw) else "not a plain local@domain address"
        return name, None, why
    if raw != address and not raw.endswith(f"<{address}>"):
        return name, None, "the address is not written as is (quotes, comments or spaces in it)"
    return name, found, ""


def domain_of(address: str | None) -> str:
    """The domain of an address as DNS knows it (lower case, IDNA), '' when there is none."""
    if not address or "@" not in address:
        return ""
    domain = address.rpartition("@")[2].strip().strip(">").lower()
    return ascii_domain(domain) or domain


def fold(address: str) -> str:
    """The address limits count: the local part without a ``+tag``, in one case and one
    Unicode form, and the domain as DNS knows it (``Victim+7@X.fr``, ``ｖｉｃｔｉｍ@x.fr`` →
    ``victim@x.fr``)."""
    local, at, _ = address.strip().rpartition("@")
    if not at:
        return address.strip().lower()
    local = unicodedata.normalize("NFKC", local).casefold().split("+", 1)[0]
    return f"{local}@{domain_of(address)}"


def suffixes(domain: str) -> list[str]:
    """'mail.acme.fr' -> ['mail.acme.fr', 'acme.fr', 'fr']: a sub-domain belongs to its parent."""
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def aligned(domain: str, other: str) -> bool:
    """DMARC's relaxed alignment, without the public-suffix list: the same
    domain, or one a sub-domain of the other (signing for ``acme.fr`` needs
    control of ``acme.fr``'s DNS, so a parent that signs is the owner)."""
    a, b = domain.lower().strip("."), other.lower().strip(".")
    if not a or not b or "." not in a or "." not in b:
        return False
    return a == b or a.endswith("." + b) or b.endswith("." + a)


# Webmail brands present under many country domains (hotmail.be, gmx.ch, yahoo.co.uk…).
_FREE_MAIL_BRANDS = re.compile(
    r"(?:^|\.)(?:gmail|googlemail|hotmail|outlook|live|msn|windowslive|yahoo|ymail|rocketmail|gmx|aol|icloud"
    r"|protonmail|proton|yandex|zoho|tutanota|tutamail|mailfence|posteo)\.(?:[a-z]{2,3}|com?\.[a-z]{2})$"
)


def is_free_mail(domain: str) -> bool:
    """Is ``domain`` (or a parent of it) a public mailbox provider?"""
    domain = domain.lower()
    return any(s in FREE_MAIL for s in suffixes(domain)) or _FREE_MAIL_BRANDS.search(domain) is not None


def _core(domain: str) -> str:
    """The name a domain is recognised by: its labels but the last, joined ('gaudemard-tp.fr' → 'gaudemard-tp')."""
    labels = domain.lower().split(".")
    return ".".join(labels[:-1]) if len(labels) > 1 else domain.lower()


def _distance_at_most_one(a: str, b: str) -> bool:
    """One letter added, removed or changed (``gaudemard-tp`` / ``gaudernard-tp`` is two: not caught)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


_LOOKALIKES = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("0", "o"), ("1", "l"), ("i", "l"), ("3", "e"), ("5", "s"))


def _skeleton(name: str) -> str:
    """What a name looks like at a glance: ``acrne`` and ``acme``, ``g00gle`` and ``google`` alike."""
    for written, seen in _LOOKALIKES:
        name = name.replace(written, seen)
    return name


def imitates(domain: str, known: list[str]) -> str | None:
    """Which of the ``known`` domains ``domain`` looks like without being it (or a
    sub-domain of it): the same name with something added (``gaudemard-tp-compta.fr``,
    ``gaudemard-tp.com``), one letter off (``gaudemard-pt.fr``), or letters that
    look alike (``acrne.fr`` for ``acme.fr``). None otherwise."""
    domain = domain.lower()
    mine = _skeleton(_core(ascii_domain(domain) or domain))
    for candidate in known:
        candidate = candidate.lower()
        if domain == candidate or domain.endswith("." + candidate):
            return None
    for candidate in known:
        theirs = _skeleton(_core(candidate.lower()))
        if len(theirs) < 4:
            continue
        if theirs in mine or _distance_at_most_one(mine, theirs):
            return candidate
    return None
