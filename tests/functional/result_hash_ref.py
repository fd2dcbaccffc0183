"""Reference implementation of Hearth's canonical result hash
(doc/result-hash.md), written from the document alone, independent of the C
code. The functional tests check the C tool against it; third parties can use
it to recompute a result hash from a job's stdout and /out files.

    python3 result_hash_ref.py OUT_DIR STDOUT_FILE exit|signal VALUE
"""
import hashlib
import os
import stat
import struct
import sys


def tagged(tag, data=b""):
    """H(tag, data) = BLAKE2b-256(len(tag) as one byte || tag || data)."""
    tag = tag.encode()
    return hashlib.blake2b(bytes([len(tag)]) + tag + data, digest_size=32).digest()


def u64(v):
    return struct.pack("<Q", v)


def manifest_of(out_dir):
    """[(path bytes, kind, mode, size, content hash)] sorted by path bytes."""
    entries = []
    for root, dirs, files in os.walk(out_dir, followlinks=False):
        for name in dirs + files:
            full = os.path.join(root, name)
            st = os.lstat(full)
            rel = os.path.relpath(full, out_dir).encode()
            if stat.S_ISDIR(st.st_mode):
                continue
            if stat.S_ISLNK(st.st_mode):
                target = os.fsencode(os.readlink(full))
                entries.append((rel, 2, 0, len(target), tagged("hearth/link", target)))
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    data = f.read()
                mode = 1 if st.st_mode & stat.S_IXUSR else 0
                entries.append((rel, 1, mode, len(data), tagged("hearth/file", data)))
            else:
                raise ValueError("rejected: %s is not a file, directory or symlink" % rel)
    entries.sort(key=lambda e: e[0])
    return entries


def result_hash(status_kind, status_value, stdout, entries):
    """status_kind: 0 exited, 1 killed by a signal."""
    body = u64(status_kind) + u64(status_value) + tagged("hearth/stdout", stdout)
    body += u64(len(entries))
    for path, kind, mode, size, content_hash in entries:
        body += u64(len(path)) + path + u64(kind) + u64(mode) + u64(size) + content_hash
    return tagged("hearth/result", body)


def main():
    out_dir, stdout_file, kind, value = sys.argv[1:5]
    with open(stdout_file, "rb") as f:
        stdout = f.read()
    kind = {"exit": 0, "signal": 1}[kind]
    print(result_hash(kind, int(value), stdout, manifest_of(out_dir)).hex())


if __name__ == "__main__":
    main()
