import Foundation
import Printers
import Testing

/// `lanyard profiles show` prints `JSONEncoder` output; it must use the names of the YAML files.
@Suite("Profile JSON encoding")
struct ProfileEncodingTests {
    func json(_ profile: PrinterProfile) throws -> [String: Any] {
        let data = try JSONEncoder().encode(profile)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func keysAndValuesAreSnakeCase() throws {
        let object = try json(try Fixtures.profile("zebra-zd421d-203"))
        #expect(
            Set(object.keys) == [
                "id", "manufacturer", "model", "languages", "dpi", "max_print_width_dots", "speed", "darkness",
                "epl_density", "epl_speed_codes", "media_type", "media_tracking", "print_mode", "usb", "quirks", "notes",
            ])
        #expect(object["max_print_width_dots"] as? Int == 832)
        #expect(object["media_type"] as? String == "direct_thermal")
        #expect(object["media_tracking"] as? String == "gap")
        #expect(object["print_mode"] as? String == "tear_off")
        let speed = try #require(object["speed"] as? [String: Int])
        #expect(speed == ["min": 2, "max": 6, "default": 4])
        let usb = try #require(object["usb"] as? [String: Any])
        #expect(Set(usb.keys) == ["vendor_id", "product_ids", "device_id_model_patterns"])
        #expect(usb["vendor_id"] as? String == "0x0A5F")
        #expect(usb["product_ids"] as? [String] == ["0x0187"])
    }

    @Test func thermalTransferAndQuirksEncodeAsInTheFiles() throws {
        let zt230 = try json(try Fixtures.profile("zebra-zt230-203"))
        #expect(zt230["media_type"] as? String == "thermal_transfer")
        #expect(zt230["epl_density"] == nil)
        let tsc = try json(try Fixtures.profile("tsc-te210-203"))
        #expect(tsc["quirks"] as? [String] == ["no-z64", "no-hqes", "no-sgd"])
    }

    @Test func everyShippedProfileRoundTripsThroughJSON() throws {
        let library = try ProfileLibrary.load(directory: Fixtures.profilesDirectory)
        #expect(!library.profiles.isEmpty)
        for profile in library.profiles.values {
            let data = try JSONEncoder().encode(profile)
            #expect(try JSONDecoder().decode(PrinterProfile.self, from: data) == profile, "\(profile.id)")
        }
    }
}
