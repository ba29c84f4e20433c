// Copying the payload's files out with libsquashfuse's own reader: for
// --appimage-extract, and to run the app where FUSE cannot be used.
#ifndef RUNTIME_EXTRACT_H
#define RUNTIME_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

// Folders, regular files (with their permissions and times) and symbolic links go into
// the folder destination, which is made if missing; an existing file of the same name is
// replaced. With a pattern, only the paths that match it (fnmatch, '*' matching '/' too,
// and a matching folder bringing everything in it) and the folders above them. With
// list, each path is printed on stdout as "DESTINATION/path". False after saying why.
bool extract_payload(const char *image, uint64_t offset, const char *destination,
                     const char *pattern, bool list);

#endif
