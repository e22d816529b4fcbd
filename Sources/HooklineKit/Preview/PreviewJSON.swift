/// The preview's JSON, written as the recipients stream by:
/// `{"audience", "campaign", "recipients": [{"customer_id", "email", "findings": [{"message",
/// "rule", "severity"}], "subject", "words"}], "skipped": [{"customer_id", "reason"}]}`.
///
/// Byte for byte what `JSONEncoder` writes with `.prettyPrinted`, `.sortedKeys` and
/// `.withoutEscapingSlashes` (the format of every other command's `--json`), without holding
/// a million rows to hand it.
public enum PreviewJSON {
    /// Everything before the first recipient.
    public static func head(campaign: String, audience: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: "{\n  \"audience\" : \(audience),\n  \"campaign\" : ".utf8)
        string(campaign, into: &out)
        out.append(contentsOf: ",\n  \"recipients\" : [".utf8)
        return out
    }

    /// One recipient; `first` for the first one of the list.
    public static func recipient(_ r: PreviewReport.Recipient, first: Bool, into out: inout [UInt8]) {
        out.append(contentsOf: (first ? "\n    {\n      \"customer_id\" : " : ",\n    {\n      \"customer_id\" : ").utf8)
        string(r.customerID, into: &out)
        out.append(contentsOf: ",\n      \"email\" : ".utf8)
        string(r.email, into: &out)
        out.append(contentsOf: ",\n      \"findings\" : [".utf8)
        for (index, finding) in r.findings.enumerated() {
            out.append(contentsOf: (index == 0 ? "\n        {\n          \"message\" : " : ",\n        {\n          \"message\" : ").utf8)
            string(finding.message, into: &out)
            out.append(contentsOf: ",\n          \"rule\" : ".utf8)
            string(finding.rule, into: &out)
            out.append(contentsOf: ",\n          \"severity\" : ".utf8)
            string(finding.severity.rawValue, into: &out)
            out.append(contentsOf: "\n        }".utf8)
        }
        out.append(contentsOf: (r.findings.isEmpty ? "\n\n      ],\n      \"subject\" : " : "\n      ],\n      \"subject\" : ").utf8)
        string(r.subject, into: &out)
        out.append(contentsOf: ",\n      \"words\" : \(r.words)\n    }".utf8)
    }

    /// Everything after the last recipient; `recipients` is how many there were.
    public static func tail(recipients: Int, skipped: [PreviewReport.Skipped]) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: (recipients == 0 ? "\n\n  ],\n  \"skipped\" : [" : "\n  ],\n  \"skipped\" : [").utf8)
        for (index, s) in skipped.enumerated() {
            out.append(contentsOf: (index == 0 ? "\n    {\n      \"customer_id\" : " : ",\n    {\n      \"customer_id\" : ").utf8)
            string(s.customerID, into: &out)
            out.append(contentsOf: ",\n      \"reason\" : ".utf8)
            string(s.reason, into: &out)
            out.append(contentsOf: "\n    }".utf8)
        }
        out.append(contentsOf: (skipped.isEmpty ? "\n\n  ]\n}\n" : "\n  ]\n}\n").utf8)
        return out
    }

    /// A JSON string as JSONEncoder escapes it: quote, backslash and C0 controls only.
    static func string(_ text: String, into out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, 0x62])
            case 0x0C: out.append(contentsOf: [0x5C, 0x66])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20: out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}
