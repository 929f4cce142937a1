import Testing

@Test func placeholderPrinters() { #expect(Bool(true)) }
