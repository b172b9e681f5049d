// The system zlib (zlib1g-dev), for inflating XLSX zip entries. Nothing else in C.
#include <zlib.h>
