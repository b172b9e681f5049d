extension ReviewPage {
    /// The page's script: reads the embedded report, builds the controls and the grid, and
    /// turns the person's choices into `resolution.json`. No network, no libraries.
    static let script = #"""
        "use strict";
        const R = JSON.parse(document.getElementById("report").textContent);
        const reasons = R.reasons || [];
        const fields = R.fields || [];
        const fieldByKey = Object.fromEntries(fields.map(f => [f.key, f]));
        const rows = R.rows || [];
        const given = R.resolution && R.resolution.given;
        const prior = given && typeof given === "object" && !Array.isArray(given) ? given : {};
        const PAGE = 50;

        function h(tag, attrs, ...kids) {
          const e = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (v === null || v === undefined || v === false) continue;
            if (k === "class") e.className = v;
            else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
            else if (k === "value") e.value = v;
            else e.setAttribute(k, v === true ? "" : v);
          }
          for (const kid of kids.flat()) if (kid !== null && kid !== undefined) e.append(kid instanceof Node ? kid : String(kid));
          return e;
        }
        const byId = id => document.getElementById(id);
        const norm = s => String(s || "").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
        const count = n => Number(n).toLocaleString("en-US");
        const plural = (n, one, many) => count(n) + " " + (n === 1 ? one : (many || one + "s"));
        const fieldName = key => fieldByKey[key] ? (fieldByKey[key].label !== key ? fieldByKey[key].label + " (" + key + ")" : key) : key;

        // ---- State: the report's decisions, then any earlier resolution on top. ----
        const candidates = (R.headerRow && R.headerRow.candidates) || [];
        const reportHeader = R.headerRow ? R.headerRow.chosen : null;
        const state = {
          sheet: prior.sheet !== undefined ? prior.sheet : (R.source && R.source.sheet) || null,
          headerRow: prior.headerRow !== undefined ? prior.headerRow : reportHeader,
          mapping: [],
          mappingTouched: prior.mapping !== undefined,
          edits: new Map(),
          removed: new Set(Array.isArray(prior.removeRows) ? prior.removeRows : []),
          behavior: prior.invalidDataBehavior || R.invalidDataBehavior || "BLOCK_SUBMIT",
          onlyErrors: false, page: 0, errorCursor: -1,
        };
        for (const e of Array.isArray(prior.edits) ? prior.edits : []) state.edits.set(e.rowIndex + "|" + e.fieldKey, e);

        function columnHeaders() {
          if (state.headerRow === reportHeader && R.mapping) return R.mapping.columns.map(c => c.header);
          const c = candidates.find(c => c.row === state.headerRow);
          if (c) return c.cells.slice();
          const width = Math.max(0, ...rows.map(r => r.cells.length));
          return Array.from({ length: width }, () => "");
        }
        let headers = columnHeaders();
        function guessMapping() {
          if (state.headerRow === reportHeader && R.mapping) return R.mapping.columns.map(c => c.field || null);
          const used = new Set();
          return headers.map(hd => {
            const f = fields.find(f => !used.has(f.key) && norm(hd) && (norm(f.key) === norm(hd) || norm(f.label) === norm(hd)));
            if (f) used.add(f.key);
            return f ? f.key : null;
          });
        }
        state.mapping = guessMapping();
        if (prior.mapping && typeof prior.mapping === "object") {
          for (const [name, key] of Object.entries(prior.mapping)) {
            const i = /^#\d+$/.test(name) ? Number(name.slice(1)) : headers.indexOf(name);
            if (i >= 0 && i < headers.length) state.mapping[i] = key;
          }
        }

        // ---- Errors, by row and by column. ----
        const reportColumnOf = {};
        if (R.mapping) for (const c of R.mapping.columns) if (c.field) reportColumnOf[c.field] = c.index;
        const errorsByRow = new Map();
        for (const e of R.errors || []) {
          if (!errorsByRow.has(e.rowIndex)) errorsByRow.set(e.rowIndex, []);
          errorsByRow.get(e.rowIndex).push(e);
        }
        const errorCells = [];
        for (const r of rows) for (const e of errorsByRow.get(r.rowIndex) || []) {
          const col = reportColumnOf[e.fieldKey];
          errorCells.push({ rowIndex: r.rowIndex, col: col === undefined ? -1 : col, error: e });
        }

        // ---- The steps this page shows, numbered in order. ----
        const shown = {
          "sheet-section": (R.sheets || []).length > 1 || reasons.includes("SHEET_NOT_CHOSEN"),
          "header-section": candidates.length > 0,
          "mapping-section": headers.length > 0,
          "rows-section": rows.length > 0,
          "save-section": true,
        };
        const step = {};
        let stepNumber = 0;
        for (const [id, visible] of Object.entries(shown)) {
          const section = byId(id);
          section.hidden = !visible;
          if (visible) { step[id] = ++stepNumber; section.querySelector("h2").prepend(stepNumber + ". "); }
        }
        /// A step that needs no decision stays folded, with what Intake did as its summary.
        function fold(id, summary) {
          const section = byId(id);
          const details = h("details", {}, h("summary", {}, summary));
          for (const child of [...section.children].slice(1)) details.append(child);
          section.append(details);
        }

        // ---- What went wrong, in plain words. ----
        function explain(reason) {
          const m = R.mapping || {};
          switch (reason) {
            case "SHEET_NOT_CHOSEN":
              return ["The workbook has several sheets and Intake could not tell which one holds the data.",
                      "Choose the sheet in step " + step["sheet-section"] + "."];
            case "HEADER_ROW_UNDETERMINED":
              return ["Intake could not tell which row of the file holds the column names (the header).",
                      "Choose the header row in step " + step["header-section"] + ": it is the row whose cells name the columns."];
            case "COLUMNS_NOT_MAPPED": {
              const parts = [];
              if ((m.missingRequiredFields || []).length) parts.push("no column was found for " + m.missingRequiredFields.map(k => "“" + fieldName(k) + "”").join(", ") + ", which must be filled");
              for (const c of m.conflicts || []) parts.push("columns " + c.columns.map(i => "“" + (m.columns[i].header || "#" + i) + "”").join(" and ") + " both look like “" + fieldName(c.field) + "”");
              return ["Some columns could not be matched to the fields this import expects: " + (parts.join("; ") || "see the columns below") + ".",
                      "In step " + step["mapping-section"] + ", choose the field each column fills (or leave a column out)."];
            }
            case "VALIDATION_ERRORS":
              return [count(R.rowsWithErrors || 0) + " of the " + plural(R.totalRows || 0, "row") + " in the file have cells that are not valid (" + plural(R.errorCount || 0, "problem") + "), and this import is set to stop rather than skip them.",
                      "In step " + step["rows-section"] + ", correct the red cells or remove their rows, or choose to import without the invalid rows."];
            case "TABLE_END": {
              const t = R.tableEnd || {};
              return ["Another table seems to start at record " + t.record + " of the file, but " + plural(t.dataLikeRowsAfter || 0, "row") + " after it look like this table's data.",
                      "Choose below whether the whole file is one table, or the rows from there on are left out."];
            }
            case "ENCODING":
              return ["Intake could not tell which encoding the file is written in: its bytes read as different letters in different encodings, and the file does not say which is right.",
                      "Choose the reading below that shows the text as it was written."];
            case "DECIMAL_MARK":
              return ["Intake could not tell how numbers are written in this file: some read as two different numbers with a decimal point or a decimal comma, and nothing in the file says which.",
                      "Choose below, for each column, which mark separates the decimals."];
            case "RESOLUTION_NOT_APPLIED": {
              const list = ((R.resolution && R.resolution.problems) || []).map(p => p.entry + ": " + p.message);
              return ["Some of the decisions saved earlier could not be applied: " + list.join("; ") + ".",
                      "The page below starts from those decisions; correct them and save again."];
            }
            default: return [reason, ""];
          }
        }
        byId("title").textContent = "Review the import of " + (R.filename || "a file");
        byId("subtitle").textContent = "Intake stopped before importing this file because a person has to decide something. Import " + R.id + ".";
        state.readToEnd = prior.readToEnd === true;
        for (const reason of reasons) {
          const [what, todo] = explain(reason);
          const item = h("li", { "data-reason": reason }, h("strong", {}, what), todo);
          if (reason === "DECIMAL_MARK") {
            // Each undecided number column: its value read both ways, to choose from.
            state.decimalMarks = Object.assign({}, prior.decimalMarks || {});
            for (const d of R.decimalMarks || []) {
              const box = h("div", { class: "cells" }, "“" + (d.header || d.field) + "”, such as " + d.example + ":");
              for (const [mark, reads] of [[",", d.comma], [".", d.point]]) {
                box.append(h("label", { class: "choice" },
                  h("input", { type: "radio", name: "mark-" + d.field, value: mark, checked: state.decimalMarks[d.field] === mark,
                               onchange: () => { state.decimalMarks[d.field] = mark; } }),
                  d.example + " is " + reads + (mark === "," ? " (decimal comma: 1.234,50)" : " (decimal point: 1,234.50)")));
              }
              item.append(box);
            }
          }
          if (reason === "TABLE_END") {
            const rows = ((R.tableEnd || {}).preview || []).map(r => r.join(" | ")).join(" / ");
            if (rows) item.append(h("div", { class: "cells" }, "From there: " + rows));
            for (const [value, text] of [[false, "Leave the rows from record " + (R.tableEnd || {}).record + " on out: they are another table."],
                                         [true, "The whole file is one table: read every row (a repeated header is skipped)."]]) {
              item.append(h("label", { class: "choice" },
                h("input", { type: "radio", name: "table-end", value: String(value), checked: state.readToEnd === value,
                             onchange: () => { state.readToEnd = value; } }), text));
            }
          }
          byId("reasons").append(item);
        }
        for (const m of R.messages || []) byId("messages").append(h("li", {}, m));
        // The encoding: each reading of the lines where the candidates differ, to choose from.
        if (reasons.includes("ENCODING") && R.encoding) {
          state.encoding = prior.encoding || R.encoding.chosen;
          const box = h("div", { id: "encoding-choices" });
          for (const c of R.encoding.candidates || []) {
            const lines = h("ul", {});
            for (const line of c.lines || []) lines.append(h("li", {}, h("code", {}, line)));
            box.append(h("label", { class: "choice" },
              h("input", { type: "radio", name: "encoding", value: c.encoding, checked: state.encoding === c.encoding, onchange: () => { state.encoding = c.encoding; } }),
              h("strong", {}, c.encoding + (c.language ? " (" + c.language + ")" : "")), lines));
          }
          byId("reasons").append(h("li", { "data-reason": "ENCODING-choices" }, box));
        }

        // ---- 1. Sheet. ----
        if (shown["sheet-section"]) {
          const box = byId("sheet-controls");
          for (const s of R.sheets) {
            const preview = ((R.sheetPreviews || {})[s.name] || []).slice(0, 3).map(r => r.join(" | ")).join(" / ");
            box.append(h("label", { class: "choice" },
              h("input", { type: "radio", name: "sheet", value: s.name, checked: state.sheet === s.name,
                           onchange: () => { state.sheet = s.name; state.sheetTouched = true; } }),
              h("strong", {}, s.name), " — " + plural(s.rows, "row") + ", " + plural(s.columns, "column"),
              s.score !== null && s.score !== undefined ? h("span", { class: "score" }, " (match with the fields: " + Math.round(s.score * 100) + "%)") : null,
              preview ? h("div", { class: "cells" }, preview) : null));
          }
        }

        // ---- 2. Header row. ----
        if (shown["header-section"]) {
          const box = byId("header-controls");
          box.append(h("p", { class: "note" }, "Rows are counted from 0 at the top of the file (blank rows count). The most likely rows come first."));
          for (const c of candidates) {
            box.append(h("label", { class: "choice" },
              h("input", { type: "radio", name: "header", value: c.row, checked: state.headerRow === c.row,
                           onchange: () => { state.headerRow = c.row; state.headerTouched = true; headers = columnHeaders(); state.mapping = guessMapping(); state.mappingTouched = true; renderMapping(); renderGrid(); } }),
              h("strong", {}, "Row " + c.row), h("span", { class: "score" }, " (likelihood " + Math.round(c.score * 100) + "%)"),
              h("div", { class: "cells" }, c.cells.join(" | "))));
          }
          if (!reasons.includes("HEADER_ROW_UNDETERMINED") && prior.headerRow === undefined && reportHeader !== null)
            fold("header-section", "Intake took row " + reportHeader + " as the column names (" + (candidates[0] ? candidates[0].cells.filter(Boolean).slice(0, 6).join(", ") : "") + "). Change it…");
        }

        // ---- 3. Mapping. ----
        function renderMapping() {
          if (!headers.length) return;
          const box = byId("mapping-controls");
          box.replaceChildren();
          const reportColumns = state.headerRow === reportHeader && R.mapping ? R.mapping.columns : [];
          const table = h("table", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "Column in the file"), h("th", {}, "First values"), h("th", {}, "Field it fills")));
          headers.forEach((hd, i) => {
            const info = reportColumns[i] || {};
            const select = h("select", { "data-column": i, "aria-label": "Field for column " + (hd || "#" + i),
              onchange: ev => { state.mapping[i] = ev.target.value || null; state.mappingTouched = true; renderWarnings(); renderGrid(); } });
            select.append(h("option", { value: "" }, "— leave this column out —"));
            const offered = new Set();
            const suggestions = [];
            if (info.field) suggestions.push({ field: info.field, score: info.score, matchedBy: info.matchedBy });
            for (const a of info.alternatives || []) suggestions.push(a);
            if (suggestions.length) {
              const group = h("optgroup", { label: "Suggested" });
              for (const s of suggestions) if (!offered.has(s.field)) {
                offered.add(s.field);
                group.append(h("option", { value: s.field }, fieldName(s.field) + (s.score !== undefined ? " — " + Math.round(s.score * 100) + "% match" : "")));
              }
              select.append(group);
            }
            const all = h("optgroup", { label: "All fields" });
            for (const f of fields) if (!offered.has(f.key)) all.append(h("option", { value: f.key }, fieldName(f.key) + (f.required ? " *" : "")));
            select.append(all);
            select.value = state.mapping[i] || "";
            const values = rows.slice(0, 3).map(r => r.cells[i] || "").filter(v => v !== "").join(", ");
            table.append(h("tr", {}, h("td", {}, i), h("td", {}, hd ? h("strong", {}, hd) : h("em", { class: "note" }, "(no header)")),
              h("td", { class: "cells" }, values), h("td", {}, select)));
          });
          box.append(table, h("p", { class: "note" }, "* must be filled: every row needs a value for it."));
          renderWarnings();
        }
        function renderWarnings() {
          const box = byId("mapping-warnings");
          box.replaceChildren();
          const chosen = state.mapping.filter(Boolean);
          const missing = fields.filter(f => f.required && !chosen.includes(f.key));
          const twice = [...new Set(chosen.filter((k, i) => chosen.indexOf(k) !== i))];
          for (const f of missing) box.append(h("p", { class: "warn" }, "No column fills “" + fieldName(f.key) + "”, which must be filled."));
          for (const k of twice) box.append(h("p", { class: "warn" }, "Several columns fill “" + fieldName(k) + "”: choose one."));
          if (!missing.length && !twice.length) box.append(h("p", { class: "ok" }, "Every field that must be filled has a column."));
          document.querySelectorAll("#mapping-controls select").forEach(s => s.classList.toggle("missing", twice.includes(s.value)));
        }
        renderMapping();
        if (headers.length && !reasons.includes("COLUMNS_NOT_MAPPED") && prior.mapping === undefined) {
          const matched = state.mapping.filter(Boolean).length;
          fold("mapping-section", "Intake matched " + plural(matched, "column") + " of " + headers.length + " to the fields. Change it…");
        }

        // ---- 4. Rows. ----
        const width = Math.max(headers.length, ...rows.map(r => r.cells.length), 0);
        function visibleRows() { return state.onlyErrors ? rows.filter(r => errorsByRow.has(r.rowIndex)) : rows; }
        function cellValue(r, col) {
          const key = state.mapping[col];
          const e = key ? state.edits.get(r.rowIndex + "|" + key) : null;
          return e ? e.value : (r.cells[col] || "");
        }
        function renderGrid() {
          if (!rows.length) return;
          const list = visibleRows();
          const pages = Math.max(1, Math.ceil(list.length / PAGE));
          state.page = Math.min(state.page, pages - 1);
          const table = byId("grid");
          table.replaceChildren();
          const head = h("tr", {}, h("th", {}, ""), h("th", {}, "Row"));
          for (let c = 0; c < width; c++) {
            const key = state.mapping[c];
            head.append(h("th", {}, headers[c] || "#" + c, h("div", { class: "score" }, key ? "→ " + fieldName(key) : "(left out)")));
          }
          head.append(h("th", {}, "Problems"));
          table.append(head);
          for (const r of list.slice(state.page * PAGE, state.page * PAGE + PAGE)) {
            const errs = errorsByRow.get(r.rowIndex) || [];
            const removed = state.removed.has(r.rowIndex);
            const tr = h("tr", { "data-row": r.rowIndex, class: removed ? "removed" : null });
            tr.append(h("td", {}, h("button", { type: "button", "data-remove": r.rowIndex, title: removed ? "Keep this row" : "Leave this row out of the import",
              onclick: () => { removed ? state.removed.delete(r.rowIndex) : state.removed.add(r.rowIndex); renderGrid(); } }, removed ? "Restore" : "Remove")));
            tr.append(h("td", { class: "rowhead", title: "rowIndex " + r.rowIndex + ", line " + r.sourceRow + " of the file" }, "#" + r.rowIndex, h("div", {}, "line " + r.sourceRow)));
            const unplaced = [];
            for (const e of errs) if (reportColumnOf[e.fieldKey] === undefined) unplaced.push(e);
            for (let c = 0; c < width; c++) {
              const key = state.mapping[c];
              const cellErrors = errs.filter(e => reportColumnOf[e.fieldKey] === c);
              const edited = key && state.edits.has(r.rowIndex + "|" + key);
              const td = h("td", { class: "cell" + (cellErrors.length && !edited ? " invalid" : "") + (edited ? " edited" : ""), "data-row": r.rowIndex, "data-col": c });
              const input = h("input", { value: cellValue(r, c), readonly: !key || removed, "aria-label": "Row " + r.rowIndex + ", " + (headers[c] || "#" + c),
                title: !key ? "Choose a field for this column (step 3) to edit it" : cellErrors.map(e => e.message).join("; ") || null,
                onchange: ev => {
                  const id = r.rowIndex + "|" + key;
                  if (ev.target.value === (r.cells[c] || "")) state.edits.delete(id);
                  else state.edits.set(id, { rowIndex: r.rowIndex, fieldKey: key, value: ev.target.value });
                  td.classList.toggle("edited", state.edits.has(id));
                  td.classList.toggle("invalid", cellErrors.length > 0 && !state.edits.has(id));
                } });
              td.append(input);
              for (const e of cellErrors) td.append(h("div", { class: "msg" }, e.message));
              tr.append(td);
            }
            tr.append(h("td", { class: "rowmsg" }, unplaced.map(e => fieldName(e.fieldKey) + ": " + e.message).join("; ")));
            table.append(tr);
          }
          const pager = byId("pager");
          pager.replaceChildren(
            h("button", { type: "button", id: "prev-page", disabled: state.page === 0, onclick: () => { state.page--; renderGrid(); } }, "◀ Previous page"),
            h("span", {}, "Page " + (state.page + 1) + " of " + pages + " (" + plural(list.length, "row") + ")"),
            h("button", { type: "button", id: "next-page", disabled: state.page >= pages - 1, onclick: () => { state.page++; renderGrid(); } }, "Next page ▶"));
        }
        function gotoError(step) {
          if (!errorCells.length) return;
          state.errorCursor = (state.errorCursor + step + errorCells.length) % errorCells.length;
          const target = errorCells[state.errorCursor];
          const list = visibleRows();
          const at = list.findIndex(r => r.rowIndex === target.rowIndex);
          if (at < 0) { state.onlyErrors = true; byId("only-errors").checked = true; return gotoError(0); }
          state.page = Math.floor(at / PAGE);
          renderGrid();
          const sel = target.col >= 0 ? '#grid td[data-row="' + target.rowIndex + '"][data-col="' + target.col + '"]' : '#grid tr[data-row="' + target.rowIndex + '"] td.rowmsg';
          const td = document.querySelector(sel);
          if (td) {
            td.classList.add("current");
            td.scrollIntoView({ block: "center", inline: "center" });
            const input = td.querySelector("input");
            if (input) input.focus();
          }
          byId("error-position").textContent = "Error " + (state.errorCursor + 1) + " of " + errorCells.length + ": row " + target.rowIndex + ", " + fieldName(target.error.fieldKey) + " — " + target.error.message;
        }
        if (rows.length) {
          const held = rows.length;
          const total = R.totalRows;
          const known = total !== null && total !== undefined;
          const errRows = rows.filter(r => errorsByRow.has(r.rowIndex)).length;
          const capped = R.errorCount > (R.errors || []).length;
          byId("rows-note").textContent = (known ? "The file has " + plural(total, "data row") + (R.rowsWithErrors ? ", " + count(R.rowsWithErrors) + " with errors" : "") + ". " : "")
            + (known && held < total ? "To stay quick, this page holds " + plural(held, "row") + " of them: " : "This page holds " + plural(held, "row") + ": ")
            + (errRows ? (capped ? "the rows of the first " + count(R.errors.length) + " errors (of " + count(R.errorCount) + ")" : "every row with an error") + ", then " : "")
            + "the first rows of the file."
            + (capped ? " To fix the errors this page does not hold, choose below to import without the invalid rows, or fix the file and drop it again." : "")
            + " Rows are numbered from 0 below the header (“#”), with their line in the file. Click a cell to change it; a changed cell turns yellow.";
          byId("only-errors").checked = state.onlyErrors = errorCells.length > 0;
          byId("only-errors").onchange = ev => { state.onlyErrors = ev.target.checked; state.page = 0; renderGrid(); };
          byId("prev-error").onclick = () => gotoError(-1);
          byId("next-error").onclick = () => gotoError(1);
          byId("prev-error").disabled = byId("next-error").disabled = !errorCells.length;
          renderGrid();
          const choices = [
            ["BLOCK_SUBMIT", "Stop while any row is invalid: nothing is imported until every error is fixed or its row removed."],
            ["REMOVE_INVALID_ROWS", "Import the valid rows; rows still invalid are left out (listed in rejected.csv)."],
            ["INCLUDE_INVALID_ROWS", "Import every row, invalid cells as they are."]];
          const box = byId("behavior");
          box.append(h("strong", {}, "Rows that are still invalid:"));
          for (const [value, text] of choices) box.append(h("label", { class: "choice" },
            h("input", { type: "radio", name: "behavior", value, checked: state.behavior === value, onchange: () => { state.behavior = value; } }), text));
        }

        // ---- 5. Save. ----
        function resolution() {
          const res = {};
          if (reasons.includes("ENCODING") && state.encoding) res.encoding = state.encoding;
          if (byId("sheet-section").hidden === false && state.sheet && (reasons.includes("SHEET_NOT_CHOSEN") || state.sheetTouched || prior.sheet !== undefined)) res.sheet = state.sheet;
          if (state.headerRow !== null && state.headerRow !== undefined && (reasons.includes("HEADER_ROW_UNDETERMINED") || state.headerTouched || prior.headerRow !== undefined)) res.headerRow = state.headerRow;
          if (headers.length && (reasons.includes("COLUMNS_NOT_MAPPED") || state.mappingTouched)) {
            res.mapping = {};
            headers.forEach((hd, i) => {
              const unique = hd && headers.indexOf(hd) === i && headers.lastIndexOf(hd) === i && !/^#\d+$/.test(hd);
              res.mapping[unique ? hd : "#" + i] = state.mapping[i] || null;
            });
          }
          const edits = [...state.edits.values()].filter(e => !state.removed.has(e.rowIndex)).sort((a, b) => a.rowIndex - b.rowIndex || (a.fieldKey < b.fieldKey ? -1 : 1));
          if (edits.length) res.edits = edits;
          if (state.removed.size) res.removeRows = [...state.removed].sort((a, b) => a - b);
          if (state.behavior !== R.invalidDataBehavior || prior.invalidDataBehavior !== undefined) res.invalidDataBehavior = state.behavior;
          if (reasons.includes("TABLE_END") || prior.readToEnd !== undefined) res.readToEnd = state.readToEnd === true;
          const marks = state.decimalMarks || prior.decimalMarks;
          if (marks && Object.keys(marks).length) res.decimalMarks = marks;
          return res;
        }
        const folder = decodeURIComponent(location.pathname.replace(/\/[^/]*$/, "/"));
        if (location.protocol === "file:") byId("folder").textContent = " (" + folder + ")";
        byId("save").onclick = () => {
          const text = JSON.stringify(resolution(), null, 2) + "\n";
          byId("resolution-text").value = text;
          const link = byId("download");
          if (link.href) URL.revokeObjectURL(link.href);
          link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
          link.hidden = false;
          link.click();
          byId("save-status").textContent = "Saved. Put resolution.json in the folder" + (location.protocol === "file:" ? " " + folder : "") + ".";
        };
        byId("resolution-text").onfocus = ev => ev.target.select();
        byId("resolution-text").value = JSON.stringify(resolution(), null, 2) + "\n";
        document.body.dataset.ready = "true";
        """#
}
