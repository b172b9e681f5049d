#!/bin/sh
# A beforeFinish hook (contract §9) in plain shell: sends the import to review when the result
# has no valid rows. The request is one line, {"data": [...], "metadata": {...}}; the answer is
# {} to let the import finish, or {"cancel": true, "message": "..."} to send it to review.
# Use it with: "hooks": {"beforeFinish": "hooks/require-rows.sh"}.
IFS= read -r request
case "$request" in
  '{"data":[]'*) echo '{"cancel": true, "message": "No valid rows: check the export before importing it."}' ;;
  *) echo '{}' ;;
esac
