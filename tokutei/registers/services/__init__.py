"""Writes to the registers: ``media`` (記録媒体, 持出し, ドキュメント) and ``exports`` (出力, 一時的な複製).

Decide first (every refusal logged), then write in one transaction with its log entry. The approvals these
operations need are asked of the approval engine (``tokutei.approvals.services``).
"""
