import FoundationEssentials
import Testing

@testable import KubeClient

/// The continue token read from a list page's start, so that the next page is asked for before this
/// one's items are parsed; anything but the API server's shape falls back to decoding the whole page.
struct ListPageTests {
    private func token(_ page: String) -> String?? {
        KubeAPI.continueTokenAtStart(of: Data(page.utf8))
    }

    @Test func readsTheTokenTheAPIServerWritesBeforeTheItems() {
        #expect(token(#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"20497","continue":"eyJ2Ijoi","remainingItemCount":9500},"items":[{"#) == .some("eyJ2Ijoi"))
        // Pretty-printed (as the API server answers curl), and an escaped character inside the token.
        // A member ListMeta does not have, even an object, is stepped over as the decoder ignores it.
        #expect(token(#"{"kind":"PodList","metadata":{"continue":"x","extra":{"a":1}},"items":[]}"#) == .some("x"))
        #expect(token("{\n  \"kind\": \"PodList\",\n  \"metadata\": {\n    \"continue\": \"a\\u0062c\"\n  },\n  \"items\": []\n}") == .some("abc"))
    }

    @Test func theLastPageHasNoToken() {
        #expect(token(#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]}"#) == .some(nil))
        #expect(token(#"{"metadata":{},"items":[]}"#) == .some(nil))
    }

    /// Not the expected start: nil, and the caller decodes the whole page (and fetches it again while it
    /// does not parse).
    @Test(arguments: [
        #"{"items":[],"metadata":{"continue":"late"}}"#,  // items first
        #"{"kind":{"nested":true},"metadata":{"continue":"x"}}"#,  // an object before the metadata
        #"{"kind":"PodList","metadata":{"continue":"cut sh"#,  // cut inside the metadata
        #"{"kind":"PodList","apiVersion":"v1"}"#,  // no metadata at all
        #"{"kind":"PodList","metadata":["continue"]}"#,
        #"{"kind":"PodList" "metadata":{}}"#,  // no comma
        #"{"metadata":{"continue":7}}"#,  // a token that is not a string
        "404 page not found", "", "{", "[]",
    ])
    func anythingElseIsLeftToTheDecoder(page: String) {
        #expect(token(page) == nil)
    }
}
