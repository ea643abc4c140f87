import Foundation
import Platform
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("members keep the order they were written in, nested objects and arrays get their commas")
    func orderAndNesting() {
        var json = JSONWriter()
        json.beginObject()
        json.field("zeta", 1)
        json.field("alpha", "a")
        json.key("list")
        json.beginArray()
        json.value(UInt64(3))
        json.beginObject()
        json.field("ok", true)
        json.field("missing", nil as String?)
        json.endObject()
        json.beginArray()
        json.endArray()
        json.endArray()
        json.field("rate", 1234.5678, digits: 2)
        json.endObject()
        #expect(json.text == #"{"zeta":1,"alpha":"a","list":[3,{"ok":true,"missing":null},[]],"rate":1234.57}"#)
    }

    @Test("strings with quotes, backslashes, control characters and non-ASCII read back unchanged")
    func escaping() throws {
        let awkward = "say \"hi\"\\ \n\r\t\u{01}\u{1f} caf\u{e9} \u{1F600}"
        var json = JSONWriter()
        json.beginObject()
        json.field(awkward, awkward)
        json.endObject()
        #expect(!json.text.contains("\n") && json.text.contains(#"\u0001"#))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.text.utf8))
        let object = try #require(parsed as? [String: String])
        #expect(object == [awkward: awkward])
    }

    @Test("fixed-point numbers round and pad, and never print a negative or non-finite value")
    func fixedPoint() {
        #expect(DecimalText.fixed(3.8926474, digits: 6) == "3.892647")
        #expect(DecimalText.fixed(513_789.4, digits: 0) == "513789")
        #expect(DecimalText.fixed(0.05, digits: 3) == "0.050")
        #expect(DecimalText.fixed(-2, digits: 1) == "0.0")
        #expect(DecimalText.fixed(.infinity, digits: 0) == "0")
    }
}
