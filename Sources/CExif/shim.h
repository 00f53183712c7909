// libexif, from Debian's libexif-dev (pkg-config: libexif).
// Used only on bytes Tipline produced itself, never on a tipster's file.
#include <libexif/exif-data.h>
#include <libexif/exif-loader.h>
#include <libexif/exif-utils.h>
