import CCurl

/// Result of the process-wide `curl_global_init`, run exactly once on first use
/// (Swift initialises globals lazily and thread-safely).
let curlGlobalInitCode: Int = {
    Int(curl_global_init(Int(CURL_GLOBAL_ALL)).rawValue)
}()

/// Runs `curl_global_init` if it has not run yet; throws when it failed.
func ensureCurlGlobalInit() throws(UpstreamError) {
    let code = curlGlobalInitCode
    if code != Int(CURLE_OK.rawValue) {
        throw .transport(code: code, message: "curl_global_init failed")
    }
}
