import CCurl
import Testing

@Suite("libcurl is linked")
struct CurlLinkTests {
    @Test("the linked libcurl speaks SMTP and SMTPS with TLS")
    func versionInfo() throws {
        let info = try #require(hl_version_info())
        let version = String(cString: info.pointee.version)
        #expect(info.pointee.version_num >= 0x074400, "libcurl \(version) is older than 7.68")
        var protocols: [String] = []
        var cursor = info.pointee.protocols
        while let name = cursor?.pointee {
            protocols.append(String(cString: name))
            cursor = cursor?.advanced(by: 1)
        }
        #expect(protocols.contains("smtp") && protocols.contains("smtps"))
        #expect(info.pointee.features & CURL_VERSION_SSL != 0)
    }
}
