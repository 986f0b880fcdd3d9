import Testing

@testable import KubeClient

/// Retry-After comes from the API server or, through the node proxy, from any kubelet: whatever it says,
/// the wait is a finite number of seconds between 0 and 30.
struct RetryPolicyTests {
    @Test(arguments: ["nan", "NaN", "-inf", "inf", "-1e300", "1e300", "-1", "1.5", "0x10", "soon", "", " ",
                      "Wed, 21 Oct 2015 07:28:00 GMT", "+3", "٣"])
    func hostileRetryAfterFallsBackToTheBackoff(value: String) {
        #expect(KubeAPI.retryDelay(retryAfter: value, attempt: 2) == KubeAPI.backoff(2))
    }

    @Test func delaySecondsAreHonouredUpToThirtySeconds() {
        #expect(KubeAPI.retryDelay(retryAfter: "0", attempt: 1) == 0)
        #expect(KubeAPI.retryDelay(retryAfter: "007", attempt: 1) == 7)
        #expect(KubeAPI.retryDelay(retryAfter: "30", attempt: 1) == 30)
        #expect(KubeAPI.retryDelay(retryAfter: "31", attempt: 1) == 30)
        #expect(KubeAPI.retryDelay(retryAfter: String(repeating: "9", count: 400), attempt: 1) == 30)
        #expect(KubeAPI.retryDelay(retryAfter: nil, attempt: 3) == KubeAPI.backoff(3))
    }

    @Test func sleepingANonFiniteOrNegativeTimeReturnsAtOnce() async {
        for seconds in [Double.nan, -Double.infinity, -1e300, -1] { await KubeAPI.sleep(seconds: seconds) }
    }
}
