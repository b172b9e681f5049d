/// A row of the file as the review page shows it.
struct ReviewRow {
    var rowIndex: Int
    var sourceRow: Int
    var cells: [String]

    var json: JSONValue {
        ["rowIndex": .number(rowIndex), "sourceRow": .number(sourceRow), "cells": .array(cells.map { .string($0) })]
    }
}

/// `review.html` (contract §6): one self-contained page (inline CSS and JS, no network) made
/// from `report.json`, for a person who has never seen Intake. It explains each reason, offers
/// the candidates for the sheet, the header row and each column's field, shows the rows with
/// their invalid cells marked, lets the person edit cells and remove rows, and saves
/// `resolution.json` (a download, and the text to copy).
///
/// The page embeds the report as it is: a bounded amount of data (the rows with errors the
/// report lists, up to `maxErrorRows`, and the first `leadingRows` rows), whatever the size of
/// the file, and says so.
public enum ReviewPage {
    public static let maxErrorRows = 1000
    public static let leadingRows = 100

    /// The page for a report (the bytes of `report.json`).
    public static func html(reportJSON: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(reportJSON.count + template.head.utf8.count + script.utf8.count + style.utf8.count + 256)
        out.append(contentsOf: template.head.utf8)
        out.append(contentsOf: style.utf8)
        out.append(contentsOf: template.body.utf8)
        // JSON inside <script>: "<" is written as \u003c, so no "</script>" can end it early.
        for b in reportJSON {
            if b == UInt8(ascii: "<") { out.append(contentsOf: "\\u003c".utf8) } else { out.append(b) }
        }
        out.append(contentsOf: "</script>\n<script>\n".utf8)
        out.append(contentsOf: script.utf8)
        out.append(contentsOf: "</script>\n</body>\n</html>\n".utf8)
        return out
    }

    static let template = (
        head: """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
        <title>Review an import — Intake</title>
        <style>

        """,
        body: """
        </style>
        </head>
        <body>
        <header><h1 id="title">Review an import</h1><p id="subtitle"></p></header>
        <main>
        <section id="problems" aria-labelledby="problems-h"><h2 id="problems-h">What needs your decision</h2><ul id="reasons"></ul>
        <details><summary>Technical details</summary><ul id="messages"></ul></details></section>
        <section id="sheet-section" hidden><h2>Which sheet holds the data?</h2><div id="sheet-controls"></div></section>
        <section id="header-section" hidden><h2>Which row holds the column names?</h2><div id="header-controls"></div></section>
        <section id="mapping-section" hidden><h2>Which field does each column fill?</h2><div id="mapping-warnings"></div><div id="mapping-controls"></div></section>
        <section id="rows-section" hidden><h2>The rows</h2><p id="rows-note" class="note"></p>
        <div class="toolbar"><label><input type="checkbox" id="only-errors"> Only rows with errors</label>
        <button type="button" id="prev-error">◀ Previous error</button><button type="button" id="next-error">Next error ▶</button>
        <span id="error-position" class="note"></span></div>
        <div id="grid-wrap"><table id="grid"></table></div>
        <div class="toolbar" id="pager"></div>
        <div id="behavior"></div></section>
        <section id="save-section"><h2>Save your decisions</h2>
        <p>When you are done, save <code>resolution.json</code> and put it in this import's folder<span id="folder"></span>. Intake picks it up within seconds, imports the file again with your decisions, and moves the folder to <code>outbox/</code> (done), back to <code>review/</code> (something still needs you: this page will say what) or <code>failed/</code>.</p>
        <p><button type="button" id="save" class="primary">Save resolution.json</button> <a id="download" download="resolution.json" hidden>download again</a> <span id="save-status" class="note"></span></p>
        <p class="note">If your browser does not download it, copy this text into a file named <code>resolution.json</code> in the folder:</p>
        <textarea id="resolution-text" rows="8" readonly spellcheck="false"></textarea></section>
        </main>
        <script type="application/json" id="report">

        """
    )
}
