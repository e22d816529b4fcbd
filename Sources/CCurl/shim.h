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

static inline CURLcode hl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*hl_read_callback)(char *buffer, size_t size, size_t nitems, void *userdata);

/// Sets READFUNCTION and READDATA together so they can never disagree.
static inline CURLcode hl_setopt_read(CURL *handle, hl_read_callback callback, void *userdata) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
    if (code != CURLE_OK) { return code; }
    return curl_easy_setopt(handle, CURLOPT_READDATA, userdata);
}

static inline CURLcode hl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// CURLOPT_MAIL_RCPT_ALLOWFAILS is spelled with three Ls before curl 8.2.0.
static inline CURLcode hl_setopt_rcpt_allowfails(CURL *handle, long value) {
#if LIBCURL_VERSION_NUM >= 0x080200
    return curl_easy_setopt(handle, CURLOPT_MAIL_RCPT_ALLOWFAILS, value);
#elif LIBCURL_VERSION_NUM >= 0x074500
    return curl_easy_setopt(handle, CURLOPT_MAIL_RCPT_ALLLOWFAILS, value);
#else
    return CURLE_UNKNOWN_OPTION;
#endif
}

/// curl_version_info for the version of the headers compiled against (CURLVERSION_NOW is a macro).
static inline curl_version_info_data *hl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
