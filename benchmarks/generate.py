"""Generate listing corpora of any size in the layout of the example corpus.

Records look like the real ones: most without a title, structured abstracts,
2-6 authors drawn from a pool (so people recur across papers, as in a real
field), occasional truncated author lists and records with no volume.

    python benchmarks/generate.py 10000 > corpus.txt
"""

from __future__ import annotations

import random
import sys

GIVEN = "Anna Ben Carla David Emma Farid Grace Hiro Ines Jonas Kati Liam Mia Noor Omar Pia Quinn Rosa Sven Tara".split()
FAMILY = (
    "Repper Gillard Watson Hodges Conchar Foster Turner Parry Wilkinson Collopy Cosh Tully Puschner "
    "Mahlke Nixdorf Basangwa Nguyen Okafor Silva Kowalski Müller Dubois Rossi Tanaka Haddad Novak"
).split()
WORDS = (
    "peer support worker mental health services recovery lived experience stigma wounded healer "
    "community service user empowerment qualitative interviews thematic analysis evaluation network"
).split()


def author_pool(rng: random.Random, size: int) -> list[str]:
    """``size`` distinct names; family names get a syllable suffix once the
    plain combinations run out, so any size can be drawn."""
    pool: set[str] = set()
    syllables = "ka ro mi ne to sa lu vi".split()
    while len(pool) < size:
        initial = f" {rng.choice('ABCDEFGHJKLMNPRST')}." if rng.random() < 0.4 else ""
        family = rng.choice(FAMILY)
        if len(pool) >= 2000:  # the plain combinations number about 9,000
            family += "".join(rng.choice(syllables) for _ in range(2))
        pool.add(f"{rng.choice(GIVEN)}{initial} {family}")
    return sorted(pool)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generate_record(rng: random.Random, pool: list[str], index: int) -> str:
    lines = []
    if rng.random() < 0.2:
        lines += [f"scholarly journals {sentence(rng, 8)[:-1]} {index}", ""]
    lines.append(f"{rng.randint(1990, 2025)} ◽  ")
    if rng.random() < 0.9:
        lines.append(f"Vol {rng.randint(1, 90)} ({rng.randint(1, 12)}) ◽  ")
        start = rng.randint(1, 900)
        lines.append(f"pp. {start}-{start + rng.randint(1, 30)} ◽  ")
    lines.append("Author(s):  ")
    names = rng.sample(pool, rng.randint(1, 6))
    lines += [f"{name} ◽  " for name in names[:-1]] + [names[-1]]
    if rng.random() < 0.05:
        lines[-1] += " ◽  "
        lines.append("...  ")
    if rng.random() < 0.8:
        lines += [
            "",
            f"Purpose – {sentence(rng, 20)} Design/methodology/approach – {sentence(rng, 25)} "
            f"Findings – {sentence(rng, 30)} Originality/value – {sentence(rng, 15)}",
            "",
        ]
    return "\n".join(lines) + "\n"


def generate_listing(n: int, seed: int = 1) -> str:
    """A listing of ``n`` records; the same ``n`` and ``seed`` give the same text."""
    rng = random.Random(seed)
    pool = author_pool(rng, max(50, n // 2))
    body = "".join(generate_record(rng, pool, i) for i in range(n))
    return body + "\nSign in / Sign up\n\nExport Citation Format\n\nShare Document"


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    sys.stdout.write(generate_listing(count))
