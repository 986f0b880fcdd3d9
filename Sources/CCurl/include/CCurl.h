#ifndef LOOKOUT_CCURL_H
#define LOOKOUT_CCURL_H

#include <curl/curl.h>

// Swift cannot call C variadic functions, so every curl_easy_setopt and curl_easy_getinfo call
// the transport needs goes through one of these typed, logic-free wrappers.

CURLcode lookout_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode lookout_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
// `value` may be NULL, which restores an option's "unset" state (e.g. CURLOPT_CAPATH).
CURLcode lookout_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode lookout_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
// Sets a CURLOPT_*_BLOB option with CURL_BLOB_COPY, so `data` need not outlive the call.
CURLcode lookout_curl_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);
CURLcode lookout_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list);
CURLcode lookout_curl_setopt_write_function(CURL *handle, curl_write_callback callback);
CURLcode lookout_curl_setopt_header_function(CURL *handle, curl_write_callback callback);
CURLcode lookout_curl_setopt_xferinfo_function(CURL *handle, curl_xferinfo_callback callback);
CURLcode lookout_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode lookout_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);

#endif
