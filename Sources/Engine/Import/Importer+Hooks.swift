extension Importer {
    /// The hook stage of an import whose schema has hooks, with its column hooks already run
    /// (they need the whole column: one pass over the file gathers it).
    static func makeHookStage(
        _ request: ImportRequest, plans: [FieldPlan], headerRecord: Int, decisions: SourceDecisions,
        source: any ByteSource
    ) throws -> HookStage? {
        let hooks = request.schema.hooks
        guard !hooks.isEmpty else { return nil }
        guard let runner = request.hookRunner else {
            throw ImportFailure(
                "HOOK_FAILED",
                "The schema has hooks, but this import was started without a way to run them. Run it with intake watch or intake import.")
        }
        let stage = HookStage(
            hooks: hooks, runner: runner, timeout: request.schema.settings.hookTimeoutSeconds,
            fields: request.schema.fields, columns: plans.map(\.column),
            manyColumns: Dictionary(uniqueKeysWithValues: plans.indices.filter { plans[$0].manyToOne }.map { ($0, plans[$0].columns) }),
            headerRecord: headerRecord)
        guard !hooks.columnHooks.isEmpty else { return stage }
        var wanted: [Int: Int] = [:]
        for hook in hooks.columnHooks {
            if let f = plans.firstIndex(where: { $0.field.key == hook.fieldName }), let c = plans[f].column { wanted[f] = c }
        }
        var values: [Int: [String]] = [:]
        _ = try decisions.forEachBatch(source, limits: request.limits, restart: { values = [:] }) { batch in
            for r in 0..<batch.count where batch.rowRecords[r] > headerRecord && !batch.isBlank(row: r) {
                for (f, c) in wanted { values[f, default: []].append(batch.string(row: r, column: c)) }
            }
        }
        try stage.runColumnHooks(values)
        return stage
    }

    /// Runs `beforeFinish` on the written result; returns its message when it sends the import
    /// to review (the result files are then taken away).
    static func runBeforeFinish(
        _ stage: HookStage, request: ImportRequest, totals: ResultWriter.Totals, blocked: Bool,
        workspace: any Workspace
    ) throws -> String? {
        guard request.schema.hooks.beforeFinish != nil, !(blocked && totals.invalid > 0) else { return nil }
        let data = try workspace.openResult("results.json").readAll()
        let metadata: JSONValue = [
            "id": .string(request.id), "filename": .string(request.filename),
            "importIdentifier": .string(request.schema.settings.importIdentifier), "import_metadata": request.importMetadata,
            "totalRows": .number(totals.rows), "validRows": .number(totals.valid), "invalidRows": .number(totals.invalid),
            "rowsWithError": .array(totals.rowsWithError.map { .number($0) }),
        ]
        guard let message = try stage.beforeFinish(data: data, metadata: metadata) else { return nil }
        for name in ["results.json", "results.ndjson", "results.csv", "rejected.csv"] { workspace.remove(name) }
        return message
    }
}
