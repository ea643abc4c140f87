import CLinuxShim
import Glibc

/// Pins threads to CPUs, from lists written the way `taskset -c` and systemd's `CPUAffinity=` do.
public enum CPUAffinity {
    /// Why a CPU list could not be used.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text is not a list like "0,2-3".
        case invalidList(String)
        /// The kernel refused the set (EINVAL: none of the CPUs is online or allowed).
        case pinningFailed([Int], Errno)

        /// One line for the operator.
        public var description: String {
            switch self {
            case .invalidList(let text):
                return "'\(text)' is not a CPU list: write CPU numbers and ranges like 0,2-3"
            case .pinningFailed(let cpus, let error):
                let list = cpus.map(String.init).joined(separator: ",")
                return "cannot pin to CPUs \(list) (\(error)): check the online CPUs with `lscpu`"
            }
        }
    }

    /// The highest CPU number accepted.
    public static let maximumCPU = 1023

    /// Parses "0,2-3" into [0, 2, 3]: comma-separated numbers and inclusive ranges, spaces allowed,
    /// sorted without duplicates.
    public static func parse(_ text: String) throws(Failure) -> [Int] {
        var cpus = Set<Int>()
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        for item in items {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map {
                $0.trimmingSpaces()
            }
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]),
                bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
                low <= high, high <= maximumCPU
            else { throw .invalidList(text) }
            cpus.formUnion(low...high)
        }
        return cpus.sorted()
    }

    /// Pins the calling thread to `cpus`.
    public static func pinCurrentThread(to cpus: [Int]) throws(Failure) {
        guard !cpus.isEmpty, cpus.allSatisfy({ (0...maximumCPU).contains($0) }) else {
            throw .pinningFailed(cpus, Errno.invalidArgument)
        }
        let values = cpus.map { Int32($0) }
        let error = values.withUnsafeBufferPointer { cls_pin_current_thread($0.baseAddress, Int32($0.count)) }
        guard error == 0 else { throw .pinningFailed(cpus, Errno(rawValue: error)) }
    }

    /// Parses `list` and pins the calling thread to it.
    public static func pinCurrentThread(toList list: String) throws(Failure) {
        try pinCurrentThread(to: parse(list))
    }

    /// The CPUs the calling thread may run on.
    public static func currentThreadCPUs() -> [Int] {
        var cpus = [Int32](repeating: 0, count: maximumCPU + 1)
        let count = cpus.withUnsafeMutableBufferPointer { cls_current_thread_cpus($0.baseAddress, Int32($0.count)) }
        return count > 0 ? cpus[0..<Int(count)].map { Int($0) } : []
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " { result.removeFirst() }
        while result.last == " " { result.removeLast() }
        return result
    }
}
