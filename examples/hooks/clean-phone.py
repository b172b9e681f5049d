#!/usr/bin/env python3
"""A row hook (contract §9): keeps only the digits of the "phone" field and warns when it did.

One request per line on stdin, {"index", "row": {key: {"value"}}}; one answer per line on stdout,
{"row": {key: {"value"?, "info"?: [{"message", "level"}]}}}. Flush after every answer.
Use it with: "hooks": {"rowHooks": ["hooks/clean-phone.py"]} and the file in schemas/hooks/.
"""
import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    row = request["row"]
    answer = {}
    phone = row.get("phone", {}).get("value", "")
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    if digits != phone:
        answer["phone"] = {"value": digits, "info": [{"message": f"Cleaned from {phone!r}", "level": "info"}]}
    print(json.dumps({"row": answer}), flush=True)
