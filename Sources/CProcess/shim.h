// glibc process controls. prctl(2) is variadic, which Swift cannot call, so the one call
// Tipline makes is fixed here; mallopt(3), setrlimit(2) and getauxval(3) are re-exported as they are.
#include <malloc.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>

/// No core dump, no ptrace attach by the same user, /proc/PID/mem owned by root.
static inline int tipline_set_undumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

/// Every heap chunk glibc frees is overwritten with `byte` (and filled with its complement
/// when handed out again), so a freed request buffer no longer holds a tip.
static inline int tipline_perturb_freed_heap(int byte) { return mallopt(M_PERTURB, byte); }
