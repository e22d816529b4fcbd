import Foundation

extension Schedule {
    /// The occurrence due for this customer at `now`, if any: the latest slot (or trigger
    /// date) at or before `now` and no older than the catch-up window. Its `dueAt` may lie
    /// after `now` when quiet hours move it; the ledger then keeps it planned until then.
    public func due(for customer: CustomerFeatures, now: Int64, context: ScheduleContext) -> Occurrence? {
        let local = localTime(for: customer, context: context)
        guard let (key, slot) = latestSlot(for: customer, atOrBefore: now, local: local, context: context),
              slot > now - catchUpSeconds else { return nil }
        return Occurrence(key: key, dueAt: quietHours?.adjust(slot, in: local) ?? slot)
    }

    /// The occurrence `hookline send` uses now: the trigger's order, the one-off date,
    /// or today's local date for a repeating slot (so a later `run` today will not repeat it).
    public func manualOccurrence(for customer: CustomerFeatures, now: Int64, context: ScheduleContext) -> Occurrence? {
        let local = localTime(for: customer, context: context)
        switch kind {
        case .afterLastOrder, .reorderDue:
            guard let order = customer.lastOrderId else { return nil }
            return Occurrence(key: "order:\(order)", dueAt: now)
        case .once(let year, let month, let day, _):
            return Occurrence(key: String(format: "%04d-%02d-%02d", year, month, day), dueAt: now)
        case .monthly:
            return Occurrence(key: String(local.parts(now).dateKey.prefix(7)), dueAt: now)
        case .daily, .weekly:
            return Occurrence(key: local.parts(now).dateKey, dueAt: now)
        }
    }

    /// Moves `instant` out of this schedule's quiet hours for this customer.
    public func adjustForQuietHours(_ instant: Int64, customer: CustomerFeatures, context: ScheduleContext) -> Int64 {
        guard let quietHours else { return instant }
        return quietHours.adjust(instant, in: localTime(for: customer, context: context))
    }

    func localTime(for customer: CustomerFeatures, context: ScheduleContext) -> LocalTime {
        let zone = timeZone.flatMap(TimeZone.init(identifier:))
            ?? customer.customer.timezone.flatMap(TimeZone.init(identifier:))
            ?? TimeZone(identifier: context.defaultTimeZone)
            ?? TimeZone(secondsFromGMT: 0)
        return LocalTime(timeZone: zone ?? .current)
    }

    private func latestSlot(for customer: CustomerFeatures, atOrBefore now: Int64, local: LocalTime,
                            context: ScheduleContext) -> (String, Int64)? {
        switch kind {
        case .once(let year, let month, let day, let minutes):
            guard let slot = local.instant(year: year, month: month, day: day, minutes: minutes), slot <= now else {
                return nil
            }
            return (String(format: "%04d-%02d-%02d", year, month, day), slot)
        case .daily(let minutes), .weekly(_, let minutes), .monthly(_, let minutes):
            // Walk back day by day from today; a month holds at most one slot of each kind.
            for back in 0...31 {
                let day = local.addingDays(-back, to: now)
                let parts = local.parts(day)
                switch kind {
                case .weekly(let weekday, _) where parts.weekday != weekday: continue
                case .monthly(let dayOfMonth, _) where parts.day != dayOfMonth: continue
                default: break
                }
                let slot = local.sameDay(day, minutes: minutes)
                guard slot <= now else { continue }
                if case .monthly = kind { return (String(parts.dateKey.prefix(7)), slot) }
                return (parts.dateKey, slot)
            }
            return nil
        case .afterLastOrder(let days):
            return triggerSlot(customer, afterDays: Double(days), local: local, now: now)
        case .reorderDue(let lead, let fallback):
            let interval = customer.medianDaysBetweenOrders
                ?? fallback.map(Double.init) ?? context.shopMedianReorderDays ?? 30
            return triggerSlot(customer, afterDays: max(1, interval - Double(lead)), local: local, now: now)
        }
    }

    /// The local `send_at` time on the day `afterDays` after the last order.
    private func triggerSlot(_ customer: CustomerFeatures, afterDays: Double, local: LocalTime,
                             now: Int64) -> (String, Int64)? {
        guard let orderAt = customer.lastOrderAt, let order = customer.lastOrderId else { return nil }
        let slot = local.sameDay(orderAt + Int64(afterDays * 86_400), minutes: sendAt)
        guard slot <= now else { return nil }
        return ("order:\(order)", slot)
    }
}
