import Engine

/// Where an import's schema comes from (contract §2, §2a): a saved schema `schemas/<id>.json`
/// under the root, a file named on the command line, or a sidecar (a saved or inline schema with
/// its settings and hooks laid over). One place, so each failure has one message.
public struct SchemaSource: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// `schemas/<id>.json`.
    public func saved(_ id: String) -> Result<Schema, ImportFailure> {
        savedJSON(id).flatMap { Self.load($0, from: "schemas/\(id).json") }
    }

    /// A schema file given by its path (`intake import --schema-file`).
    public static func file(_ path: String) -> Result<Schema, ImportFailure> {
        read(path, named: path).flatMap { load($0, from: path) }
    }

    /// A sidecar's schema: the saved one it names or its inline fields, with its overrides.
    public func sidecar(_ sidecar: Sidecar) -> Result<Schema, ImportFailure> {
        sidecar.schemaJSON(saved: savedJSON).flatMap {
            Self.load($0, from: sidecar.schema.savedID.map { "schemas/\($0).json with the sidecar's settings" } ?? "the sidecar's schema")
        }
    }

    private func savedJSON(_ id: String) -> Result<JSONValue, ImportFailure> {
        guard InboxRules.isBareName(id) else {
            return .failure(
                ImportFailure("SCHEMA_NOT_FOUND", "'\(id)' is not a schema id: ids are plain names of files in schemas/ (without .json)."))
        }
        let path = "\(root)/schemas/\(id).json"
        guard Paths.exists(path) else {
            return .failure(
                ImportFailure(
                    "SCHEMA_NOT_FOUND", "No schema '\(id)': schemas/\(id).json does not exist. Add the schema or name another one."))
        }
        return Self.read(path, named: "schemas/\(id).json")
    }

    private static func read(_ path: String, named name: String) -> Result<JSONValue, ImportFailure> {
        let bytes: [UInt8]
        do { bytes = try Paths.readFile(path) } catch {
            return .failure(ImportFailure("SCHEMA_NOT_FOUND", "The schema \(name) cannot be read: \(error)."))
        }
        do { return .success(try JSONParser.parse(bytes)) } catch {
            return .failure(ImportFailure("INVALID_SCHEMA", "\(name): not valid JSON (\(error)). Fix the schema and drop the file again."))
        }
    }

    private static func load(_ json: JSONValue, from name: String) -> Result<Schema, ImportFailure> {
        let report = SchemaLoader.load(json)
        if let schema = report.schema { return .success(schema) }
        return .failure(ImportFailure("INVALID_SCHEMA", "\(name): \(report.message)"))
    }
}
