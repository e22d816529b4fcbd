/// What the composer prepares once per campaign so that a preview of a million recipients
/// renders each message with a few copies: both parts as ``BodyProgram``s, the sender's
/// header fields encoded, and the values the content rules depend on.
struct BatchPlan: Sendable {
    var text: BodyProgram
    var html: BodyProgram
    var fromField: [UInt8]
    var replyToField: [UInt8]
    /// The per-recipient values printed or tested by subject, preheader, story, hook and
    /// footer text: everything the content rules see. Recipients with the same values get
    /// the same findings, so the rules run once per distinct set. Nil when a rule could see
    /// the unsubscribe URL, which differs for everyone.
    var keyVariables: [TemplateVariable]?
    var signer: CampaignSigner
    var unsubscribeBase: [UInt8]
    var unsubscribeMailtoPrefix: [UInt8]
    var messageIDDomain: [UInt8]
    /// The campaign's parts of Message-ID and List-Unsubscribe pass ``MIMEMessage``'s checks, so
    /// only the recipient's values are checked per message; false sends everyone down the general path.
    var headersSafe: Bool

    init(template: CompiledTemplate, layout: Layout, from: MIMEMessage.Mailbox, replyTo: MIMEMessage.Mailbox?,
         signer: CampaignSigner, unsubscribeBase: String, unsubscribeMailtoPrefix: String, messageIDDomain: String) {
        self.signer = signer
        self.unsubscribeBase = Array(unsubscribeBase.utf8)
        self.unsubscribeMailtoPrefix = Array(unsubscribeMailtoPrefix.utf8)
        self.messageIDDomain = Array(messageIDDomain.utf8)
        // The signer's keys and tokens are base64url, so these parts decide the whole fields.
        headersSafe = MIMEMessage.isUnsubscribeURL(unsubscribeBase) && MIMEMessage.isMessageID(("key@" + messageIDDomain).utf8)
            && ![unsubscribeBase, unsubscribeMailtoPrefix, messageIDDomain].contains(where: containsControl)
        let newline = BodyProgram.Source.text("\n\n")
        text = BodyProgram(BodyProgram.sources(template.story.text) + [newline] + BodyProgram.sources(template.hook.text)
                           + [.text("\n\n-- \n")] + BodyProgram.sources(template.footer.text) + [.text("\n")],
                           escapesHTML: false)
        html = BodyProgram(layout.pieces.flatMap { piece -> [BodyProgram.Source] in
            switch piece {
            case .text(let text): return [.text(text)]
            case .slot(.subject): return [.subject]
            case .slot(.preheader): return [.preheader]
            case .slot(.content): return BodyProgram.sources(template.story.html) + BodyProgram.sources(template.hook.html)
            case .slot(.footer): return BodyProgram.sources(template.footer.html)
            }
        }, escapesHTML: true)
        fromField = MIMEMessage.mailboxField("From", from)
        replyToField = replyTo.map { MIMEMessage.mailboxField("Reply-To", $0) } ?? []
        let seen = [template.subject, template.preheader, template.story.text, template.hook.text]
            .compactMap { $0 }.flatMap(\.variables) + template.hook.links.flatMap(\.variables)
        var unique: [TemplateVariable] = []
        for variable in seen + template.footer.text.variables where !variable.isConstant && !unique.contains(variable) {
            unique.append(variable)
        }
        // The footer prints the unsubscribe link, but no rule reads the footer's words.
        keyVariables = seen.contains(.unsubscribeURL) ? nil : unique.filter { $0 != .unsubscribeURL }
    }
}

/// The cached result of the content rules for one set of values.
struct CheckedContent {
    var subject: String
    var subjectField: [UInt8]
    var subjectHTML: [UInt8]
    var preheaderHTML: [UInt8]
    var words: Int
    var findings: [Finding]
    /// No value is missing or has a control character: the message can be built directly.
    var clean: Bool
}

extension Composer {
    /// One recipient as a preview lists it.
    struct Line {
        var subject: String
        var words: Int
        var findings: [Finding]
    }

    /// Renders one recipient's message as sent into `message` (left empty when it cannot be
    /// built) and, when `cache.keepsHTML`, the HTML part into `cache.html`. Findings and bytes
    /// are exactly those of ``render(_:date:cache:)``, which handles the unusual recipients.
    func render(_ c: CustomerFeatures, cache: RenderCache, into message: inout [UInt8]) -> Line {
        renderBatched(c, messageID: nil, cache: cache, into: &message) ?? renderOne(c, cache: cache, into: &message)
    }

    /// Appends the message as ``render(_:date:cache:)`` builds it, with `messageID` (`unique@domain`,
    /// as a ledger row names it) in place of the composer's own: what a send renders per recipient.
    /// False, with nothing appended, when this path cannot build it or a rule reports an error;
    /// ``render(_:date:cache:)`` then says why.
    func sendBytes(_ c: CustomerFeatures, messageID: String, cache: RenderCache, into message: inout [UInt8]) -> Bool {
        let id = messageID.utf8
        // MIMEMessage's checks of a Message-ID; the signer's keys pass them by construction.
        guard MIMEMessage.isMessageID(id), !containsControl(bytes: id), let at = id.firstIndex(of: 0x40) else { return false }
        cache.sendKey.removeAll(keepingCapacity: true)
        cache.sendKey += id
        let split = id.distance(from: id.startIndex, to: at)
        let start = message.count
        let explicit = (key: cache.sendKey[..<split], domain: cache.sendKey[(split + 1)...])
        guard let line = renderBatched(c, messageID: explicit, cache: cache, into: &message), !line.findings.hasErrors else {
            message.removeSubrange(start...)
            return false
        }
        return true
    }

    /// The batch path; nil, with nothing appended, for the recipients ``renderOne`` handles.
    /// `messageID` replaces the signer's key and the campaign's domain.
    private func renderBatched(_ c: CustomerFeatures, messageID: (key: ArraySlice<UInt8>, domain: ArraySlice<UInt8>)?,
                               cache: RenderCache, into message: inout [UInt8]) -> Line? {
        guard let keyVariables = batch.keyVariables, batch.headersSafe else { return nil }
        let id = c.customer.id
        cache.url.removeAll(keepingCapacity: true)
        cache.url += batch.unsubscribeBase
        let tokenStart = cache.url.count
        batch.signer.appendToken(customerID: id, into: &cache.url, scratch: &cache.scratch)
        let checked = cache.checked(key(keyVariables, c)) {
            let content = self.content(c, unsubscribeURL: String(decoding: cache.url, as: UTF8.self), cache: cache)
            var subjectHTML: [UInt8] = [], preheaderHTML: [UInt8] = []
            BodyProgram.appendEscapingHTML(content.subject, to: &subjectHTML)
            BodyProgram.appendEscapingHTML(content.preheader, to: &preheaderHTML)
            return CheckedContent(subject: content.subject, subjectField: MIMEMessage.subjectField(content.subject),
                                  subjectHTML: subjectHTML, preheaderHTML: preheaderHTML, words: content.words,
                                  findings: content.findings,
                                  clean: content.problems.isEmpty && !containsControl(content.subject))
        }
        let first = c.customer.firstName ?? "", last = c.customer.lastName ?? "", address = c.customer.email ?? ""
        cache.name.removeAll(keepingCapacity: true)
        cache.name += first.utf8
        if !first.isEmpty && !last.isEmpty { cache.name.append(0x20) }
        cache.name += last.utf8
        // What MIMEMessage checks of the recipient; the rest was checked once for the campaign.
        guard checked.clean, !containsControl(bytes: cache.name), !containsControl(address), EmailAddress.isValid(address)
        else { return nil }
        cache.mailto.removeAll(keepingCapacity: true)
        cache.mailto += batch.unsubscribeMailtoPrefix
        cache.mailto += cache.url[tokenStart...]
        let messageKey: ArraySlice<UInt8>, messageDomain: ArraySlice<UInt8>
        if let messageID {
            (messageKey, messageDomain) = messageID
        } else {
            cache.messageKey.removeAll(keepingCapacity: true)
            batch.signer.appendMessageKey(customerID: id, at: c.now, into: &cache.messageKey, scratch: &cache.scratch)
            (messageKey, messageDomain) = (cache.messageKey[...], batch.messageIDDomain[...])
        }
        let headers = BatchHeaders.Message(
            from: batch.fromField, replyTo: batch.replyToField, subject: checked.subjectField, date: cache.dateField(c.now),
            toName: cache.name, toNameTokens: cache.displayName(cache.name), toAddress: address,
            messageKey: messageKey, messageDomain: messageDomain,
            unsubscribeURL: cache.url[...], unsubscribeMailto: cache.mailto[...])
        BatchHeaders.append(
            headers, into: &message,
            text: { out in
                cache.buffers.keepRaw = false
                batch.text.render(c, unsubscribeURL: cache.url, subject: [], preheader: [], into: &out, buffers: &cache.buffers)
            },
            html: { out in
                cache.buffers.keepRaw = cache.keepsHTML
                batch.html.render(c, unsubscribeURL: cache.url, subject: checked.subjectHTML,
                                  preheader: checked.preheaderHTML, into: &out, buffers: &cache.buffers)
                if cache.keepsHTML { swap(&cache.html, &cache.buffers.raw) }
            })
        return Line(subject: checked.subject, words: checked.words, findings: checked.findings)
    }

    /// The general path, for recipients with a problem or when the rules depend on everything.
    private func renderOne(_ c: CustomerFeatures, cache: RenderCache, into message: inout [UInt8]) -> Line {
        let rendered = render(c, cache: cache)
        if let mime = rendered.message { message += mime.bytes() }
        if cache.keepsHTML { cache.html = Array(rendered.html.utf8) }
        return Line(subject: rendered.subject, words: rendered.words, findings: rendered.findings)
    }

    /// The values as one string, each prefixed by its length so that no two sets collide.
    private func key(_ variables: [TemplateVariable], _ c: CustomerFeatures) -> String {
        if variables.count == 1 { return variables[0].value(for: c, unsubscribeURL: "") ?? "" }
        var key = ""
        for variable in variables {
            let value = variable.value(for: c, unsubscribeURL: "") ?? ""
            key += String(value.utf8.count)
            key += ":"
            key += value
        }
        return key
    }
}
