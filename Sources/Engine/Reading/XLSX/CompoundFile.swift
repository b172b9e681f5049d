/// An OLE2 compound file ([MS-CFB]): the container of legacy `.xls` workbooks and of encrypted
/// (password-protected) `.xlsx` workbooks. Intake reads neither; it only lists the stream names
/// to tell the person which it is.
enum CompoundFile {
    static let magic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    /// The failure for an OLE2 file: password-protected workbook, legacy workbook, or another
    /// Office document.
    static func failure(_ source: any ByteSource) -> ImportFailure {
        let names = (try? streamNames(source)) ?? []
        if names.contains("EncryptionInfo") || names.contains("EncryptedPackage") {
            return ImportFailure(
                "UNREADABLE_FILE",
                "This workbook is password-protected (encrypted), so Intake cannot read it. Open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, then clear it), save it as .xlsx and drop it again."
            )
        }
        if names.isEmpty || names.contains("Workbook") || names.contains("Book") {
            return ImportFailure(
                "UNSUPPORTED_FORMAT",
                "This is a legacy Excel workbook (.xls), which Intake does not read. Open it in Excel or LibreOffice, save it as .xlsx or CSV (UTF-8), and drop that file instead."
            )
        }
        return ImportFailure(
            "UNSUPPORTED_FORMAT",
            "This is an old Microsoft Office document (OLE2), not a spreadsheet Intake reads. Intake reads .xlsx, CSV/TSV and JSON; save the data in one of those and drop it again."
        )
    }

    /// The names of the entries in the compound file's directory (bounded: at most 4,096
    /// directory sectors are followed).
    static func streamNames(_ source: any ByteSource) throws -> [String] {
        let header = try ZipArchive.read(source, at: 0, count: 512)
        guard header.starts(with: magic) else { return [] }
        let shift = Int(header.le16(0x1E))
        guard shift == 9 || shift == 12 else { return [] }
        let sectorSize = 1 << shift
        let perSector = sectorSize / 4
        var difat: [Int] = []
        for i in 0..<109 { difat.append(Int(header.le32(0x4C + i * 4))) }
        var fatCache: [Int: [UInt8]] = [:]
        func nextSector(_ sector: Int) throws -> Int {
            let fatIndex = sector / perSector
            guard fatIndex < difat.count, difat[fatIndex] < 0xFFFF_FFFA else { return -1 }
            if fatCache[fatIndex] == nil {
                fatCache[fatIndex] = try ZipArchive.read(source, at: (difat[fatIndex] + 1) * sectorSize, count: sectorSize)
            }
            let next = Int(fatCache[fatIndex]!.le32((sector % perSector) * 4))
            return next >= 0xFFFF_FFFA ? -1 : next
        }
        var names: [String] = []
        var sector = Int(header.le32(0x30))
        var visited = 0
        while sector >= 0 && sector < 0xFFFF_FFFA && visited < 4096 {
            let bytes = try ZipArchive.read(source, at: (sector + 1) * sectorSize, count: sectorSize)
            for e in stride(from: 0, to: sectorSize, by: 128) {
                let length = min(Int(bytes.le16(e + 0x40)), 64)
                guard length >= 2 else { continue }
                var units: [UInt16] = []
                for k in stride(from: 0, to: length - 2, by: 2) { units.append(bytes.le16(e + k)) }
                names.append(String(decoding: units, as: UTF16.self))
            }
            sector = try nextSector(sector)
            visited += 1
        }
        return names
    }
}
