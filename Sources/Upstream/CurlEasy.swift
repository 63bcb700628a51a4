import CCurl

/// Owner of one libcurl easy handle, its error buffer and every header list set on it.
///
/// Not `Sendable`: it is created, used and destroyed on a single transfer thread.
final class CurlEasy {
    /// The raw `CURL *`.
    let handle: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER` storage; lives exactly as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Header lists given to the handle; freed only after the handle is cleaned up.
    private var headerLists: [UnsafeMutablePointer<curl_slist>] = []

    /// Creates an easy handle.
    init() throws(UpstreamError) {
        try ensureCurlGlobalInit()
        guard let handle = curl_easy_init() else {
            throw .transport(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in headerLists {
            curl_slist_free_all(list)
        }
        errorBuffer.deallocate()
    }

    /// Resets every option to its default (keeps live connections and caches) and re-arms the error buffer.
    func reset() throws(UpstreamError) {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        try check(larder_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
    }

    /// Sets an option taking a `long`.
    func set(_ option: CURLoption, _ value: Int) throws(UpstreamError) {
        try check(larder_curl_easy_setopt_long(handle, option, value), option)
    }

    /// Sets an option taking a `curl_off_t`.
    func set(_ option: CURLoption, offset value: Int64) throws(UpstreamError) {
        try check(larder_curl_easy_setopt_off_t(handle, option, curl_off_t(value)), option)
    }

    /// Sets an option taking a string (libcurl keeps its own copy).
    func set(_ option: CURLoption, _ value: String) throws(UpstreamError) {
        let code = value.withCString { larder_curl_easy_setopt_string(handle, option, $0) }
        try check(code, option)
    }

    /// Sets an option taking an opaque pointer.
    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(UpstreamError) {
        try check(larder_curl_easy_setopt_pointer(handle, option, value), option)
    }

    /// Sets `CURLOPT_WRITEFUNCTION` or `CURLOPT_HEADERFUNCTION`.
    func set(_ option: CURLoption, writeCallback: curl_write_callback) throws(UpstreamError) {
        try check(larder_curl_easy_setopt_write_callback(handle, option, writeCallback), option)
    }

    /// Sets `CURLOPT_READFUNCTION`.
    func set(_ option: CURLoption, readCallback: curl_read_callback) throws(UpstreamError) {
        try check(larder_curl_easy_setopt_read_callback(handle, option, readCallback), option)
    }

    /// Sets `CURLOPT_XFERINFOFUNCTION`.
    func set(_ option: CURLoption, xferinfoCallback: curl_xferinfo_callback) throws(UpstreamError) {
        try check(larder_curl_easy_setopt_xferinfo_callback(handle, option, xferinfoCallback), option)
    }

    /// Sets `CURLOPT_HTTPHEADER` from complete header lines; the list lives until the handle is destroyed.
    func setHeaderLines(_ lines: [String]) throws(UpstreamError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                throw .transport(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_slist_append failed")
            }
            list = appended
        }
        guard let list else { return }
        headerLists.append(list)
        try check(larder_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list), CURLOPT_HTTPHEADER)
    }

    /// Runs the transfer (blocking) and returns libcurl's result code.
    func perform() -> CURLcode {
        errorBuffer[0] = 0
        return curl_easy_perform(handle)
    }

    /// The most specific message for a failed transfer: the error buffer, else `curl_easy_strerror`.
    func message(for code: CURLcode) -> String {
        if errorBuffer[0] != 0 {
            return String(cString: errorBuffer)
        }
        return String(cString: curl_easy_strerror(code))
    }

    /// `CURLINFO_REDIRECT_URL`: absolute target of the last response's `Location`, if any.
    func redirectURL() -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard larder_curl_easy_getinfo_string(handle, CURLINFO_REDIRECT_URL, &value) == CURLE_OK,
              let value else { return nil }
        return String(cString: value)
    }

    /// `CURLINFO_EFFECTIVE_URL`: the URL last used.
    func effectiveURL() -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard larder_curl_easy_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &value) == CURLE_OK,
              let value else { return nil }
        return String(cString: value)
    }

    /// Whether a connection to the server (or proxy) was established for the last transfer
    /// (`CURLINFO_CONNECT_TIME_T` is zero when connecting never completed).
    func hasConnected() -> Bool {
        var value: curl_off_t = 0
        guard larder_curl_easy_getinfo_off_t(handle, CURLINFO_CONNECT_TIME_T, &value) == CURLE_OK else { return true }
        return value > 0
    }

    /// `CURLINFO_RESPONSE_CODE` of the last response (0 when none was received).
    func responseCode() -> Int {
        var value = 0
        guard larder_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &value) == CURLE_OK else { return 0 }
        return value
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(UpstreamError) {
        guard code == CURLE_OK else {
            throw .transport(
                code: Int(code.rawValue),
                message: "curl_easy_setopt(\(option.rawValue)) failed: \(String(cString: curl_easy_strerror(code)))"
            )
        }
    }
}
