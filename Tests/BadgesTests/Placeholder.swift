import Testing

@Test func placeholderBadges() { #expect(Bool(true)) }
