#ifndef HOOKLINE_CCURL_SHIM_H
#define HOOKLINE_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call.
// Each wrapper fixes the argument type for one family of options.

static inline CURLcode hl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// The socket of a CONNECT_ONLY transfer, to wait on with poll when curl_easy_send or
/// curl_easy_recv answers CURLE_AGAIN.
static inline CURLcode hl_getinfo_socket(CURL *handle, curl_socket_t *socket) {
    return curl_easy_getinfo(handle, CURLINFO_ACTIVESOCKET, socket);
}

typedef int (*hl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata);

/// Sets DEBUGFUNCTION, DEBUGDATA and VERBOSE together: the callback sees libcurl's protocol
/// lines only while VERBOSE is on, and VERBOSE without a callback would print to stderr.
static inline CURLcode hl_setopt_debug(CURL *handle, hl_debug_callback callback, void *userdata) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_VERBOSE, 0L);
    if (code != CURLE_OK) { return code; }
    code = curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
    if (code != CURLE_OK) { return code; }
    code = curl_easy_setopt(handle, CURLOPT_DEBUGDATA, userdata);
    if (code != CURLE_OK || callback == NULL) { return code; }
    return curl_easy_setopt(handle, CURLOPT_VERBOSE, 1L);
}

/// curl_version_info for the version of the headers compiled against (CURLVERSION_NOW is a macro).
static inline curl_version_info_data *hl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
