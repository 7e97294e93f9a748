/// One slice's memory over a window as an inline SVG: usage (line over a light area), working set
/// (line) and the limit (dashed step line, with its value), on a byte axis against time back from now.
/// Pure text; no scripts, no external references.
public struct SVGChart: Sendable {
    /// Drawing size in SVG user units (the page scales it with `width="100%"`).
    public var width: Double = 440
    public var height: Double = 230
    /// Plot margins: room for the axis labels.
    public var marginLeft: Double = 62
    public var marginRight: Double = 14
    public var marginTop: Double = 14
    public var marginBottom: Double = 26

    /// The history to draw.
    public var history: HistoryQueryResult
    /// The right edge of the window, Unix seconds.
    public var nowSeconds: Int64

    public init(history: HistoryQueryResult, nowSeconds: Int64) {
        self.history = history
        self.nowSeconds = nowSeconds
    }

    private var plotWidth: Double { width - marginLeft - marginRight }
    private var plotHeight: Double { height - marginTop - marginBottom }
    private var windowStart: Int64 { nowSeconds - max(history.windowSeconds, 60) }

    /// The highest value the y axis must show: the largest usage (bucket maximum when downsampled),
    /// working set and limit in the window.
    public var maximumValue: Double {
        var top: UInt64 = 0
        for point in history.points {
            top = max(top, point.usageMaxBytes ?? point.usageBytes, point.workingSetMaxBytes ?? point.workingSetBytes, point.limitBytes ?? 0)
        }
        return Double(top)
    }

    /// The y axis ticks (the last is the top of the plot).
    public var yTicks: [ChartAxis.Tick] { ChartAxis.byteTicks(maximum: maximumValue * 1.04) }

    /// The x coordinate of a time.
    public func x(_ seconds: Int64) -> Double {
        let span = Double(max(nowSeconds - windowStart, 1))
        let clamped = min(max(seconds, windowStart), nowSeconds)
        return marginLeft + Double(clamped - windowStart) / span * plotWidth
    }

    /// The y coordinate of a byte value.
    public func y(_ bytes: Double) -> Double {
        let top = yTicks.last?.value ?? 1
        return marginTop + plotHeight - min(bytes / max(top, 1), 1) * plotHeight
    }

    /// The SVG element; `title` becomes its accessible name.
    public func svg(title: String) -> String {
        var out = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"100%\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
        out += "<title>\(HTMLText.escape(title))</title>"
        out += grid()
        let segments = self.segments()
        for segment in segments {
            out += "<path class=\"usage-area\" d=\"\(area(segment))\"/>"
        }
        for segment in segments {
            out += "<path class=\"usage\" d=\"\(line(segment, \.usageBytes))\"/>"
            out += "<path class=\"working-set\" d=\"\(line(segment, \.workingSetBytes))\"/>"
            if segment.count == 1, let only = segment.first {
                out += "<circle class=\"usage-dot\" cx=\"\(n(x(only.timestamp)))\" cy=\"\(n(y(Double(only.usageBytes))))\" r=\"2.5\"/>"
            }
        }
        out += limitLine()
        out += "</svg>"
        return out
    }

    /// Horizontal grid lines with byte labels, vertical ticks with time labels, the plot frame.
    private func grid() -> String {
        var out = "<g class=\"axis y-axis\">"
        for tick in yTicks {
            let yy = n(y(tick.value))
            out += "<line class=\"grid\" x1=\"\(n(marginLeft))\" y1=\"\(yy)\" x2=\"\(n(width - marginRight))\" y2=\"\(yy)\"/>"
            out += "<text class=\"y-label\" x=\"\(n(marginLeft - 6))\" y=\"\(yy)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(HTMLText.escape(tick.label))</text>"
        }
        out += "</g><g class=\"axis x-axis\">"
        let base = n(marginTop + plotHeight)
        for tick in ChartAxis.timeTicks(windowSeconds: nowSeconds - windowStart) {
            let xx = n(x(nowSeconds - Int64(tick.value)))
            out += "<line class=\"tick\" x1=\"\(xx)\" y1=\"\(base)\" x2=\"\(xx)\" y2=\"\(n(marginTop + plotHeight + 4))\"/>"
            let anchor = tick.value == 0 ? "end" : "middle"
            out += "<text class=\"x-label\" x=\"\(xx)\" y=\"\(n(height - 6))\" text-anchor=\"\(anchor)\">\(tick.label)</text>"
        }
        out += "</g>"
        out += "<rect class=\"frame\" x=\"\(n(marginLeft))\" y=\"\(n(marginTop))\" width=\"\(n(plotWidth))\" height=\"\(n(plotHeight))\"/>"
        return out
    }

    /// Runs of points without gaps (a gap is more than three steps, and at least 30 s, without a point).
    func segments() -> [[HistoryQueryPoint]] {
        let gap = max(3 * history.resolutionSeconds, 30)
        var result: [[HistoryQueryPoint]] = []
        var current: [HistoryQueryPoint] = []
        for point in history.points where point.timestamp >= windowStart && point.timestamp <= nowSeconds {
            if let last = current.last, point.timestamp - last.timestamp > gap {
                result.append(current)
                current = []
            }
            current.append(point)
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    private func line(_ points: [HistoryQueryPoint], _ value: KeyPath<HistoryQueryPoint, UInt64>) -> String {
        var d = ""
        for (index, point) in points.enumerated() {
            d += (index == 0 ? "M" : " L") + n(x(point.timestamp)) + "," + n(y(Double(point[keyPath: value])))
        }
        return d
    }

    private func area(_ points: [HistoryQueryPoint]) -> String {
        guard let first = points.first, let last = points.last else { return "" }
        let base = n(marginTop + plotHeight)
        var d = "M" + n(x(first.timestamp)) + "," + base
        for point in points { d += " L" + n(x(point.timestamp)) + "," + n(y(Double(point.usageBytes))) }
        return d + " L" + n(x(last.timestamp)) + "," + base + " Z"
    }

    /// The limit as a dashed step line over the points that have one, labelled with the latest limit.
    private func limitLine() -> String {
        var d = ""
        var previous: (x: Double, y: Double)?
        var latest: UInt64?
        for point in history.points where point.timestamp >= windowStart && point.timestamp <= nowSeconds {
            guard let limit = point.limitBytes else {
                previous = nil
                latest = nil
                continue
            }
            let px = x(point.timestamp), py = y(Double(limit))
            if let previous {
                if previous.y != py { d += " L" + n(px) + "," + n(previous.y) }
                d += " L" + n(px) + "," + n(py)
            } else {
                d += (d.isEmpty ? "M" : " M") + n(px) + "," + n(py)
            }
            previous = (px, py)
            latest = limit
        }
        guard !d.isEmpty else { return "" }
        if let end = previous {
            // The latest limit still holds: carry it to the right edge (at least a short stub).
            let edge = max(x(nowSeconds), end.x + 6)
            d += " L" + n(min(edge, width - marginRight)) + "," + n(end.y)
        }
        var out = "<path class=\"limit\" d=\"\(d)\"/>"
        if let latest, let end = previous {
            let text = "limit " + MemoryText.bytes(Int64(clamping: latest))
            let labelY = end.y < marginTop + 14 ? end.y + 12 : end.y - 5
            out += "<text class=\"limit-label\" x=\"\(n(width - marginRight - 4))\" y=\"\(n(labelY))\" text-anchor=\"end\">\(HTMLText.escape(text))</text>"
        }
        return out
    }

    /// A coordinate with at most one decimal.
    private func n(_ value: Double) -> String { MemoryText.plainNumber(value) }
}
