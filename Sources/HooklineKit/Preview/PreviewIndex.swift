/// `index.html` of a preview folder: the summary, a recipients table (subject, words,
/// findings) and a pane that shows the selected message's HTML. Rows are made as recipients
/// are rendered (``PreviewWriter`` keeps them in files by rank), the page around them at the end.
enum PreviewIndex {
    /// Recipients with errors first, then warnings: what needs a look comes first.
    static func rank(_ r: PreviewReport.Recipient) -> Int {
        r.findings.hasErrors ? 2 : r.findings.isEmpty ? 0 : 1
    }

    private static func e(_ text: String) -> String { CompiledPart.escape(text, .html) }

    /// A recipient's row; `link` shows its HTML (see ``PreviewPage``).
    static func row(_ r: PreviewReport.Recipient, link: String) -> [UInt8] {
        let file = PreviewWriter.fileName(r.customerID)
        let findings = r.findings.isEmpty ? "<span class=ok>ok</span>" : r.findings.map {
            "<span class=\($0.severity.rawValue) title=\"\(e($0.message))\">\(e($0.rule))</span>"
        }.joined(separator: " ")
        return Array(("<tr><td><a href=\"\(link)\" target=view>\(e(r.customerID))</a></td><td class=email>\(e(r.email))</td>"
            + "<td>\(e(r.subject))</td><td class=num>\(r.words)</td><td>\(findings)</td>"
            + "<td><a href=\"\(file).eml\">.eml</a></td></tr>\n").utf8)
    }

    /// The page before and after the rows; `first` is the link to the message shown at first.
    static func page(_ report: PreviewReport, first: String?) -> (head: String, tail: String) {
        var groups = ""
        for g in report.groups {
            groups += "<li class=\(g.severity.rawValue)><b>\(g.count) recipient\(g.count == 1 ? "" : "s")</b>: "
                + "\(e(g.example.message)) <i>— \(e(g.example.hint))</i> <code>\(e(g.rule))</code></li>\n"
        }
        var skipped: [String: Int] = [:]
        for s in report.skipped { skipped[s.reason, default: 0] += 1 }
        let skippedText = skipped.sorted { $0.value > $1.value }.map { "\($0.value) \(e($0.key))" }.joined(separator: ", ")
        let firstPage = first ?? "about:blank"
        let head = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Preview: \(e(report.campaign))</title>
        <style>
        body{margin:0;font:14px/1.4 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;display:flex;height:100vh}
        #list{flex:1 1 62%;overflow:auto;padding:16px 20px;border-right:1px solid #ddd}
        #pane{flex:1 1 38%;min-width:420px;display:flex;flex-direction:column}
        iframe{flex:1;border:0;width:100%}
        h1{font-size:20px;margin:0 0 4px} .meta{color:#666;margin-bottom:12px}
        table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eee;vertical-align:top}
        td.email{font-size:12px;color:#555;word-break:break-all} th{position:sticky;top:0;background:#fafafa} .num{text-align:right}
        span.error,li.error{color:#b00020} span.warning,li.warning{color:#a15c00} span.ok{color:#2e7d32}
        span.error,span.warning{font-size:12px;border:1px solid currentColor;border-radius:3px;padding:0 3px}
        ul{padding-left:18px} code{color:#555}
        </style></head><body>
        <div id=list>
        <h1>Preview: \(e(report.campaign))</h1>
        <div class=meta>\(report.audience) recipients · \(report.skipped.count) skipped\(skippedText.isEmpty ? "" : " (\(skippedText))") · nothing was sent</div>
        \(groups.isEmpty ? "<p class=meta>No findings.</p>" : "<ul>\(groups)</ul>")
        <table><thead><tr><th>Customer</th><th>Email</th><th>Subject</th><th class=num>Words</th><th>Findings</th><th></th></tr></thead>
        <tbody>

        """
        let tail = """
        </tbody></table>
        </div>
        <div id=pane><iframe name=view src="\(firstPage)" title="Message"></iframe></div>
        </body></html>

        """
        return (head, tail)
    }
}
