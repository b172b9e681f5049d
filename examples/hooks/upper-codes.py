#!/usr/bin/env python3
"""A column hook (contract §9): upper-cases a column of codes, and marks empty ones as errors.

The request is one line: the whole column, [{"index", "value"}]; the answer is one line of the
same shape, with "value" to replace a cell and "info" to attach messages.
Use it with: "hooks": {"columnHooks": [{"fieldName": "code", "command": "hooks/upper-codes.py"}]}.
"""
import json
import sys

column = json.loads(sys.stdin.readline())
answer = []
for cell in column:
    entry = {"index": cell["index"], "value": cell["value"].strip().upper()}
    if not cell["value"].strip():
        entry["info"] = [{"message": "A code is needed here", "level": "error"}]
    answer.append(entry)
print(json.dumps(answer), flush=True)
