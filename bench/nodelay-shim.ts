/**
 * An LD_PRELOAD shim that turns on TCP_NODELAY for every socket a process accepts. Debian's
 * storescp leaves Nagle's algorithm on, so each C-STORE response waits ~40 ms for the delayed
 * ACK; with the shim the benchmarks measure our sender, not that wait.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NODELAY_SHIM = `
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
static void nodelay(int fd) { if (fd >= 0) { int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); } }
int accept(int s, struct sockaddr *a, socklen_t *l) {
  static int (*real)(int, struct sockaddr *, socklen_t *);
  if (!real) real = dlsym(RTLD_NEXT, "accept");
  int fd = real(s, a, l); nodelay(fd); return fd;
}
int accept4(int s, struct sockaddr *a, socklen_t *l, int f) {
  static int (*real)(int, struct sockaddr *, socklen_t *, int);
  if (!real) real = dlsym(RTLD_NEXT, "accept4");
  int fd = real(s, a, l, f); nodelay(fd); return fd;
}
`;

/** Compiles the shim into `dir` with gcc and returns the path of the shared object. */
export function buildNoDelayShim(dir: string): string {
  writeFileSync(join(dir, 'nodelay.c'), NODELAY_SHIM);
  const so = join(dir, 'nodelay.so');
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', so, join(dir, 'nodelay.c'), '-ldl']);
  return so;
}
