/* The lines "sspr admin test" prints, and the fixes it names often. */
#include <stdarg.h>
#include <stdio.h>

#include "sspr/cmd/admin_test_out.h"
#include "sspr/m365/graph.h"

static void __attribute__((format(printf, 3, 0)))
vline(FILE *out, const char *tag, const char *fmt, va_list ap)
{
	char buf[TEXT_MAX];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(out, "%-6s%s\n", tag, buf);
}

void
out_ok(struct run *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(t->out, "OK", fmt, ap);
	va_end(ap);
}

void
out_info(struct run *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(t->out, "INFO", fmt, ap);
	va_end(ap);
}

void
out_failed(struct run *t, const char *fmt, ...)
{
	va_list ap;

	t->failed++;
	va_start(ap, fmt);
	vline(t->out, "FAIL", fmt, ap);
	va_end(ap);
}

void
out_note(struct run *t, const char *label, const char *fmt, ...)
{
	char buf[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(t->out, "      %s%s%s\n", label, label[0] != '\0' ? " " : "",
		buf);
}

void
out_fix_permission(struct run *t, const char *names)
{
	out_note(
	    t, "fix:",
	    "grant the application permission %s: " ENTRA
	    " > App registrations > the app (client_id %s) > API "
	    "permissions > Add a permission > Microsoft Graph > Application "
	    "permissions > %s > Add permissions, then \"Grant admin consent\"",
	    names, t->cfg->client_id, names);
}

void
out_fix_role(struct run *t)
{
	out_note(t, "",
		 "setting passwords also needs the \"" ROLE_NAME "\" "
		 "directory role: " ENTRA
		 " > Roles and administrators > " ROLE_NAME
		 " > Add assignments > the app (client_id %s)",
		 t->cfg->client_id);
}

void
out_detail_graph(struct run *t, const struct sspr_graph_result *res,
		 const char *what)
{
	char buf[TEXT_MAX];

	sspr_graph_result_log(res, what, buf, sizeof(buf));
	out_note(t, "detail:", "%s", buf);
}
