import Testing

@Test func placeholderSymbols() { #expect(Bool(true)) }
