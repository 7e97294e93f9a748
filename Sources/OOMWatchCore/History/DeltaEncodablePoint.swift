/// A history point a `DeltaRing` can store: a time offset and a fixed number of UInt32 fields, each
/// kept as the difference from the same field of the point before it.
public protocol DeltaEncodablePoint: Sendable, Hashable {
    /// Number of fields besides the offset.
    static var fieldCount: Int { get }
    /// Seconds since the store epoch.
    var offset: UInt32 { get }
    /// Field `index`, `0 ..< fieldCount`.
    func field(_ index: Int) -> UInt32
    /// The point with this offset whose field `i` is `field(i)`.
    init(offset: UInt32, field: (Int) -> UInt32)
}

extension FullResolutionPoint: DeltaEncodablePoint {
    public static var fieldCount: Int { 2 }

    public func field(_ index: Int) -> UInt32 { index == 0 ? usage : workingSet }

    public init(offset: UInt32, field: (Int) -> UInt32) {
        self.init(offset: offset, usage: field(0), workingSet: field(1))
    }
}

extension DownsampledPoint: DeltaEncodablePoint {
    public static var fieldCount: Int { 6 }

    public func field(_ index: Int) -> UInt32 {
        switch index {
        case 0: return usageMin
        case 1: return usageAvg
        case 2: return usageMax
        case 3: return workingSetMin
        case 4: return workingSetAvg
        default: return workingSetMax
        }
    }

    public init(offset: UInt32, field: (Int) -> UInt32) {
        self.init(
            offset: offset, usageMin: field(0), usageAvg: field(1), usageMax: field(2),
            workingSetMin: field(3), workingSetAvg: field(4), workingSetMax: field(5))
    }
}
