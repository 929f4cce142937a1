import Foundation
import LanyardSupport
import Raster
import Symbols

/// QR codes and barcodes on the badge. Modules are whole dots, placed at whole-dot offsets with
/// their quiet zones cleared, so nothing here passes through cairo's scaling or anti-aliasing.
/// Encoding problems are recorded on the element's report rather than thrown, so a template check
/// can list them all; the batch treats them as a failed badge.
extension BadgeRenderer {
    func drawQR(_ element: QRElement, fields: [String: String], on canvas: CairoCanvas, report: inout ElementReport) throws(BadgeError) {
        let area = grid.rect(element.box)
        report.rect = area
        let payload = FieldMapper.fill(element.payload, with: fields)
        let minimumModule = max(1, grid.dots(element.minModuleMM))
        let side = min(area.width, area.height)
        let preferred = QRErrorCorrection(rawValue: element.errorCorrection.rawValue) ?? .quartile
        var fitted: QRFittedEncoding
        do {
            fitted = try QRCode.encodeFitting(payload, preferredLevel: preferred, maxModulesAcross: side / minimumModule)
        } catch {
            report.issues.append(RenderIssue(.error, .symbolEncodingFailed, "QR code: \(error.message)"))
            return
        }
        // The printer's floor narrows the symbol further; a floor this payload cannot meet is the
        // tuning's limit, not a reason to print no badge.
        if let floor = activeOptions.minimumQRModuleDots, floor > minimumModule {
            do {
                fitted = try QRCode.encodeFitting(payload, preferredLevel: preferred, maxModulesAcross: side / floor)
            } catch {
                report.issues.append(
                    RenderIssue(
                        .warning, .qrModuleFloorUnmet,
                        "QR code: the printer's module floor of \(floor) dots does not fit this payload; drawn without it"))
            }
        }
        let matrix = fitted.encoding.matrix
        let moduleDots = side / matrix.totalColumns(includeQuietZone: true)
        let bitmap: Bitmap
        do { bitmap = try matrix.bitmap(moduleDots: moduleDots) } catch {
            report.issues.append(RenderIssue(.error, .symbolDoesNotFit, "QR code: \(error.message)"))
            return
        }
        report.symbol = SymbolReport(
            moduleDots: moduleDots, columns: matrix.columns, rows: matrix.rows,
            level: fitted.encoding.level.rawValue, downgradedFrom: fitted.downgrade?.from.rawValue,
            version: fitted.encoding.version)
        if let downgrade = fitted.downgrade {
            report.issues.append(
                RenderIssue(
                    .warning, .qrDowngraded,
                    "QR code lowered from level \(downgrade.from.rawValue) to \(downgrade.to.rawValue) to fit \(payload.utf8.count) bytes in the box"
                ))
        }
        let x = area.x + (area.width - bitmap.width) / 2
        let y = area.y + (area.height - bitmap.height) / 2
        try canvas.draw(bitmap, atX: x, y: y, opaque: true)
    }

    func drawBarcode(
        _ element: BarcodeElement, fields: [String: String], on canvas: CairoCanvas, report: inout ElementReport
    ) throws(BadgeError) {
        let area = grid.rect(element.box)
        report.rect = area
        let data = FieldMapper.fill(element.data, with: fields)
        let symbology = element.symbology.symbology
        let matrix: SymbolMatrix
        do { matrix = try Barcode.encode(data, symbology: symbology) } catch {
            report.issues.append(RenderIssue(.error, .symbolEncodingFailed, "\(element.symbology.rawValue): \(error.message)"))
            return
        }
        let isLinear = matrix.layout == .linear
        let captionDots = isLinear && element.humanReadable ? grid.dots(3.2) : 0
        let requested = max(1, grid.dots(element.moduleMM))
        let acrossLimit = area.width / matrix.totalColumns(includeQuietZone: true)
        let downLimit = isLinear ? requested : area.height / max(1, matrix.totalRowModules(includeQuietZone: true))
        let moduleDots = min(requested, acrossLimit, downLimit)
        let barHeight = area.height - captionDots
        guard moduleDots >= 1, barHeight >= 1 else {
            report.issues.append(
                RenderIssue(
                    .error, .symbolDoesNotFit,
                    "\(element.symbology.rawValue) of \(matrix.totalColumns(includeQuietZone: true)) modules does not fit \(area.width)x\(area.height) dots even at one dot per module"
                ))
            return
        }
        let bitmap: Bitmap
        do { bitmap = try matrix.bitmap(moduleDots: moduleDots, barHeightDots: isLinear ? barHeight : nil) } catch {
            report.issues.append(RenderIssue(.error, .symbolDoesNotFit, "\(element.symbology.rawValue): \(error.message)"))
            return
        }
        report.symbol = SymbolReport(moduleDots: moduleDots, columns: matrix.columns, rows: matrix.rows)
        let x = area.x + (area.width - bitmap.width) / 2
        let y = isLinear ? area.y : area.y + (area.height - bitmap.height) / 2
        try canvas.draw(bitmap, atX: x, y: y, opaque: true)

        if captionDots > 0, let caption = matrix.humanReadableText, !caption.isEmpty {
            let layout = TextLayout(
                context: fonts.context, text: caption,
                font: FontSpec(families: ["Noto Sans", "DejaVu Sans"], weight: .regular, size: 5...8),
                align: .center, widthDots: Double(area.width), heightDots: Double(captionDots), maxLines: 1)
            let fit = layout.fit(policy: [.shrink, .ellipsis])
            layout.prepareForDrawing(fit)
            let captionArea = DotRect(x: area.x, y: area.y + barHeight, width: area.width, height: captionDots)
            canvas.save()
            canvas.clip(captionArea)
            canvas.setInk(.black)
            layout.draw(on: canvas, x: Double(captionArea.x), y: Double(captionArea.y) + (Double(captionDots) - layout.height) / 2)
            canvas.restore()
        }
    }
}

extension BarcodeKind {
    var symbology: Symbology {
        switch self {
        case .code128: .code128
        case .code39: .code39
        case .pdf417: .pdf417
        case .datamatrix: .dataMatrix
        case .aztec: .aztec
        }
    }
}
