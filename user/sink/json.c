#include <errno.h>
#include <stdlib.h>
#include "sink/outfile.h"
#include "snapshot/write_json.h"
#include "sink/sink.h"

struct json_priv {
	struct outfile *out;
	struct jw w;
};

static int json_write(struct sink *k, const struct snapshot *s)
{
	struct json_priv *p = k->priv;

	jw_reset(&p->w);
	render_json(s, &p->w);
	if (p->w.oom)
		return -ENOMEM;
	if (outfile_write_line(p->out, p->w.buf, p->w.len))
		return -errno;
	return 0;
}

static void json_close(struct sink *k)
{
	struct json_priv *p = k->priv;

	outfile_close(p->out);
	jw_free(&p->w);
	free(p);
	free(k);
}

struct sink *sink_json_new(const char *path)
{
	struct sink *k = calloc(1, sizeof(*k));
	struct json_priv *p = calloc(1, sizeof(*p));

	if (!k || !p)
		goto fail;
	p->out = outfile_open(path);
	if (!p->out)
		goto fail;
	jw_init(&p->w);
	k->name = "json";
	k->input_fd = -1;
	k->write = json_write;
	k->close = json_close;
	k->priv = p;
	return k;
fail:
	free(p);
	free(k);
	return NULL;
}

void sink_json_set_rotation(struct sink *k, unsigned long long max_bytes, unsigned keep)
{
	struct json_priv *p = k->priv;

	outfile_set_rotation(p->out, max_bytes, keep);
}

void sink_close(struct sink *k)
{
	if (k && k->close)
		k->close(k);
}
