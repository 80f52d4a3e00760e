/*
 * nome-mask: the last step of building a sandbox, run by bubblewrap inside it. It masks every
 * noAccess path, then drops its capabilities for good and executes the command.
 *
 * Why NOME's own (and not bubblewrap's --ro-bind /dev/null): bubblewrap re-reads the whole mount
 * table after every bind, so a workspace with 200 protected files cost ~65 ms per command; these
 * mounts are made directly, ~1.5 ms for the same 200. Nothing else here: the namespaces, the
 * other mounts and no_new_privs are bubblewrap's.
 *
 * Usage: nome-mask FD UID GID -- COMMAND [ARG...]
 *   FD holds NUL-terminated records of four fields each: kind ("d" directory or "f" file), st_dev,
 *   st_ino (decimal, as NOME saw them when it planned the run; "0" "0" when it could not), path.
 *   Each path is opened without following its last component and must still be the same file
 *   (device and inode), or nothing runs: a protected file moved or swapped while the sandbox was
 *   being built is never left visible. The mount is made on the opened file itself
 *   (/proc/self/fd/N), so no path is resolved twice.
 *   A directory gets an empty read-only tmpfs; a file a read-only bind of /dev/null.
 *
 * Privileges: bubblewrap starts it as uid 0 of the sandbox's user namespace (the one that owns the
 * mount namespace, so it can mount) with CAP_SYS_ADMIN, CAP_SETPCAP, CAP_SYS_RESOURCE and CAP_SETFCAP
 * only (the kernel asks for the last one before a nested namespace may map the sandbox's root).
 * After the masks, it does what bubblewrap's --uid and --disable-userns would have done: allows no
 * more user namespaces below the sandbox's (user.max_user_namespaces = 1), enters one nested user
 * namespace mapping UID/GID to the sandbox's root (it does not own the mount namespace: nothing can
 * be mounted or unmounted from it, whatever its capabilities), empties the bounding set, becomes
 * UID/GID (never 0, so execve grants nothing back), empties every other capability set, sets
 * no_new_privs, checks that all of it holds, and executes the command.
 *
 * It also closes every file descriptor but 0, 1 and 2, and joins a new session keyring, so nothing
 * NOME's process held open, and none of its session's keys, is within the command's reach.
 *
 * Exit 125 with a message on stderr when anything fails: the command never runs half-confined.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void die(const char *what, const char *path) {
  fprintf(stderr, "nome: the sandbox could not be built: %s%s%s%s%s\n", what, path ? " " : "", path ? path : "", errno ? ": " : "",
          errno ? strerror(errno) : "");
  exit(125);
}

static char *read_all(int fd, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  if (!buf) die("out of memory", NULL);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      if (!buf) die("out of memory", NULL);
    }
    ssize_t got = read(fd, buf + n, cap - n);
    if (got < 0) {
      if (errno == EINTR) continue;
      die("cannot read the mask list", NULL);
    }
    if (got == 0) break;
    n += (size_t)got;
  }
  *len = n;
  return buf;
}

static void mask(const char *kind, unsigned long long dev, unsigned long long ino, const char *path) {
  int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) die("cannot open the protected path", path);
  struct stat st;
  if (fstat(fd, &st) != 0) die("cannot stat the protected path", path);
  errno = 0;
  if ((dev != 0 || ino != 0) && ((unsigned long long)st.st_dev != dev || (unsigned long long)st.st_ino != ino)) die("a protected path changed while the sandbox was being built:", path);
  int dir = strcmp(kind, "d") == 0;
  if (dir != !!S_ISDIR(st.st_mode)) die("a protected path changed type while the sandbox was being built:", path);
  char target[64];
  snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
  if (dir) {
    if (mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=000") != 0) die("cannot mask", path);
  } else {
    if (mount("/dev/null", target, NULL, MS_BIND, NULL) != 0) die("cannot mask", path);
    // Remount the new bind (reached through the path, which now leads to it) read-only, nodev:
    // the mask then refuses reads and writes instead of reading empty.
    int top = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat mst;
    if (top < 0 || fstat(top, &mst) != 0 || !S_ISCHR(mst.st_mode) || major(mst.st_rdev) != 1 || minor(mst.st_rdev) != 3) die("the mask did not take its place at", path);
    char top_target[64];
    snprintf(top_target, sizeof top_target, "/proc/self/fd/%d", top);
    if (mount(NULL, top_target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) die("cannot make the mask read-only at", path);
    close(top);
  }
  close(fd);
}

/** Nothing NOME's process held open (pipes, watchers, sockets) reaches the command: only 0, 1 and 2. */
static void close_inherited_fds(void) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#endif
  for (int fd = 3; fd < 65536; fd++) close(fd);
}

static void write_file(const char *file, const char *text) {
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die("cannot open", file);
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len) die("cannot write", file);
  close(fd);
}

/** One nested user namespace, the last one: UID/GID there are the sandbox's root outside it. */
static void enter_nested_user_namespace(unsigned long uid, unsigned long gid) {
  char map[64];
  write_file("/proc/sys/user/max_user_namespaces", "1");
  if (unshare(CLONE_NEWUSER) != 0) die("cannot enter the nested user namespace", NULL);
  write_file("/proc/self/setgroups", "deny");
  snprintf(map, sizeof map, "%lu 0 1\n", uid);
  write_file("/proc/self/uid_map", map);
  snprintf(map, sizeof map, "%lu 0 1\n", gid);
  write_file("/proc/self/gid_map", map);
}

static void drop_capabilities(unsigned long uid, unsigned long gid) {
  errno = 0;
  int last = CAP_LAST_CAP;
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
  if (f) {
    if (fscanf(f, "%d", &last) != 1) last = CAP_LAST_CAP;
    fclose(f);
  }
  for (int cap = 0; cap <= last; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) die("cannot drop the capability bounding set", NULL);
  if (setresgid(gid, gid, gid) != 0) die("cannot change group", NULL);
  if (setresuid(uid, uid, uid) != 0) die("cannot change user", NULL);
  if (getuid() == 0 || geteuid() == 0) die("the command would run as root", NULL);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) die("cannot clear the ambient capabilities", NULL);
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) != 0) die("cannot drop the capabilities", NULL);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("cannot set no_new_privs", NULL);
  // Check, rather than trust: every set must now be empty.
  memset(data, 0xff, sizeof data);
  if (syscall(SYS_capget, &header, data) != 0) die("cannot read the capabilities", NULL);
  for (int i = 0; i < 2; i++)
    if (data[i].effective || data[i].permitted || data[i].inheritable) die("capabilities remain", NULL);
  for (int cap = 0; cap <= last; cap++)
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) die("the capability bounding set is not empty", NULL);
}

int main(int argc, char **argv) {
  if (argc < 6 || strcmp(argv[4], "--") != 0) {
    fprintf(stderr, "usage: nome-mask FD UID GID -- COMMAND [ARG...]\n");
    return 125;
  }
  int fd = atoi(argv[1]);
  unsigned long uid = strtoul(argv[2], NULL, 10);
  unsigned long gid = strtoul(argv[3], NULL, 10);
  if (uid == 0) {
    fprintf(stderr, "nome-mask: the command must not run as uid 0\n");
    return 125;
  }
  size_t len = 0;
  char *list = read_all(fd, &len);
  close(fd);
  const char *fields[4];
  int field = 0;
  for (size_t start = 0, i = 0; i < len; i++) {
    if (list[i] != '\0') continue;
    fields[field++] = list + start;
    start = i + 1;
    if (field == 4) {
      mask(fields[0], strtoull(fields[1], NULL, 10), strtoull(fields[2], NULL, 10), fields[3]);
      field = 0;
    }
  }
  errno = 0;
  if (field != 0) die("the mask list is malformed", NULL);
  free(list);
  close_inherited_fds();
  // A new anonymous session keyring: keys in NOME's (a Kerberos ticket, a token an agent cached)
  // are not the command's to read.
  if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL) < 0) die("cannot leave NOME's session keyring", NULL);
  enter_nested_user_namespace(uid, gid);
  drop_capabilities(uid, gid);
  execvp(argv[5], argv + 5);
  die("cannot run", argv[5]);
  return 125;
}
