/*
 * The kernel side of bench/http.mjs, in C so that the figure is the kernel's and not a language runtime's:
 *
 *   kernel-http serve DNS_IP NWORKERS        backend namespace: DNS on DNS_IP:53/udp, HTTP on 0.0.0.0:8080
 *   kernel-http client DNS_IP COUNT SERVICES INFLIGHT
 *                                            client namespace: COUNT requests as curl makes them, INFLIGHT
 *                                            processes at once; prints "<requests/s> <failures>"
 *   kernel-http connect IP PORT COUNT INFLIGHT
 *                                            client namespace: COUNT new connections with GET / to IP:PORT
 *                                            (no DNS): the connection rate bench/netfilter.mjs --kernel prints
 *
 * A request: A and AAAA queries for svc-I.nsJ.svc.cluster.local (sent together, as curl's resolver does) to the
 * kube-dns ClusterIP, a new TCP connection to the A answer, GET /, read the response, close (the client first).
 * The DNS server answers A with the bench's ClusterIP formula (10.96.1.0 + 7·I) and AAAA with NOERROR/NODATA
 * and an SOA, as CoreDNS does for a ClusterIP Service. Built by http-kernel.ts with the system C compiler.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 18\r\n\r\nhello from server\n";

/* Encode a dotted name as DNS labels; returns the length written. */
static int put_name(unsigned char *out, const char *name) {
  int n = 0;
  while (*name) {
    const char *dot = strchr(name, '.');
    int len = dot ? (int)(dot - name) : (int)strlen(name);
    out[n++] = (unsigned char)len;
    memcpy(out + n, name, len);
    n += len;
    name += len + (dot ? 1 : 0);
  }
  out[n++] = 0;
  return n;
}

static void serve_dns(const char *ip) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
  inet_pton(AF_INET, ip, &a.sin_addr);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind dns"); exit(1); }
  unsigned char q[512], r[512];
  for (;;) {
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    ssize_t n = recvfrom(s, q, sizeof q, 0, (struct sockaddr *)&peer, &pl);
    if (n < 17) continue;
    int o = 12;
    char name[256];
    int nl = 0;
    while (o < n && q[o] != 0 && nl < 200) {
      int len = q[o];
      if (nl) name[nl++] = '.';
      memcpy(name + nl, q + o + 1, len);
      nl += len;
      o += len + 1;
    }
    name[nl] = 0;
    int qend = o + 5;
    if (qend > n) continue;
    int qtype = (q[o + 1] << 8) | q[o + 2];
    int idx = -1;
    if (strncmp(name, "svc-", 4) == 0 && strstr(name, ".svc.cluster.local")) idx = atoi(name + 4);
    memcpy(r, q, qend);
    r[2] = 0x84 | (q[2] & 1);
    r[3] = idx >= 0 ? 0x80 : 0x83;
    memset(r + 6, 0, 6);
    int w = qend;
    if (idx >= 0 && qtype == 1) {
      r[7] = 1;
      unsigned char rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4};
      memcpy(r + w, rr, sizeof rr);
      w += sizeof rr;
      uint32_t addr = htonl(0x0a600100u + 7u * (uint32_t)idx);
      memcpy(r + w, &addr, 4);
      w += 4;
    } else {
      r[11] = 1;
      unsigned char rr[] = {0xc0, 0x0c, 0, 6, 0, 1, 0, 0, 0, 30, 0, 0};
      memcpy(r + w, rr, sizeof rr);
      int lenAt = w + 10;
      w += sizeof rr;
      int start = w;
      w += put_name(r + w, "ns.dns.cluster.local");
      w += put_name(r + w, "hostmaster.cluster.local");
      memset(r + w, 0, 20);
      r[w + 3] = 1;
      w += 20;
      r[lenAt] = (unsigned char)((w - start) >> 8);
      r[lenAt + 1] = (unsigned char)(w - start);
    }
    sendto(s, r, w, 0, (struct sockaddr *)&peer, pl);
  }
}

static void serve_http(int ls) {
  char buf[2048];
  for (;;) {
    int c = accept(ls, NULL, NULL);
    if (c < 0) continue;
    int got = 0;
    for (;;) {
      ssize_t n = read(c, buf + got, sizeof buf - 1 - got);
      if (n <= 0) break;
      got += n;
      buf[got] = 0;
      if (strstr(buf, "\r\n\r\n")) {
        if (write(c, RESPONSE, sizeof RESPONSE - 1) < 0) break;
        got = 0;
      }
    }
    close(c);
  }
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* GET / on a new connection to dst; returns 1 on a complete 200 response. */
static int http_get(const struct sockaddr_in *dst, const char *host) {
  struct timeval tv = {.tv_sec = 2};
  int s = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(s, (const struct sockaddr *)dst, sizeof *dst) < 0) { close(s); return 0; }
  char req[256];
  int rl = snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", host);
  if (write(s, req, rl) != rl) { close(s); return 0; }
  char buf[1024];
  int got = 0;
  while (got < (int)sizeof RESPONSE - 1) {
    ssize_t n = read(s, buf + got, sizeof buf - got);
    if (n <= 0) break;
    got += n;
  }
  close(s);
  return got == (int)sizeof RESPONSE - 1 && memcmp(buf, "HTTP/1.1 200", 12) == 0;
}

/* One request; returns 1 on a complete 200 response. */
static int one_request(const struct sockaddr_in *dns, int i) {
  char name[128];
  snprintf(name, sizeof name, "svc-%d.ns%d.svc.cluster.local", i, i % 50);
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  struct timeval tv = {.tv_sec = 2};
  setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(u, (const struct sockaddr *)dns, sizeof *dns) < 0) { close(u); return 0; }
  unsigned char q[256];
  for (int t = 0; t < 2; t++) {
    int id = (i * 2 + t) & 0xffff;
    unsigned char hdr[12] = {(unsigned char)(id >> 8), (unsigned char)id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(q, hdr, 12);
    int w = 12 + put_name(q + 12, name);
    int qt = t == 0 ? 1 : 28;
    q[w++] = 0; q[w++] = (unsigned char)qt; q[w++] = 0; q[w++] = 1;
    if (send(u, q, w, 0) < 0) { close(u); return 0; }
  }
  uint32_t addr = 0;
  for (int t = 0; t < 2; t++) {
    unsigned char r[512];
    ssize_t n = recv(u, r, sizeof r, 0);
    if (n < 16) { close(u); return 0; }
    if (r[7] == 1 && n >= 4 && r[n - 6] == 0 && r[n - 5] == 4) memcpy(&addr, r + n - 4, 4);
  }
  close(u);
  if (!addr) return 0;
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(80), .sin_addr.s_addr = addr};
  return http_get(&dst, name);
}

/* Run `count` jobs over `inflight` processes; prints "<jobs/s> <failures>". */
static int fan_out(int count, int inflight, int (*job)(int k, void *arg), void *arg) {
  int fds[2];
  if (pipe(fds) < 0) return 1;
  double t0 = now_s();
  for (int p = 0; p < inflight; p++) {
    if (fork() == 0) {
      int fails = 0;
      for (int k = p; k < count; k += inflight) fails += !job(k, arg);
      if (write(fds[1], &fails, sizeof fails) < 0) _exit(1);
      _exit(0);
    }
  }
  int fails = 0;
  for (int p = 0; p < inflight; p++) {
    int f = 0;
    if (read(fds[0], &f, sizeof f) == sizeof f) fails += f;
    wait(NULL);
  }
  printf("%f %d\n", count / (now_s() - t0), fails);
  return 0;
}

struct dns_job { struct sockaddr_in dns; int services; };
static int dns_http_job(int k, void *arg) {
  struct dns_job *j = arg;
  return one_request(&j->dns, (int)(((long)k * 7919) % j->services));
}
static int connect_job(int k, void *arg) {
  (void)k;
  return http_get((const struct sockaddr_in *)arg, "bench");
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc >= 4 && strcmp(argv[1], "serve") == 0) {
    int workers = atoi(argv[3]);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1024) < 0) { perror("http"); return 1; }
    for (int k = 0; k < workers; k++) if (fork() == 0) { serve_http(ls); return 0; }
    if (fork() == 0) { serve_dns(argv[2]); return 0; }
    printf("ready\n");
    fflush(stdout);
    /* Stay as the group's parent; the harness kills the process group. */
    for (;;) pause();
  }
  if (argc >= 6 && strcmp(argv[1], "client") == 0) {
    struct dns_job j = {.dns = {.sin_family = AF_INET, .sin_port = htons(53)}, .services = atoi(argv[4])};
    inet_pton(AF_INET, argv[2], &j.dns.sin_addr);
    return fan_out(atoi(argv[3]), atoi(argv[5]), dns_http_job, &j);
  }
  if (argc >= 6 && strcmp(argv[1], "connect") == 0) {
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
    inet_pton(AF_INET, argv[2], &dst.sin_addr);
    return fan_out(atoi(argv[4]), atoi(argv[5]), connect_job, &dst);
  }
  fprintf(stderr, "usage: kernel-http serve DNS_IP NWORKERS | client DNS_IP COUNT SERVICES INFLIGHT | connect IP PORT COUNT INFLIGHT\n");
  return 2;
}
