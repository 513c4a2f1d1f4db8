"""Vietnamese text normalisation: NFC, tone placement, folding, tokens, synonyms, fillers.

Citizens type without diacritics, with old or new tone placement, NFD from some keyboards,
abbreviations and polite fillers. Everything the matcher compares goes through `Normalizer`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest

MAX_CHARS = 1000

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = set("aăâeêioôơuưy")
_PREFERRED = set("ăâêôơư")  # a vowel with its own diacritic carries the tone
_TOKEN = re.compile(r"[^\W_]+(?:&[^\W_]+)*")
_HELD_KEY = re.compile(r"(?<!\w)v?iii(?!\w)|([^\W\d_])\1{2,}")  # iii, viii: numerals
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\ufeff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Question fillers: polite or generic words that must not decide the match. Accented forms
# are exact; folded forms are listed only where they cannot be a content syllable
# (no "chi": chứng chỉ; no "thu": thử nghiệm; no "de": đề tài).
FILLERS = frozenset(
    """ạ à ơi nhé nha hả vậy thế nào sao gì làm cho em anh chị mình tôi tớ cháu bác cô chú
    ad admin hỏi xin muốn cần được đc không có là thì mà với của và để ở thủ tục tthc
    phải như vâng dạ ok cảm ơn rồi đi nhỉ giúp hướng dẫn bạn lạng sơn sở ai nào về
    còn con nếu nữa những nhưng""".split()  # "còn hết hạn thì sao?", "con (cháu) hỏi …"
)
# A filler syllable that makes one word with the next: "nha khoa" is dentistry.
COMPOUNDS = frozenset({("nha", "khoa"), ("nha", "sĩ"), ("nha", "si")})
# A syllable that is a filler only before the next: unaccented "la" is "là" in "la gi", but
# may be "lá" elsewhere ("thuốc lá").
FILLER_BEFORE = frozenset({("la", "gi"), ("la", "j")})
NEGATIONS = frozenset({"không", "khong", "ko", "chưa", "chua"})
NEGATED_MODALS = frozenset({"phai", "can", "duoc", "co"})
# "roi" is "rồi" once synonyms took "đánh rơi" (cấp lại); "o" is "ở" far more than "ô"; "j" is
# chat's "gì" ("là j"): Vietnamese has no j.
FOLDED_FILLERS = frozenset(
    """a oi nhe nha ha vay gi em anh minh toi xin muon duoc dc khong ko k voi cho hoi
    tthc lam sao nao the ad admin giup huong dan ban nhi can lang son ai phai thi ve
    roi con neu nua nhung o j""".split()
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Remove all diacritics, đ → d (the text must already be lower case)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _split_tone(word: str) -> tuple[str, str | None]:
    """The word without its tone mark (NFC), and the tone mark found, if any."""
    tone = None
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in TONE_MARKS:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(word: str) -> int | None:
    """Index of the vowel that carries the tone, in traditional placement (hòa, thủy)."""
    positions = [i for i, ch in enumerate(word) if ch in _VOWELS]
    if not positions:
        return None
    # "qu" and "gi" + vowel: the u / i belongs to the consonant.
    if len(positions) > 1 and positions[0] == 1 and word[:2] in ("qu", "gi"):
        positions = positions[1:]
    # Keep only the first run of vowels (the nucleus).
    run = [positions[0]]
    for pos in positions[1:]:
        if pos != run[-1] + 1:
            break
        run.append(pos)
    preferred = [p for p in run if word[p] in _PREFERRED]
    if preferred:
        return preferred[-1]
    if len(run) == 1:
        return run[0]
    if run[-1] + 1 < len(word):  # closed syllable: hoàng, toán, quyết
        return run[-1]
    return run[1] if len(run) == 3 else run[0]  # ngoài, khuỷu / hòa, thủy, mùa


@lru_cache(maxsize=65536)
def place_tone(word: str) -> str:
    """Put the tone mark of one syllable where traditional spelling puts it."""
    bare, tone = _split_tone(word)
    if tone is None:
        return word
    position = _tone_position(bare)
    if position is None:
        return word
    marked = bare[:position] + unicodedata.normalize("NFD", bare[position])[0]
    rest = unicodedata.normalize("NFD", bare[position])[1:]
    return unicodedata.normalize("NFC", marked + rest + tone + bare[position + 1 :])


def storable(text: str) -> str:
    """The text without what databases refuse to store: NUL and lone surrogates (a JSON body
    can carry both, "\\u0000", "\\ud800"; PostgreSQL rejects the first, UTF-8 the second)."""
    return _UNSTORABLE.sub("", text)


def clean(text: str, max_chars: int = MAX_CHARS) -> str:
    """NFKC (NFC, and full-width or ligature letters made plain: "ｇｉấｙ" → "giấy"), control
    characters removed, lower case, a held key undone ("chàooo" → "chào"; no Vietnamese word
    repeats a letter three times), tone marks placed canonically."""
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text[: max_chars * 2]))[:max_chars]
    text = _HELD_KEY.sub(lambda held: held[1] or held[0], text.lower())
    return " ".join(place_tone(word) for word in text.split())


# Procedure names number classes in Roman numerals ("cảng cá loại I, loại II", "hạng III");
# citizens type digits ("loại 1"). After a word that numbers something, both become digits.
# Not "x" or a lone "v" elsewhere: "x quang", "v/v".
ORDINAL_HEADS = frozenset({"loai", "hang", "nhom", "bac", "cap"})
ROMAN = {r: str(n) for n, r in enumerate("i ii iii iv v vi vii viii ix".split(), start=1)}


def arabic_numerals(tokens: list[str]) -> list[str]:
    """Roman numerals after a numbering word as digits: "loại ii" → "loại 2"."""
    return [
        ROMAN.get(token, token) if i and fold(tokens[i - 1]) in ORDINAL_HEADS else token
        for i, token in enumerate(tokens)
    ]


TEENCODE = (("f", "ph"), ("j", "gi"), ("z", "d"), ("w", "qu"), ("dz", "d"))
_I_TO_Y = re.compile(r"^(k|l|t|qu)([iíìỉĩị])$")
_Y_FOR_I = dict(zip("iíìỉĩị", "yýỳỷỹỵ", strict=True))


def canonical_spelling(token: str) -> str:
    """One spelling for i/y variants on both sides of the index: hợp qui → quy, kí → ký."""
    match = _I_TO_Y.match(token)
    if match:
        token = match.group(1) + _Y_FOR_I[match.group(2)]
    return token


def teencode_variant(token: str) -> str | None:
    """What a phone-typed spelling stands for (fep → phep, jay → giay), if it looks like one."""
    for wrong, right in TEENCODE:
        if token.startswith(wrong) and token.isascii():
            return right + token[len(wrong) :]
    return None


def without_repeats(token: str) -> str:
    """A held or double-tapped key undone: "hann" → "han", "giayyy" → "giay"."""
    return re.sub(r"(.)\1+", r"\1", token)


def has_diacritics(text: str) -> bool:
    return fold(text) != text


def token_matches(token: str, key_token: str) -> bool:
    """Equal, or the citizen typed the key without diacritics."""
    return token == key_token or (token == fold(token) and fold(key_token) == token)


@dataclass(frozen=True)
class Analysis:
    """A text as the matcher sees it: accented and folded tokens, fillers marked."""

    tokens: tuple[str, ...]
    folded: tuple[str, ...]
    content: tuple[int, ...]  # indexes of tokens that are not fillers
    accented: bool  # the writer used diacritics
    typed: tuple[str, ...] = ()  # folded as typed, before synonyms ("mất", not "cấp lại")

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def folded_text(self) -> str:
        return " ".join(self.folded)

    def content_tokens(self, folded: bool = True) -> list[str]:
        source = self.folded if folded else self.tokens
        return [source[i] for i in self.content]


def _negates(tokens: list[str], filler: list[bool], i: int) -> bool:
    """A content word follows, possibly after a modal: "không (phải) đánh giá rủi ro"."""
    j = i + 1
    if j < len(tokens) and fold(tokens[j]) in NEGATED_MODALS:
        j += 1
    return j < len(tokens) and not filler[j]


class Normalizer:
    """Turns raw text into an Analysis, expanding abbreviations from `synonyms.yaml`."""

    def __init__(self, synonyms: Mapping[str, str] | None = None) -> None:
        # Synonyms indexed by the folded first token, longest key first.
        self._synonyms: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for key, value in (synonyms or {}).items():
            key_tokens = tuple(canonical_spelling(t) for t in self._raw_tokens(clean(key)))
            if key_tokens:
                entry = (key_tokens, tuple(self._raw_tokens(clean(value))))
                self._synonyms.setdefault(fold(key_tokens[0]), []).append(entry)
        for entries in self._synonyms.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    @staticmethod
    def _raw_tokens(text: str) -> list[str]:
        # x-quang however typed, a letter dropped too ("x quan", "x quag", "x qang")
        text = re.sub(r"\bx\s*[-‐–_.]?\s*(?:quang|quan|quag|qang|ray)\b", "xquang", text)
        return _TOKEN.findall(text)

    def _expand(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for key, value in self._synonyms.get(fold(tokens[i]), ()):
                window = tokens[i : i + len(key)]
                if len(window) == len(key) and all(map(token_matches, window, key)):
                    out.extend(value)
                    i += len(key)
                    break
            else:
                out.append(tokens[i].replace("&", ""))
                i += 1
        return out

    def analyze(self, text: str, max_chars: int = MAX_CHARS) -> Analysis:
        cleaned = clean(text, max_chars)
        typed = [canonical_spelling(t) for t in self._raw_tokens(cleaned)]
        tokens = self._expand(typed)
        # "x quang" from a synonym → xquang
        tokens = arabic_numerals(self._raw_tokens(" ".join(tokens)))
        folded = tuple(fold(t) for t in tokens)
        filler = [
            ((t in FILLERS or t in FOLDED_FILLERS) and (t, after) not in COMPOUNDS)
            or (t, after) in FILLER_BEFORE
            for t, after in zip_longest(tokens, tokens[1:], fillvalue="")
        ]
        for i, token in enumerate(tokens):
            # "không" before a content word negates it ("không sử dụng ngân sách"); at the end
            # of a question it only asks ("có cần khai báo không").
            if token in NEGATIONS and _negates(tokens, filler, i):
                filler[i] = False
        content = tuple(i for i, is_filler in enumerate(filler) if not is_filler)
        typed_folded = tuple(fold(t) for t in typed)
        return Analysis(tuple(tokens), folded, content, has_diacritics(cleaned), typed_folded)


class PhraseSet:
    """Labelled phrases found in an Analysis, accent-aware, in the order they were given."""

    def __init__(self, labelled: Iterable[tuple[str, str]]) -> None:
        self._by_first: dict[str, list[tuple[int, str, tuple[str, ...], tuple[str, ...]]]] = {}
        for rank, (label, phrase) in enumerate(labelled):
            words = tuple(clean(phrase).split())
            folded = tuple(fold(w) for w in words)
            self._by_first.setdefault(folded[0], []).append((rank, label, words, folded))

    def find(self, analysis: Analysis) -> list[tuple[str, int, int]]:
        """Every (label, start, end) occurrence, ordered by the phrase's rank."""
        found = []
        tokens, folded = analysis.tokens, analysis.folded
        for start, first in enumerate(folded):
            for rank, label, words, folded_words in self._by_first.get(first, ()):
                end = start + len(words)
                if folded[start:end] == folded_words and all(  # cheap test first
                    tokens[i] == w or tokens[i] == folded[i]  # as written, or typed unaccented
                    for i, w in zip(range(start, end), words, strict=True)
                ):
                    found.append((rank, label, start, end))
        return [(label, start, end) for _, label, start, end in sorted(found)]
