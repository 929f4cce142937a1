import LanyardSupport
import Printers
import Testing

/// Bytes of an IPP message written out field by field, as RFC 8010 lays them down.
private struct Layout {
    var bytes: [UInt8] = []

    mutating func short(_ value: Int) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
    mutating func int(_ value: Int32) {
        let bits = UInt32(bitPattern: value)
        bytes += [UInt8(bits >> 24), UInt8((bits >> 16) & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8(bits & 0xFF)]
    }
    /// value-tag, name-length, name, value-length, value.
    mutating func attribute(_ tag: UInt8, _ name: String, _ value: [UInt8]) {
        bytes.append(tag)
        short(name.utf8.count)
        bytes += Array(name.utf8)
        short(value.count)
        bytes += value
    }
    mutating func attribute(_ tag: UInt8, _ name: String, _ value: String) { attribute(tag, name, Array(value.utf8)) }
}

private func expectMalformed(
    _ bytes: [UInt8], at offset: Int? = nil, containing words: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let message = try IPPMessage.decode(bytes)
        Issue.record("decoded \(message) from bytes that should not decode", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == .malformed, sourceLocation: sourceLocation)
        if let offset { #expect(error.offset == offset, "\(error)", sourceLocation: sourceLocation) }
        if let words { #expect(error.message.contains(words), "\(error)", sourceLocation: sourceLocation) }
    }
}

/// The start of a message: version 2.0, Get-Printer-Attributes, request-id 1.
private let header: [UInt8] = [2, 0, 0x00, 0x0B, 0, 0, 0, 1]

@Suite struct IPPMessageTests {
    /// RFC 8010 §A.2's Print-Job request, byte for byte, both ways.
    @Test func aPrintJobRequestHasRFC8010sLayout() throws {
        let document = Array("%!PDF-1.7 badge".utf8)
        let message = IPPMessage(
            version: .v1_1, operation: .printJob, requestID: 1,
            groups: [
                IPPAttributeGroup(
                    .operation,
                    [
                        IPPAttribute("attributes-charset", .charset("utf-8")),
                        IPPAttribute("attributes-natural-language", .naturalLanguage("en-us")),
                        IPPAttribute("printer-uri", .uri("ipp://printer.example.com/ipp/print/pinetree")),
                        IPPAttribute("job-name", .name("foobar")),
                        IPPAttribute("ipp-attribute-fidelity", .boolean(true)),
                    ])
            ], data: document)
        var layout = Layout()
        layout.bytes = [0x01, 0x01, 0x00, 0x02]
        layout.int(1)
        layout.bytes.append(0x01)
        layout.attribute(0x47, "attributes-charset", "utf-8")
        layout.attribute(0x48, "attributes-natural-language", "en-us")
        layout.attribute(0x45, "printer-uri", "ipp://printer.example.com/ipp/print/pinetree")
        layout.attribute(0x42, "job-name", "foobar")
        layout.attribute(0x22, "ipp-attribute-fidelity", [0x01])
        layout.bytes.append(0x03)
        layout.bytes += document

        #expect(try message.encoded() == layout.bytes)
        #expect(try IPPMessage.decode(layout.bytes) == message)
        // The two length fields of printer-uri: 11 and 44.
        #expect(layout.bytes[74] == 0x45)
        #expect(layout.bytes[75...76] == [0x00, 0x0B])
        #expect(layout.bytes[88...89] == [0x00, 0x2C])
    }

    /// A 1setOf attribute is its first value under its name, then each further value with a
    /// name-length of zero (RFC 8010 §3.1.5).
    @Test func additionalValuesCarryNoName() throws {
        let message = IPPMessage(
            version: .v2_0, code: 0x0000, requestID: 7,
            groups: [
                IPPAttributeGroup(
                    .printer, [IPPAttribute("document-format-supported", [.mimeMediaType("application/pdf"), .mimeMediaType("image/urf")])])
            ])
        var layout = Layout()
        layout.bytes = [2, 0, 0, 0]
        layout.int(7)
        layout.bytes.append(0x04)
        layout.attribute(0x49, "document-format-supported", "application/pdf")
        layout.attribute(0x49, "", "image/urf")
        layout.bytes.append(0x03)
        #expect(try message.encoded() == layout.bytes)
        #expect(try IPPMessage.decode(layout.bytes) == message)
        #expect(message.status == .successfulOK)
    }

    /// media-col as RFC 8010 §3.1.6 encodes a collection: begCollection with the attribute's name,
    /// then per member a memberAttrName holding the member's name and its value without a name,
    /// then endCollection; a member that is itself a collection nests the same way.
    @Test func aCollectionHasRFC8010sLayout() throws {
        let mediaCol = IPPValue.collection([
            IPPAttribute(
                "media-size", .collection([IPPAttribute("x-dimension", .integer(21000)), IPPAttribute("y-dimension", .integer(29700))])),
            IPPAttribute("media-type", [.keyword("stationery"), .keyword("labels")]),
        ])
        let message = IPPMessage(
            version: .v2_0, operation: .printJob, requestID: 2, groups: [IPPAttributeGroup(.job, [IPPAttribute("media-col", mediaCol)])])
        var layout = Layout()
        layout.bytes = [2, 0, 0, 2]
        layout.int(2)
        layout.bytes.append(0x02)
        layout.attribute(0x34, "media-col", [])
        layout.attribute(0x4A, "", "media-size")
        layout.attribute(0x34, "", [])
        layout.attribute(0x4A, "", "x-dimension")
        var number = Layout()
        number.int(21000)
        layout.attribute(0x21, "", number.bytes)
        layout.attribute(0x4A, "", "y-dimension")
        number = Layout()
        number.int(29700)
        layout.attribute(0x21, "", number.bytes)
        layout.attribute(0x37, "", [])
        layout.attribute(0x4A, "", "media-type")
        layout.attribute(0x44, "", "stationery")
        layout.attribute(0x44, "", "labels")
        layout.attribute(0x37, "", [])
        layout.bytes.append(0x03)
        #expect(try message.encoded() == layout.bytes)
        #expect(try IPPMessage.decode(layout.bytes) == message)
    }

    /// Every value type survives encoding and decoding, in several groups and with data after them.
    @Test func everyValueTypeRoundTrips() throws {
        let values: [IPPAttribute] = [
            IPPAttribute("copies", .integer(-5)),
            IPPAttribute("color-supported", [.boolean(true), .boolean(false)]),
            IPPAttribute("printer-state", .enumeration(3)),
            IPPAttribute("printer-firmware-version", .octetString([0, 0xFF, 0x10])),
            IPPAttribute(
                "printer-current-time",
                .dateTime(
                    IPPDateTime(
                        year: 2026, month: 12, day: 7, hour: 16, minutes: 21, seconds: 10, deciseconds: 3, directionFromUTC: 0x2D,
                        hoursFromUTC: 5, minutesFromUTC: 30))),
            IPPAttribute("printer-resolution-default", .resolution(IPPResolution(crossFeed: 600, feed: 1200, units: 3))),
            IPPAttribute("copies-supported", .rangeOfInteger(IPPRange(lower: 9, upper: 1))),
            IPPAttribute("printer-info", [.textWithLanguage("Bürodrucker", language: "de"), .text("Office printer")]),
            IPPAttribute("printer-name", [.nameWithLanguage("Étage 2", language: "fr-ca"), .name("floor-2")]),
            IPPAttribute("sides-supported", .keyword("one-sided")),
            IPPAttribute("printer-uri-supported", .uri("ipps://printer.local/ipp/print")),
            IPPAttribute("uri-authentication-supported", .uriScheme("ipps")),
            IPPAttribute("charset-configured", .charset("utf-8")),
            IPPAttribute("natural-language-configured", .naturalLanguage("en")),
            IPPAttribute("document-format", .mimeMediaType("application/pdf")),
            IPPAttribute("printer-geo-location", [.outOfBand(.unknown), .outOfBand(.noValue), .outOfBand(.unsupported)]),
            IPPAttribute("vendor-extension", .unknown(tag: 0x7F, bytes: [0x40, 0x00, 0x00, 0x01])),
            IPPAttribute("media-col-database", [.collection([IPPAttribute("media-key", .keyword("a4"))]), .collection([])]),
        ]
        let message = IPPMessage(
            version: .v2_0, code: 0x0001, requestID: Int32.max,
            groups: [
                IPPAttributeGroup(.operation, [IPPAttribute("status-message", .text("ok"))]), IPPAttributeGroup(.printer, values),
                IPPAttributeGroup(.job, []), IPPAttributeGroup(IPPGroupTag(rawValue: 0x0F), [IPPAttribute("future", .integer(1))]),
            ], data: [0x03, 0x00, 0x01])
        let decoded = try IPPMessage.decode(try message.encoded())
        #expect(decoded == message)
        #expect(decoded.status.isSuccessful)
        #expect(decoded.group(.printer)?["printer-info"]?.values.compactMap(\.string) == ["Bürodrucker", "Office printer"])
        #expect(decoded.group(.printer)?["printer-state"]?.value?.integer == 3)
    }

    @Test func whatCannotBeEncodedIsAnErrorNotATrap() {
        let long = String(repeating: "x", count: 40_000)
        for attribute in [IPPAttribute("job-name", .name(long)), IPPAttribute(long, .integer(1)), IPPAttribute("copies", [])] {
            let message = IPPMessage(operation: .printJob, requestID: 1, groups: [IPPAttributeGroup(.operation, [attribute])])
            #expect(throws: IPPError.self) { try message.encoded() }
        }
    }

    /// Every prefix of a message lacks its end-of-attributes-tag or cuts a field: each one fails.
    @Test func everyTruncationIsMalformed() throws {
        let message = IPPMessage(
            version: .v2_0, code: 0, requestID: 3,
            groups: [
                IPPAttributeGroup(
                    .operation,
                    [
                        IPPAttribute("attributes-charset", .charset("utf-8")),
                        IPPAttribute("status-message", .textWithLanguage("fine", language: "en")),
                    ]),
                IPPAttributeGroup(
                    .printer,
                    [
                        IPPAttribute(
                            "media-col-default",
                            .collection([IPPAttribute("media-size", .collection([IPPAttribute("x-dimension", .integer(1))]))])),
                        IPPAttribute("printer-state", .enumeration(3)),
                    ]),
            ])
        let bytes = try message.encoded()
        for count in 0..<bytes.count { expectMalformed(Array(bytes.prefix(count))) }
        expectMalformed(Array(header.prefix(5)), at: 4, containing: "request-id")
        expectMalformed(header, at: 8, containing: "end-of-attributes")
    }

    @Test func garbledMessagesNameWhatIsWrongAndWhere() {
        func message(_ build: (inout Layout) -> Void) -> [UInt8] {
            var layout = Layout()
            layout.bytes = header
            build(&layout)
            return layout.bytes
        }
        expectMalformed(message { $0.attribute(0x21, "copies", [0, 0, 0, 1]) }, at: 8, containing: "before any group")
        expectMalformed(message { $0.bytes += [0x00, 0x03] }, at: 8, containing: "reserved")
        expectMalformed(
            message {
                $0.bytes.append(0x01)
                $0.attribute(0x21, "", [0, 0, 0, 1])
            }, at: 9, containing: "no attribute before it")
        expectMalformed(
            message {
                $0.bytes.append(0x01)
                $0.attribute(0x21, "copies", [0, 0, 1])
            }, at: 20, containing: "integer value of 3 bytes")
        expectMalformed(
            message {
                $0.bytes.append(0x01)
                $0.attribute(0x22, "fidelity", [2])
            }, containing: "boolean value 2")
        expectMalformed(
            message {
                $0.bytes.append(0x01)
                $0.bytes += [0x42, 0x80, 0x00]
            }, at: 10, containing: "negative name-length")
        expectMalformed(
            message {
                $0.bytes.append(0x01)
                $0.attribute(0x41, "status-message", "fine")
                $0.bytes[$0.bytes.count - 5] = 0x10
            }, containing: "value: 16 bytes wanted, 4 left")
        expectMalformed(
            message {
                $0.bytes.append(0x01)
                $0.attribute(0x35, "status-message", [0, 2, 0x65, 0x6E, 0, 9, 0x66])
            }, containing: "inner lengths")
        expectMalformed(
            message {
                $0.bytes.append(0x04)
                $0.attribute(0x37, "media-col", [])
            }, at: 9, containing: "end-collection tag outside")
        expectMalformed(
            message {
                $0.bytes.append(0x04)
                $0.attribute(0x4A, "", "media-size")
            }, containing: "member name outside")
        expectMalformed(
            message {
                $0.bytes.append(0x04)
                $0.attribute(0x34, "media-col", [])
                $0.bytes.append(0x03)
            }, containing: "delimiter tag inside the collection")
        expectMalformed(
            message {
                $0.bytes.append(0x04)
                $0.attribute(0x34, "media-col", [])
                $0.attribute(0x44, "", "stationery")
            }, containing: "before any member name")
        expectMalformed(
            message {
                $0.bytes.append(0x04)
                $0.attribute(0x34, "media-col", [])
                $0.attribute(0x4A, "", "media-type")
                $0.attribute(0x37, "", [])
            }, containing: "has no value")
        expectMalformed(
            message {
                $0.bytes.append(0x04)
                $0.attribute(0x34, "media-col", [])
                $0.attribute(0x4A, "", "media-type")
                $0.attribute(0x44, "media-type", "stationery")
            }, containing: "named attribute inside a collection")
        // Collections nested deeper than anyone sends are refused rather than recursed into.
        expectMalformed(
            message {
                $0.bytes.append(0x04)
                $0.attribute(0x34, "media-col", [])
                for _ in 0..<40 {
                    $0.attribute(0x4A, "", "inner")
                    $0.attribute(0x34, "", [])
                }
            }, containing: "nested more than 16 deep")
    }

    /// Random bytes, and a valid message with bytes overwritten, either decode or throw
    /// `ipp.malformed`; whatever decodes encodes again to something that decodes the same.
    @Test func randomBytesNeverTrapOrOverRead() throws {
        var generator = SplitMix64(seed: 0x1BB)
        let valid = try IPPMessage(
            version: .v2_0, code: 0, requestID: 9,
            groups: [
                IPPAttributeGroup(
                    .printer,
                    [
                        IPPAttribute("printer-name", .nameWithLanguage("Office", language: "en")),
                        IPPAttribute(
                            "media-col-database",
                            .collection([IPPAttribute("media-size", .collection([IPPAttribute("x-dimension", .integer(21000))]))])),
                        IPPAttribute("printer-resolution-supported", .resolution(IPPResolution(crossFeed: 300, feed: 300, units: 3))),
                    ])
            ]
        ).encoded()
        var decodedCount = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round.isMultiple(of: 2) {
                bytes = (0..<Int.random(in: 0...120, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if bytes.count > 8, Bool.random(using: &generator) { bytes.replaceSubrange(0..<8, with: header) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            do {
                let message = try IPPMessage.decode(bytes)
                decodedCount += 1
                #expect(try IPPMessage.decode(try message.encoded()) == message)
            } catch {
                #expect(error.code == .malformed)
            }
        }
        #expect(decodedCount > 0, "some mutations leave a message that still decodes")
    }

    @Test func statusCodesReadAsRFC8011Names() {
        #expect(IPPStatusCode.clientErrorDocumentFormatNotSupported.description == "client-error-document-format-not-supported (0x040A)")
        #expect(IPPStatusCode(rawValue: 0x0001).isSuccessful)
        #expect(!IPPStatusCode(rawValue: 0x0400).isSuccessful)
        #expect(IPPStatusCode(rawValue: 0x04FF).description == "0x04FF")
        let error = IPPError(.status, "refused", facts: IPPStatusFacts(status: .serverErrorBusy, statusMessage: "Busy"))
        #expect(error.description == "ipp.status: refused (status server-error-busy (0x0507): Busy)")
        #expect(error.requestMayHaveArrived)
        #expect(!IPPError(.unreachable, "down").requestMayHaveArrived)
    }

    @Test func jobAndPrinterGroupsReadTheirRequiredAttributes() throws {
        let job = try IPPJobStatus(
            IPPAttributeGroup(
                .job,
                [
                    IPPAttribute("job-id", .integer(12)), IPPAttribute("job-uri", .uri("ipp://p/ipp/print/12")),
                    IPPAttribute("job-state", .enumeration(9)), IPPAttribute("job-state-reasons", [.keyword("job-completed-successfully")]),
                ]))
        #expect(job == IPPJobStatus(id: 12, uri: "ipp://p/ipp/print/12", state: .completed, stateReasons: ["job-completed-successfully"]))
        #expect(job.isTerminal)
        #expect(IPPJobState.allCases.filter(\.isTerminal) == [.canceled, .aborted, .completed])
        #expect(throws: IPPError.self) { try IPPJobStatus(IPPAttributeGroup(.job, [IPPAttribute("job-id", .integer(1))])) }
        #expect(throws: IPPError.self) {
            try IPPJobStatus(IPPAttributeGroup(.job, [IPPAttribute("job-id", .integer(1)), IPPAttribute("job-state", .enumeration(2))]))
        }

        let printer = try IPPPrinterDescription(
            IPPAttributeGroup(
                .printer,
                [
                    IPPAttribute("printer-state", .enumeration(5)),
                    IPPAttribute("printer-state-reasons", [.keyword("media-empty-error"), .keyword("paused")]),
                    IPPAttribute("printer-is-accepting-jobs", .boolean(false)),
                    IPPAttribute("document-format-supported", [.mimeMediaType("application/pdf")]),
                    IPPAttribute("printer-location", .textWithLanguage("Hall B", language: "en")),
                ]))
        #expect(printer.state == .stopped)
        #expect(printer.stateReasons == ["media-empty-error", "paused"])
        #expect(!printer.isAcceptingJobs)
        #expect(printer.documentFormats == ["application/pdf"])
        #expect(printer.location == "Hall B")
        #expect(printer.name == nil)
        #expect(throws: IPPError.self) { try IPPPrinterDescription(IPPAttributeGroup(.printer, [])) }
    }
}
