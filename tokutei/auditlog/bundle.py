"""Self-verifying export bundles of the operation log, checked offline WITHOUT a database.

Format (UTF-8 JSON Lines, one object per line, ``type`` first):

1. ``header``: format, range, first/last seq, count, per lane the anchor (the position and hash its first
   entry chains from) and its last position, the Ed25519 public key (PEM) and its fingerprint.
2. ``checkpoint`` lines: signed checkpoints in the range, including one at each lane's anchor (unless
   genesis) and one at its last entry; ``purge`` lines: the signed purge anchor of a lane whose run starts
   right after a purge.
3. ``entry`` lines: the hashed fields of each entry, its prev_hash and hash, in (lane, lane_seq) order. An
   entry of hash format 2 (``"v": 2``) also carries ``canonical``, the exact text its hash covers; the
   verifier hashes that text and checks that the fields shown are exactly what it says.
4. ``signature``: Ed25519 over every byte before this line.

Every byte is covered: the last line must be exactly its canonical form, and the signature covers all
the rest. Verify: ``tokutei log verify --bundle FILE`` or, with no Django at all,
``python -m tokutei.auditlog.bundle FILE [--fingerprint HEX]``. Compare the printed key fingerprint with the
one on the printed checkpoint page or the key handed over on paper.

This module imports no Django.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .chain import (
    GENESIS,
    HASHED_FIELDS,
    Problem,
    Report,
    check_checkpoints,
    fingerprint,
    load_public_pem,
    parse_v2,
    purge_message,
    signature_ok,
    walk,
)

FORMAT = "tokutei-auditlog-bundle/3"  # /3: entries of hash format 2 carry their hashed bytes
READABLE = {"tokutei-auditlog-bundle/2", FORMAT}


def _line(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def write_bundle(
    out,
    *,
    header: Mapping[str, Any],
    checkpoints: Iterable[Mapping[str, Any]],
    purges: Iterable[Mapping[str, Any]],
    entries: Iterable[Mapping[str, Any]],
    sign: Callable[[bytes], str],
) -> None:
    """Write the bundle to the binary file ``out``; ``sign(bytes) -> signature hex``."""
    import hashlib

    hasher = hashlib.sha512()  # Ed25519 signs a message; we sign the SHA-512 of the body (streaming)

    def emit(obj: Mapping[str, Any]) -> None:
        data = _line(obj)
        hasher.update(data)
        out.write(data)

    emit({"type": "header", "format": FORMAT, **header})
    for cp in checkpoints:
        emit({"type": "checkpoint", **cp})
    for purge in purges:
        emit({"type": "purge", **purge})
    for entry in entries:
        canon = entry.get("canonical")
        if canon is None:  # format 1: the verifier recomputes the canonical JSON from the fields
            emit({"type": "entry", "fields": {k: entry[k] for k in HASHED_FIELDS},
                  "prev_hash": entry["prev_hash"], "hash": entry["hash"]})
        else:  # format 2: the hashed bytes themselves, and the fields they say (what the auditor reads)
            fields = parse_v2(canon)
            emit({"type": "entry", "v": 2, "canonical": canon.decode(),
                  "fields": {k: fields[k] for k in HASHED_FIELDS}, "prev_hash": fields["prev_hash"],
                  "hash": entry["hash"]})
    out.write(_line({"type": "signature", "alg": "ed25519-sha512",
                     "signature": sign(_body_message(hasher.digest()))}))


def _body_message(digest: bytes) -> bytes:
    return b"tokutei-auditlog-bundle/1\n" + digest.hex().encode() + b"\n"


def verify_bundle(path: str | Path, *, expected_fingerprint: str | None = None) -> Report:
    """Verify an exported bundle file. Touches no database."""
    import hashlib

    report = Report()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        report.add(Problem(None, "unreadable", f"ファイルを読めません: {exc}"))
        return report
    if not data.endswith(b"\n"):
        report.add(Problem(None, "malformed", "ファイルの末尾が欠けています（切り詰め）"))
        return report
    cut = data.rfind(b"\n", 0, len(data) - 1) + 1
    body, last_line = data[:cut], data[cut:]
    try:
        signature_line = json.loads(last_line)
        lines = [json.loads(raw) for raw in body.splitlines()]
    except (ValueError, UnicodeDecodeError):
        report.add(Problem(None, "malformed", "ファイルの形式が正しくありません（改変）"))
        return report
    sig = signature_line.get("signature") if isinstance(signature_line, dict) else None
    if not isinstance(signature_line, dict) or _line(signature_line) != last_line \
            or set(signature_line) != {"type", "alg", "signature"} or signature_line["type"] != "signature" \
            or signature_line["alg"] != "ed25519-sha512" or not isinstance(sig, str) \
            or len(sig) != 128 or sig.strip("0123456789abcdef") \
            or not lines or not isinstance(lines[0], dict) or lines[0].get("type") != "header":
        report.add(Problem(None, "malformed", "署名行または見出し行が正しくありません（改変）"))
        return report
    header = lines[0]
    if header.get("format") not in READABLE:
        report.add(Problem(None, "malformed", f"未知の形式です: {header.get('format')!r}"))
        return report
    try:
        key = load_public_pem(str(header["public_key"]).encode())
    except (KeyError, ValueError) as exc:
        report.add(Problem(None, "bad_key", f"公開鍵を読めません: {exc}"))
        return report
    fp = fingerprint(key)
    report.warnings.append(f"公開鍵の指紋: {fp}（紙の控えと照合してください）")
    if header.get("key_fingerprint") != fp:
        report.add(Problem(None, "bad_key", "見出しの鍵指紋が公開鍵と一致しません"))
        return report
    if expected_fingerprint and expected_fingerprint.replace(":", "").replace(" ", "").lower() != fp:
        report.add(Problem(None, "untrusted_key", "公開鍵の指紋が控えと一致しません（別の鍵で作られた束）"))
        return report
    if not signature_ok(key, str(signature_line.get("signature", "")),
                        _body_message(hashlib.sha512(body).digest())):
        report.add(Problem(None, "bad_signature", "束全体の署名が正しくありません（改変）"))
        return report

    checkpoints = [line for line in lines if line.get("type") == "checkpoint"]
    purges = [line for line in lines if line.get("type") == "purge"]
    entries = [line for line in lines if line.get("type") == "entry"]
    if len(lines) != 1 + len(checkpoints) + len(purges) + len(entries):
        report.add(Problem(None, "malformed", "未知の行があります"))
        return report
    keys = {fp: key}
    signed = check_checkpoints(checkpoints, keys, report)
    try:
        lanes = {int(lane): info for lane, info in dict(header.get("lanes") or {}).items()}
        anchors = {lane: (int(info["seq"]), str(info["hash"])) for lane, info in lanes.items()}
    except (KeyError, TypeError, ValueError):
        report.add(Problem(None, "malformed", "見出しの連鎖情報が正しくありません"))
        return report
    for lane, (anchor_seq, anchor_hash) in anchors.items():
        if anchor_seq == 0:
            if anchor_hash != GENESIS:
                report.add(Problem(0, "anchor", "起点（ジェネシス）のハッシュが正しくありません", lane=lane))
        elif signed.get((lane, anchor_seq)) != anchor_hash and not any(
            int(p["lane"]) == lane and int(p["through_seq"]) == anchor_seq and p["anchor_hash"] == anchor_hash
            and signature_ok(key, p["signature"], purge_message(
                lane, int(p["through_seq"]), p["anchor_hash"], p["before"], int(p["removed"]), p["at"]))
            for p in purges
        ):
            report.add(Problem(anchor_seq, "anchor", "起点のハッシュを裏付ける署名付きチェックポイントがありません",
                               lane=lane))
    try:
        flat = [_entry(line) for line in entries]
    except (KeyError, TypeError, ValueError, UnicodeError, AttributeError):
        report.add(Problem(None, "malformed", "記録の行が正しくありません（改変）"))
        return report
    for line, entry in zip(entries, flat, strict=True):
        if entry.get("canonical") is not None and not _fields_agree(line, entry["canonical"]):
            report.add(Problem(int(entry["lane_seq"]), "modified",
                               "記録の項目がハッシュされた内容と一致しません（改ざん）", lane=int(entry["lane"]),
                               seq=int(entry["seq"])))
            return report
    if any(int(e["lane"]) not in lanes for e in flat):
        report.add(Problem(None, "malformed", "見出しにない連鎖の記録があります"))
        return report
    walk(flat, report=report, anchors=anchors, signed=signed)
    if report.ok:
        for lane, info in sorted(lanes.items()):
            last, last_hash = report.lanes.get(lane, anchors[lane])
            if last != int(info.get("last", -1)):
                report.add(Problem(last + 1, "truncated", "見出しの最終位置と記録が一致しません（切り詰め）", lane=lane))
            elif last > anchors[lane][0] and signed.get((lane, last)) != last_hash:
                report.add(Problem(last, "unsigned_end", "最後の記録に署名付きチェックポイントがありません", lane=lane))
        if report.ok and report.entries_checked != int(header.get("count", -1)):
            report.add(Problem(None, "truncated", "見出しの件数と記録が一致しません（切り詰め）"))
    return report


def _entry(line: Mapping[str, Any]) -> dict[str, Any]:
    """An entry line as walk() takes it; format 2 with its hashed bytes."""
    entry = {**line["fields"], "prev_hash": line["prev_hash"], "hash": line["hash"]}
    if line.get("v", 1) == 2:
        entry["canonical"] = str(line["canonical"]).encode()
    elif "v" in line or "canonical" in line:
        raise ValueError("unknown entry format")
    return entry


def _fields_agree(line: Mapping[str, Any], canon: bytes) -> bool:
    """A format 2 line's fields and prev_hash are exactly what its hashed bytes say."""
    try:
        said = parse_v2(canon)
    except (ValueError, UnicodeError):
        return False
    shown = {**line["fields"], "prev_hash": line["prev_hash"]}
    # compared as JSON text: 1, 1.0 and true are equal in Python but not the same field
    return set(line["fields"]) == set(HASHED_FIELDS) and _line(shown) == _line(said)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="操作履歴の書出し束を検証します（データベース不要）")
    parser.add_argument("bundle")
    parser.add_argument("--fingerprint", help="紙の控えの公開鍵指紋")
    args = parser.parse_args(argv)
    report = verify_bundle(args.bundle, expected_fingerprint=args.fingerprint)
    for warning in report.warnings:
        print(warning)
    if report.ok:
        print(f"OK: {report.entries_checked}件（連鎖{len(report.anchors)}本、最終番号 第{report.last_seq}番）、"
              f"チェックポイント{report.checkpoints_checked}件を検証しました")
        return 0
    print(f"NG: {report.first_problem}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
