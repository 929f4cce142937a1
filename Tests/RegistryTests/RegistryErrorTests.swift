import LanyardSupport
import Testing

@testable import Registry

@Suite struct RegistryErrorTests {
    @Test func theDescriptionCarriesTheCodeAndTheDetail() {
        let error = RegistryError(.requestInvalid, "a batch needs items", detail: "$.items")
        #expect(error.description == "registry.request_invalid: a batch needs items ($.items)")
    }
}
