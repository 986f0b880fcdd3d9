// The system zlib, for gzip-compressing the report stored in a ConfigMap. libcurl already links it,
// so the runtime image gains no library.
#include <zlib.h>
