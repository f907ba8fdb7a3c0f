/* The HTTP endpoint (--listen): GET /metrics (Prometheus text 0.0.4, or
 * OpenMetrics 1.0 when the scraper's Accept asks for it), GET /snapshot (the
 * last snapshot as JSON) and GET / (what is here), served by libmicrohttpd
 * from its own thread.
 *
 * A scrape never waits on a collector or a BPF map: each snapshot is
 * rendered here once, in the main loop, into finished buffers that are
 * swapped in under a mutex; a request only copies the current ones. The
 * daemon keeps at most HTTP_MAX_CONN connections (HTTP_MAX_PER_IP from one
 * address) and drops one idle for HTTP_TIMEOUT_S, so slow or many clients
 * cost memory and a thread's time, never the collectors'.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "lib/netaddr.h"
#include "options.h"
#include "sink/prom.h"
#include "sink/sink.h"
#include "snapshot/write_json.h"

#define HTTP_MAX_CONN 16
#define HTTP_MAX_PER_IP 8
#define HTTP_TIMEOUT_S 10

#define CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define CT_OM "application/openmetrics-text; version=1.0.0; charset=utf-8"

struct buf {
	char *p;
	size_t n;
};

struct http_priv {
	struct MHD_Daemon *d;
	int lfd;
	struct prom_render *r;
	struct jw w;
	pthread_mutex_t lock;		/* the three buffers and scrape_ns */
	struct buf text, om, json;	/* the last snapshot, rendered */
	__u64 scrape_ns;		/* how long the previous /metrics took */
};

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (__u64)t.tv_sec * 1000000000ULL + (__u64)t.tv_nsec;
}

/* The scraper asks for OpenMetrics (Prometheus 2.x sends both, OpenMetrics
 * first: it is taken whenever named). */
static bool wants_om(struct MHD_Connection *c)
{
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");

	return a && strstr(a, "application/openmetrics-text");
}

/* body is copied, or with mode MHD_RESPMEM_MUST_FREE handed over (freed
 * by the daemon, also when this fails). */
static enum MHD_Result reply_mode(struct MHD_Connection *c, unsigned status, const char *type,
				  const char *body, size_t n, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free((void *)body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t n)
{
	return reply_mode(c, status, type, body, n, MHD_RESPMEM_MUST_COPY);
}

/* /metrics: the last rendering, then how long the previous scrape took
 * (before the first snapshot: build_info only). */
static enum MHD_Result serve_metrics(struct http_priv *p, struct MHD_Connection *c)
{
	bool om = wants_om(c);
	__u64 t0 = now_ns();
	char *body = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&body, &n);
	enum MHD_Result ret;

	if (!f)
		return MHD_NO;
	pthread_mutex_lock(&p->lock);
	const struct buf *b = om ? &p->om : &p->text;
	if (b->n)
		fwrite(b->p, 1, b->n, f);
	else
		prom_render_build_info(f, om);
	fprintf(f, "# HELP latscope_scrape_duration_seconds How long the previous scrape of /metrics took to serve.\n"
		   "# TYPE latscope_scrape_duration_seconds gauge\n"
		   "latscope_scrape_duration_seconds %.9f\n", (double)p->scrape_ns / 1e9);
	pthread_mutex_unlock(&p->lock);
	if (om)
		fputs("# EOF\n", f);
	if (fclose(f)) {
		free(body);
		return MHD_NO;
	}
	ret = reply_mode(c, MHD_HTTP_OK, om ? CT_OM : CT_TEXT, body, n, MHD_RESPMEM_MUST_FREE);
	pthread_mutex_lock(&p->lock);
	p->scrape_ns = now_ns() - t0;
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static enum MHD_Result serve_snapshot(struct http_priv *p, struct MHD_Connection *c)
{
	enum MHD_Result ret;

	pthread_mutex_lock(&p->lock);
	if (p->json.n)
		ret = reply(c, MHD_HTTP_OK, "application/json", p->json.p, p->json.n);
	else
		ret = reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
			    "no snapshot yet\n", 16);
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>latscope</title></head><body>\n"
	"<h1>latscope " LATSCOPE_VERSION "</h1>\n<ul>\n"
	"<li><a href=\"/metrics\">/metrics</a>: Prometheus text format 0.0.4 "
	"(OpenMetrics 1.0 when asked for in Accept)</li>\n"
	"<li><a href=\"/snapshot\">/snapshot</a>: the last snapshot, JSON (schema latscope/1)</li>\n"
	"</ul>\n</body></html>\n";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct http_priv *p = cls;

	(void)version;
	(void)upload_data;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		*upload_size = 0;	/* a body is not read */
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     "only GET\n", 9);
	}
	if (!*con_cls) {	/* headers only so far: answer once they are all in */
		*con_cls = p;
		return MHD_YES;
	}
	if (!strcmp(url, "/metrics"))
		return serve_metrics(p, c);
	if (!strcmp(url, "/snapshot"))
		return serve_snapshot(p, c);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", index_page,
			     sizeof(index_page) - 1);
	return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", "not found\n", 10);
}

/* s rendered into b (open_memstream's buffer replaces b's). */
static int render_prom(struct http_priv *p, const struct snapshot *s, bool om, struct buf *b)
{
	FILE *f = open_memstream(&b->p, &b->n);

	if (!f)
		return -errno;
	prom_render_write(p->r, s, f, om);
	return fclose(f) ? -ENOMEM : 0;
}

static int http_write(struct sink *k, const struct snapshot *s)
{
	struct http_priv *p = k->priv;
	struct buf text = { 0 }, om = { 0 }, json = { 0 };
	int err;

	if ((err = prom_render_update(p->r, s)))
		return err;
	if ((err = render_prom(p, s, false, &text)) || (err = render_prom(p, s, true, &om)))
		goto out;
	jw_reset(&p->w);
	render_json(s, &p->w);
	if (p->w.oom || !(json.p = malloc(p->w.len + 1))) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(json.p, p->w.buf, p->w.len);
	json.p[p->w.len] = '\n';
	json.n = p->w.len + 1;
	/* swap: the old buffers are freed below, outside the lock */
	pthread_mutex_lock(&p->lock);
	struct buf t;
	t = p->text, p->text = text, text = t;
	t = p->om, p->om = om, om = t;
	t = p->json, p->json = json, json = t;
	pthread_mutex_unlock(&p->lock);
out:
	free(text.p);
	free(om.p);
	free(json.p);
	return err;
}

static void http_close(struct sink *k)
{
	struct http_priv *p = k->priv;

	if (p->d)
		MHD_stop_daemon(p->d);
	if (p->lfd >= 0)
		close(p->lfd);
	prom_render_free(p->r);
	jw_free(&p->w);
	free(p->text.p);
	free(p->om.p);
	free(p->json.p);
	pthread_mutex_destroy(&p->lock);
	free(p);
	free(k);
}

/* Our own listening socket, so that "address in use" is an errno to report
 * (libmicrohttpd only logs it). -1 + errno. */
static int listen_on(const struct netaddr *a)
{
	int one = 1, fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) || listen(fd, 64)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

struct sink *sink_http_new(const struct netaddr *a, unsigned buckets)
{
	struct sink *k = calloc(1, sizeof(*k));
	struct http_priv *p = calloc(1, sizeof(*p));
	int e = ENOMEM;

	if (!k || !p)
		goto fail;
	p->lfd = -1;
	pthread_mutex_init(&p->lock, NULL);
	jw_init(&p->w);
	k->priv = p;
	if (!(p->r = prom_render_new(buckets)))
		goto fail_close;
	if ((p->lfd = listen_on(a)) < 0) {
		e = errno;
		goto fail_close;
	}
	p->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
				(a->ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, on_request, p,
				MHD_OPTION_LISTEN_SOCKET, p->lfd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONN,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_MAX_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
				MHD_OPTION_END);
	if (!p->d) {
		e = EIO;
		goto fail_close;
	}
	p->lfd = -1;	/* the daemon's now: closed by MHD_stop_daemon */
	k->name = "http";
	k->input_fd = -1;
	k->write = http_write;
	k->close = http_close;
	return k;
fail_close:
	http_close(k);
	errno = e;
	return NULL;
fail:
	free(p);
	free(k);
	errno = e;
	return NULL;
}
