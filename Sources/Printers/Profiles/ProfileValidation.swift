extension PrinterProfile {
    /// Print heads come in these resolutions; anything else is a typo.
    public static let supportedDPI: Set<Int> = [203, 300, 600]
    /// ZPL `~SD` accepts 00...30.
    public static let zplDarknessLimits = 0...30
    /// EPL `D` accepts 0...15.
    public static let eplDensityLimits = 0...15
    /// `^PR` print speeds run from 1 to 14 ips across Zebra's range.
    public static let speedLimitsIPS = 1...14
    /// The widest heads in this class print 8.5 in; a wider value means the width was written for
    /// another resolution or in the wrong unit.
    public static let maxHeadWidthInches = 8.5
    /// A head narrower than half an inch is not a label printer.
    public static let minHeadWidthInches = 0.5

    /// Everything wrong with the profile, as (YAML field path, message) pairs; empty when valid.
    /// Paths are built from the coding keys so they always match what the file spells.
    public func validationProblems(fileStem: String? = nil) -> [(fieldPath: String, message: String)] {
        var problems: [(fieldPath: String, message: String)] = []
        func report(_ path: String, _ message: String) { problems.append((path, message)) }
        func report(_ field: CodingKeys, _ message: String) { report(field.stringValue, message) }
        let widthField = CodingKeys.maxPrintWidthDots
        let densityField = CodingKeys.eplDensity
        let codesField = CodingKeys.eplSpeedCodes

        if id.isEmpty { report(.id, "must not be empty") }
        if let fileStem, fileStem != id {
            report(.id, "\"\(id)\" does not match the file name \"\(fileStem)\"; the id is the file stem")
        }
        if manufacturer.trimmingWhitespace().isEmpty { report(.manufacturer, "must not be empty") }
        if model.trimmingWhitespace().isEmpty { report(.model, "must not be empty") }

        if languages.isEmpty { report(.languages, "must list at least one language") }
        if Set(languages).count != languages.count { report(.languages, "lists a language twice") }

        if !Self.supportedDPI.contains(dpi) {
            report(.dpi, "\(dpi) is not a print-head resolution; expected 203, 300 or 600")
        }
        if maxPrintWidthDots <= 0 {
            report(widthField, "\(maxPrintWidthDots) must be greater than 0")
        } else if Self.supportedDPI.contains(dpi) {
            let inches = Double(maxPrintWidthDots) / Double(dpi)
            if inches > Self.maxHeadWidthInches || inches < Self.minHeadWidthInches {
                let limit = Int(Self.maxHeadWidthInches * Double(dpi))
                let floor = Int((Self.minHeadWidthInches * Double(dpi)).rounded(.up))
                report(
                    widthField,
                    "\(maxPrintWidthDots) dots is not a head width at \(dpi) dpi; expected \(floor)...\(limit)"
                )
            }
        }

        check(speed, named: CodingKeys.speed.stringValue, within: Self.speedLimitsIPS, unit: " ips", into: &problems)
        check(darkness, named: CodingKeys.darkness.stringValue, within: Self.zplDarknessLimits, unit: "", into: &problems)

        if supports(.epl) {
            if let eplDensity {
                check(eplDensity, named: densityField.stringValue, within: Self.eplDensityLimits, unit: "", into: &problems)
            } else {
                report(densityField, "is required because languages include epl")
            }
            if let codes = eplSpeedCodes {
                if codes.isEmpty { report(codesField, "must list at least one code") }
                for (code, ips) in codes.sorted(by: { $0.key < $1.key }) {
                    if !(0...9).contains(code) {
                        report("\(codesField.stringValue).\(code)", "code \(code) is outside 0...9")
                    }
                    if !(ips > 0 && ips <= Double(Self.speedLimitsIPS.upperBound)) {
                        report("\(codesField.stringValue).\(code)", "\(ips) ips is outside 0...\(Self.speedLimitsIPS.upperBound)")
                    }
                }
            } else {
                report(codesField, "is required because languages include epl")
            }
        } else {
            if eplDensity != nil { report(densityField, "is given but languages do not include epl") }
            if eplSpeedCodes != nil { report(codesField, "is given but languages do not include epl") }
        }

        if let usb {
            let productsField = USBIdentity.CodingKeys.productIds.stringValue
            let patternsField = USBIdentity.CodingKeys.deviceIdModelPatterns.stringValue
            for (index, pattern) in usb.deviceIdModelPatterns.enumerated() where pattern.trimmingWhitespace().isEmpty {
                report("\(CodingKeys.usb.stringValue).\(patternsField)[\(index)]", "must not be empty")
            }
            if usb.productIds.isEmpty && usb.deviceIdModelPatterns.isEmpty {
                report(.usb, "needs \(productsField) or \(patternsField) to recognise the printer")
            }
        }

        if Set(quirks).count != quirks.count { report(.quirks, "lists a quirk twice") }
        if has(.eplOnlyGraphics), !supports(.epl) {
            report(.quirks, "epl-only-graphics needs epl in languages")
        }
        if has(.eplOnlyGraphics), !supports(.zpl) {
            report(.quirks, "epl-only-graphics only makes sense for a model that also speaks zpl")
        }
        return problems
    }

    private func check(
        _ setting: SettingRange, named name: String, within limits: ClosedRange<Int>, unit: String,
        into problems: inout [(fieldPath: String, message: String)]
    ) {
        if !limits.contains(setting.min) {
            problems.append(("\(name).min", "\(setting.min)\(unit) is outside \(limits.lowerBound)...\(limits.upperBound)"))
        }
        if !limits.contains(setting.max) {
            problems.append(("\(name).max", "\(setting.max)\(unit) is outside \(limits.lowerBound)...\(limits.upperBound)"))
        }
        if setting.min > setting.max {
            problems.append(("\(name)", "min \(setting.min) is greater than max \(setting.max)"))
        } else if !(setting.min...setting.max).contains(setting.defaultValue) {
            problems.append(
                (
                    "\(name).default", "\(setting.defaultValue)\(unit) is outside \(setting.min)...\(setting.max)"
                ))
        }
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
