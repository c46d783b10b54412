/* A service that keeps its state in a memfd in systemd's fd store, as a
 * VMM keeps guest memory: started with its memfd (LISTEN_FDS, FDNAME
 * "state") it prints what the memfd holds; otherwise it makes one holding
 * argv[1] and hands it to systemd with FDSTORE=1 (sd_pid_notify_with_fds(3),
 * written out so that the test needs no libsystemd in the guest). Built
 * static by systemd_test.py, for a guest that runs Debian sid's systemd. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int notify_with_fd(const char *state, int fd) {
  const char *path = getenv("NOTIFY_SOCKET");
  if (path == NULL || (path[0] != '/' && path[0] != '@')) return -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  size_t len = strlen(path);
  if (len >= sizeof(addr.sun_path)) return -1;
  memcpy(addr.sun_path, path, len);
  if (path[0] == '@') addr.sun_path[0] = '\0';
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  struct iovec iov = {.iov_base = (void *)state, .iov_len = strlen(state)};
  char control[CMSG_SPACE(sizeof(int))] = {0};
  struct msghdr msg = {.msg_name = &addr,
                       .msg_namelen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len),
                       .msg_iov = &iov,
                       .msg_iovlen = 1};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  int r = sendmsg(s, &msg, 0) < 0 ? -1 : 0;
  close(s);
  return r;
}

int main(int argc, char **argv) {
  const char *fds = getenv("LISTEN_FDS"), *names = getenv("LISTEN_FDNAMES");
  if (fds != NULL && atoi(fds) >= 1 && names != NULL && strncmp(names, "state", 5) == 0) {
    char buf[256] = {0};
    ssize_t n = pread(3, buf, sizeof(buf) - 1, 0);
    printf("keeper: restored: %s\n", n > 0 ? buf : "(empty)");
    fflush(stdout);
    notify_with_fd("READY=1", -1);
  } else {
    const char *text = argc > 1 ? argv[1] : "state";
    int fd = memfd_create("state", MFD_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
      perror("keeper: memfd");
      return 1;
    }
    if (notify_with_fd("READY=1\nFDSTORE=1\nFDNAME=state", fd) < 0) {
      perror("keeper: notify");
      return 1;
    }
    printf("keeper: stored\n");
    fflush(stdout);
  }
  for (;;) pause();
}
