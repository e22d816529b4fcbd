import Foundation
import HooklineKit
import Testing

@Suite struct ScheduleTests {
    let monday = PlanFixtures.start  // 2026-11-02T00:00Z

    @Test func weeklySlotInTheRecipientsTimeZone() throws {
        let schedule = try Schedule(yaml: PlanFixtures.yaml("every: monday 09:00"))
        let now = monday + 9 * 3600 + 600  // 09:10 UTC = 10:10 Berlin, 04:10 New York
        let berlin = PlanFixtures.customer("b", timezone: "Europe/Berlin", now: now)
        let newYork = PlanFixtures.customer("n", timezone: "America/New_York", now: now)
        let due = schedule.due(for: berlin, now: now, context: ScheduleContext())
        #expect(due == Occurrence(key: "2026-11-02", dueAt: monday + 8 * 3600))
        // Not yet Monday 09:00 in New York: the latest slot is last week's, outside the catch-up window.
        #expect(schedule.due(for: newYork, now: now, context: ScheduleContext()) == nil)
    }

    @Test func afterLastOrderIsKeyedByTheOrder() throws {
        let schedule = try Schedule(yaml: PlanFixtures.yaml("{after_last_order: {days: 25}, send_at: '10:00'}"))
        let order = monday - 25 * 86_400 + 3600
        let now = monday + 11 * 3600
        let customer = PlanFixtures.customer("c", orders: [order], now: now)
        #expect(schedule.due(for: customer, now: now, context: ScheduleContext())
            == Occurrence(key: "order:c-o0", dueAt: monday + 10 * 3600))
    }

    @Test func reorderDueFallsBackForOneOrderCustomers() throws {
        let schedule = try Schedule(yaml: PlanFixtures.yaml("reorder_due: {lead_days: 3}"))
        let now = monday + 11 * 3600
        let oneOrder = PlanFixtures.customer("c", orders: [monday - 27 * 86_400], now: now)
        #expect(schedule.due(for: oneOrder, now: now, context: ScheduleContext())?.key == "order:c-o0")
        let shopMedian = ScheduleContext(shopMedianReorderDays: 60)
        #expect(schedule.due(for: oneOrder, now: now, context: shopMedian) == nil)
        let rhythm = PlanFixtures.customer("r", orders: [monday - 20 * 86_400, monday - 10 * 86_400], now: now)
        #expect(schedule.due(for: rhythm, now: now, context: shopMedian)?.key == "order:r-o1")
    }

    @Test func quietHoursMoveASendToTheirEnd() throws {
        let schedule = try Schedule(yaml: PlanFixtures.yaml("{every: day 22:30, timezone: UTC, quiet_hours: '21:00-08:00'}"))
        let now = monday + 23 * 3600
        let due = schedule.due(for: PlanFixtures.customer("c", now: now), now: now, context: ScheduleContext())
        #expect(due?.dueAt == monday + 32 * 3600)
    }

    @Test(arguments: [
        ("every: fortnight 09:00", "is not a repeating slot"),
        ("at: 2026-13-01T09:00", "is not a local date and time"),
        ("{every: day 09:00, at: 2026-12-01T09:00}", "give only one of"),
        ("after_last_order: {dayz: 3}", "unknown key 'dayz'"),
        ("{every: day 09:00, timezone: Mars/Base}", "unknown time zone"),
        ("{every: month 31 10:00}", "day of month must be 1 to 28"),
    ])
    func badSchedulesNameTheProblem(text: String, message: String) throws {
        #expect {
            try Schedule(yaml: PlanFixtures.yaml(text))
        } throws: { error in
            "\(error)".contains(message) && "\(error)".hasPrefix("campaigns/test.yml:")
        }
    }

    @Test func smtpSettingsRefuseInlinePasswordsAndInsecureRemoteHosts() throws {
        let root = URL(fileURLWithPath: "/tmp")
        #expect(throws: InputError.self) {
            try SMTPSettings(yaml: PlanFixtures.yaml("{url: 'smtp://mail.example.com:587', username: u, password: x}"), root: root)
        }
        #expect(throws: InputError.self) {
            try SMTPSettings(yaml: PlanFixtures.yaml("{url: 'smtp://mail.example.com:587', insecure_skip_verify: true}"), root: root)
        }
        let settings = try SMTPSettings(yaml: PlanFixtures.yaml(
            "{url: 'smtp://mail.example.com:587', username: u, password_env: HL_PW, rate: 600/minute}"), root: root)
        #expect(settings.security == .starttls && settings.rate?.interval == 0.1)
        #expect(try settings.password(environment: ["HL_PW": "pw"]) == "pw")
        #expect(throws: InputError.self) { try settings.password(environment: [:]) }
    }
}
