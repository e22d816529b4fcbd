import Foundation

/// Phase timings on standard error when `HOOKLINE_TRACE` is set: wall time and the
/// calling thread's CPU time, which stays meaningful when other work shares the cores.
enum Trace {
    static let enabled = ProcessInfo.processInfo.environment["HOOKLINE_TRACE"] != nil

    static func phase<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
        guard enabled else { return try body() }
        let wall = DispatchTime.now().uptimeNanoseconds, cpu = threadCPU()
        defer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9
            let line = String(format: "trace: %@ %.2f s wall, %.2f s cpu\n", name, seconds, threadCPU() - cpu)
            FileHandle.standardError.write(Data(line.utf8))
        }
        return try body()
    }

    static func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
