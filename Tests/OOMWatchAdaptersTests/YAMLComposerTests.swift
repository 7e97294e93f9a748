import Foundation
import OOMWatchTestSupport
import Testing
@testable import OOMWatchAdapters

@Suite struct YAMLComposerTests {
    private func compose(_ text: String) throws -> YAMLNode {
        try #require(try YAMLComposer.compose(text))
    }

    @Test func blockAndFlowCollectionsComposeToTheSameNodes() throws {
        let block = try compose("""
            kind: KubeletConfiguration
            enforceNodeAllocatable:
            - pods
            - system-reserved
            systemReserved:
              memory: 512Mi
            """)
        let flow = try compose("{kind: KubeletConfiguration, enforceNodeAllocatable: [pods, system-reserved], systemReserved: {memory: 512Mi}}")
        #expect(block == flow)
        #expect(block["kind"]?.scalar?.text == "KubeletConfiguration")
        #expect(block["enforceNodeAllocatable"]?.sequence?.compactMap(\.scalar?.text) == ["pods", "system-reserved"])
        #expect(block["systemReserved"]?["memory"]?.scalar?.text == "512Mi")
        #expect(block["absent"] == nil)
        #expect(block["kind"]?["memory"] == nil)  // a scalar has no keys
    }

    @Test func nullsAndBooleansFollowYAML11PlainScalarsOnly() throws {
        let node = try compose("""
            a: ~
            b: null
            c:
            d: ''
            e: yes
            f: Off
            g: "true"
            h: !!bool true
            i: !!null x
            j: sometimes
            """)
        #expect(node["a"]?.isNull == true)
        #expect(node["b"]?.isNull == true)
        #expect(node["c"]?.isNull == true)
        #expect(node["d"]?.isNull == false)  // quoted empty string is a string
        #expect(node["e"]?.bool == true)
        #expect(node["f"]?.bool == false)
        #expect(node["g"]?.bool == nil)  // quoted: a string, as kubelet's decoder sees it
        #expect(node["g"]?.scalar == YAMLScalar("true", isPlain: false))
        #expect(node["h"]?.bool == true)
        #expect(node["h"]?.scalar?.tag == "tag:yaml.org,2002:bool")
        #expect(node["i"]?.isNull == true)
        #expect(node["j"]?.bool == nil)
    }

    @Test func anchorsAndAliasesAreResolved() throws {
        let node = try compose("""
            base: &reserve {memory: 1Gi, cpu: 500m}
            systemReserved: *reserve
            list: [&x one, *x]
            """)
        #expect(node["systemReserved"] == node["base"])
        #expect(node["systemReserved"]?["memory"]?.scalar?.text == "1Gi")
        #expect(node["list"]?.sequence?.compactMap(\.scalar?.text) == ["one", "one"])
        #expect(throws: YAMLSyntaxError.self) { try YAMLComposer.compose("a: *nowhere\n") }
    }

    @Test func emptyTextsHaveNoDocument() throws {
        #expect(try YAMLComposer.compose("") == nil)
        #expect(try YAMLComposer.compose("# only a comment\n") == nil)
        #expect(try YAMLComposer.compose("---\n") == .scalar(YAMLScalar("")))
    }

    @Test func syntaxErrorsSayWhereWithOneBasedLinesAndColumns() throws {
        do {
            _ = try YAMLComposer.compose("a: 1\nb: [unclosed\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.description.contains("at line 3, column"))
            #expect(error.context != nil)
        }
        do {
            _ = try YAMLComposer.compose("a: 1\n---\nb: 2\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.problem == "expected a single document, found another")
            #expect(error.line == 2)
        }
        #expect(throws: YAMLSyntaxError.self) { try YAMLComposer.compose("key: \"unterminated\n") }
        #expect(throws: YAMLSyntaxError.self) { try YAMLComposer.compose("\t- tab indented\n  x: [") }
    }

    @Test func nonUTF8BytesAreReplacedNotFatal() throws {
        // A kubelet configuration is UTF-8; anything else becomes U+FFFD before libyaml sees it.
        let text = String(decoding: Array("comm: ".utf8) + [0xFF, 0xFE, 0x41], as: UTF8.self)
        #expect(try compose(text)["comm"]?.scalar?.text == "\u{FFFD}\u{FFFD}A")
    }

    @Test func nestingIsBoundedAndLongCollectionsAreFine() throws {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        var node = try compose(nested(YAMLComposer.maximumDepth))
        var levels = 1
        while let inner = node.sequence?.first {
            node = inner
            levels += 1
        }
        #expect(levels == YAMLComposer.maximumDepth)
        // A million-deep document would be freed recursively and overflow the stack: refused instead.
        #expect(throws: YAMLSyntaxError(problem: "collections nested deeper than 256 levels", line: 1, column: 257)) {
            try YAMLComposer.compose(nested(500_000))
        }
        // Aliases deepen nodes without deepening the text: `&a1 [*a0]`, `&a2 [*a1]`, …
        let chain = "a0: &a0 x\n" + (1...1_000).map { "a\($0): &a\($0) [*a\($0 - 1)]" }.joined(separator: "\n")
        #expect(throws: YAMLSyntaxError.self) { try YAMLComposer.compose(chain) }
        let items = (0..<50_000).map { "- item\($0)" }.joined(separator: "\n")
        #expect(try compose(items).sequence?.count == 50_000)
    }

    @Test func mangledConfigurationsFailCleanly() throws {
        // Seeded mutations of the real fixtures (bytes flipped, inserted, cut): each composes or throws.
        var rng = SplitMix64(seed: 0x6B75_6265)
        let fixtures = try ["kubeadm-config.yaml", "seed-incident.yaml", "reserve-compute-resources-example.yaml"]
            .map { Array(try String(contentsOfFile: try Fixture.path($0), encoding: .utf8).utf8) }
        let specials = Array("[]{}:,-?&*!|>'\"%@`# \n\t".utf8)
        var composed = 0, rejected = 0
        for round in 0..<3_000 {
            var bytes = fixtures[round % fixtures.count]
            for _ in 0...(rng.next() % 4) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = specials[Int(rng.next() % UInt64(specials.count))]
                case 1: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                default: bytes.removeSubrange(at..<min(bytes.count, at + Int(rng.next() % 16)))
                }
                if bytes.isEmpty { bytes = [0x0A] }
            }
            do {
                _ = try YAMLComposer.compose(String(decoding: bytes, as: UTF8.self))
                composed += 1
            } catch {
                #expect(error.line >= 1)
                rejected += 1
            }
        }
        #expect(composed > 0 && rejected > 0)
    }
}
