// Prints, per language given, the names of regions, languages and time zones in that language
// (CLDR, through Foundation): proper nouns for generate_models.py to learn letter pairs from.
// Development time only:  swiftc -O scripts/encodings/cldr_names.swift -o /tmp/cldr_names
import Foundation
let langs = CommandLine.arguments.dropFirst()
for l in langs {
    let loc = Locale(identifier: l)
    var words: [String] = []
    for r in Locale.Region.isoRegions { if let s = loc.localizedString(forRegionCode: r.identifier) { words.append(s) } }
    for c in Locale.LanguageCode.isoLanguageCodes { if let s = loc.localizedString(forLanguageCode: c.identifier) { words.append(s) } }
    for z in TimeZone.knownTimeZoneIdentifiers { if let s = TimeZone(identifier: z)?.localizedName(for: .generic, locale: loc) { words.append(s) } }
    print(l + "\t" + words.joined(separator: " | "))
}
