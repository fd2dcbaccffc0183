"""Counts the primes up to N (a sieve of Eratosthenes): the sample job of
contrib/quickstart.sh. N is read from n.txt next to this file; the answer
goes to stdout and to OUT/result.txt (OUT: the first argument, else /out,
the sandbox's output directory). Run it locally with
`python3 primes.py /tmp/out` to compare with a provider's result."""
import os
import sys


def count_primes(n):
    """(count of primes <= n, largest prime <= n or 0)."""
    if n < 2:
        return 0, 0
    sieve = bytearray([1]) * (n + 1)
    sieve[0] = sieve[1] = 0
    i = 2
    while i * i <= n:
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, n + 1, i)))
        i += 1
    return sieve.count(1), sieve.rindex(1)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "n.txt"), encoding="ascii") as f:
        n = int(f.read().strip())
    if not 0 <= n <= 50000000:
        sys.exit("n.txt: N must be between 0 and 50000000")
    count, largest = count_primes(n)
    text = "primes up to %d: %d (largest %d)\n" % (n, count, largest)
    out = sys.argv[1] if len(sys.argv) > 1 else "/out"
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "result.txt"), "w", encoding="ascii") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
