/// The HTML parts of a dry run, `perPage` recipients to a page in the output's `html` folder.
///
/// A file per recipient doubled the files a preview creates, and creating a file is most of
/// what writing 100,000 messages costs the kernel. A page holds its messages as one script
/// object and shows the one named after `#` in a frame, so `index.html` links to
/// `html/<page>.html#<file name>` and a click within one page does not even reload it.
struct PreviewPage {
    static let perPage = 256

    private var bytes: [UInt8] = []
    private(set) var count = 0

    init() { start() }

    private mutating func start() {
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(Self.perPage * 6_000)
        bytes += Self.head.utf8
        count = 0
    }

    /// The page a recipient's HTML is on: run `run`, `position` within it.
    static func name(run: Int, position: Int) -> String { "\(run)-\(position / perPage)" }

    /// The link `index.html` gives a recipient.
    static func link(page: String, fileName: String) -> String { "html/\(page).html#\(fileName)" }

    /// Adds one message's HTML under `fileName` (see ``PreviewWriter/fileName(_:)``).
    mutating func add(fileName: String, html: [UInt8]) {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\n"))
        Self.appendString(fileName.utf8, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendString(html, to: &bytes)
        count += 1
    }

    /// The finished page; the builder starts the next one, reusing its buffer.
    mutating func finish() -> [UInt8] {
        bytes += Self.tail.utf8
        defer { start() }
        return bytes
    }

    /// A JavaScript string literal (JSON) of UTF-8 text. `<` is escaped too, so no message
    /// can end the script early with `</script>`. Written through a pointer: a message is a
    /// few kilobytes and a preview may hold a million of them.
    static func appendString<Text: Collection<UInt8>>(_ text: Text, to out: inout [UInt8]) {
        let escaped = [UInt8](unsafeUninitializedCapacity: text.count * 6 + 2) { buffer, written in
            let hex: StaticString = "0123456789abcdef"
            var n = 0
            func put(_ byte: UInt8) { buffer[n] = byte; n += 1 }
            put(UInt8(ascii: "\""))
            for byte in text {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    put(UInt8(ascii: "\\")); put(byte)
                case UInt8(ascii: "\n"):
                    put(UInt8(ascii: "\\")); put(UInt8(ascii: "n"))
                case 0..<0x20, UInt8(ascii: "<"):
                    put(UInt8(ascii: "\\")); put(UInt8(ascii: "u")); put(UInt8(ascii: "0")); put(UInt8(ascii: "0"))
                    put(hex.utf8Start[Int(byte >> 4)]); put(hex.utf8Start[Int(byte & 0xF)])
                default:
                    put(byte)
                }
            }
            put(UInt8(ascii: "\""))
            written = n
        }
        out += escaped
    }

    private static let head = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Message</title>
        <style>html,body{margin:0;height:100%}iframe{display:block;border:0;width:100%;height:100%}</style>
        </head><body><iframe id=message title="Message"></iframe>
        <script>
        const messages = {
        """

    private static let tail = """

        };
        function show() {
          const html = messages[decodeURIComponent(location.hash.slice(1))];
          document.getElementById("message").srcdoc = html ?? "<p>Choose a recipient in the list.</p>";
        }
        window.addEventListener("hashchange", show);
        show();
        </script></body></html>

        """
}
