/// CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection, no final XOR): the checksum
/// Zebra printers verify after a `:Z64:`/`:B64:` payload. Printers silently discard graphics whose
/// CRC uses another variant, so this one is pinned by the check value 0x31C3 in the tests.
public enum CRC16XMODEM {
    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }

    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
            }
        }
        return crc
    }
}
