import Foundation

/// The call to action.
///
/// - `hook.missing` (error): the hook renders to nothing.
/// - `hook.link-count` (error): not exactly one link — one hook, one primary action.
/// - `hook.https` (error): the link is not an absolute `https://` URL.
/// - `hook.domain` (error): the link leaves the shop: its host is neither the shop's
///   (or a subdomain of it) nor in `shop.allowed_domains`.
enum HookRule {
    struct Domains: Sendable {
        var hosts: [String]

        init(config: WorkspaceConfig) {
            let shopHost = URL(string: config.shop.url)?.host?.lowercased()
            hosts = ([shopHost].compactMap { $0 } + config.shop.allowedDomains.map { $0.lowercased() })
        }

        func allows(_ host: String) -> Bool {
            let host = host.lowercased()
            return hosts.contains { host == $0 || host.hasSuffix("." + $0) }
        }
    }

    static func check(hookText: String, links: [String], domains: Domains) -> [Finding] {
        guard !WordCounter.isBlank(hookText) else {
            return [Finding(rule: "hook.missing", severity: .error, message: "the hook is empty for this recipient",
                            text: "", hint: "end with one link: [Reorder your beans](https://your-shop/…)")]
        }
        guard links.count == 1, let link = links.first else {
            return [Finding(rule: "hook.link-count", severity: .error,
                            message: "the hook has \(links.count) links; it needs exactly one",
                            text: links.joined(separator: " "),
                            hint: links.isEmpty ? "add one link to the shop: [text](https://…)"
                                : "keep the one action you want; move other links out or drop them")]
        }
        guard let url = URL(string: link), url.scheme == "https", let host = url.host, !host.isEmpty else {
            return [Finding(rule: "hook.https", severity: .error, message: "the call-to-action link is not an absolute https URL",
                            text: link, hint: "write the full address: https://your-shop/…")]
        }
        guard domains.allows(host) else {
            return [Finding(rule: "hook.domain", severity: .error, message: "the call to action leads to '\(host)', not the shop",
                            text: link, hint: "link to \(domains.hosts.first ?? "the shop") or add the host to shop.allowed_domains in hookline.yml")]
        }
        return []
    }
}
