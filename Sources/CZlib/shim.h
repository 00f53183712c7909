// zlib, used only to inflate PNG iCCP colour profiles so they can be classified.
#include <zlib.h>
