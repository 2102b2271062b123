/*
 * The lines "sspr admin test" prints, and the fixes it names often. With
 * --json the same calls build one JSON object instead (schema in
 * sspr(1), "JSON OUTPUT"): every check reports through here, so both
 * forms always say the same.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sspr/cmd/admin_json.h"
#include "sspr/cmd/admin_test_out.h"
#include "sspr/cmd/output.h"
#include "sspr/m365/graph.h"

/* A new check in the JSON form: { result, text, notes: [] }. */
static void
json_check(struct run *t, const char *result, const char *text)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || t->checks == NULL ||
	    !cJSON_AddItemToArray(t->checks, o)) {
		cJSON_Delete(o);
		t->json_broken = true;
		return;
	}
	if (cJSON_AddStringToObject(o, "result", result) == NULL ||
	    cJSON_AddStringToObject(o, "text", text) == NULL ||
	    cJSON_AddArrayToObject(o, "notes") == NULL)
		t->json_broken = true;
}

/* tag: the text form's; result: the JSON form's ("ok", "info", "fail"). */
static void __attribute__((format(printf, 4, 0)))
vline(struct run *t, const char *tag, const char *result, const char *fmt,
      va_list ap)
{
	char buf[TEXT_MAX];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (t->json)
		json_check(t, result, buf);
	else
		fprintf(t->out, "%-6s%s\n", tag, buf);
}

void
out_begin(struct run *t, bool json)
{
	t->json = json;
	t->checks = json ? cJSON_CreateArray() : NULL;
	if (json && t->checks == NULL)
		t->json_broken = true;
}

void
out_ok(struct run *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(t, "OK", "ok", fmt, ap);
	va_end(ap);
}

void
out_info(struct run *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(t, "INFO", "info", fmt, ap);
	va_end(ap);
}

void
out_failed(struct run *t, const char *fmt, ...)
{
	va_list ap;

	t->failed++;
	va_start(ap, fmt);
	vline(t, "FAIL", "fail", fmt, ap);
	va_end(ap);
}

/*
 * A note of the last check in the JSON form, one a line of the text
 * form: { label: "fix" | "detail" | null, text }.
 */
static void
json_note(struct run *t, const char *label, const char *text)
{
	cJSON *check =
	    cJSON_GetArrayItem(t->checks, cJSON_GetArraySize(t->checks) - 1);
	cJSON *notes = cJSON_GetObjectItemCaseSensitive(check, "notes");
	cJSON *o = cJSON_CreateObject();
	char word[16];

	if (o == NULL || notes == NULL || !cJSON_AddItemToArray(notes, o)) {
		cJSON_Delete(o);
		t->json_broken = true;
		return;
	}
	/* "fix:" -> "fix", "" -> null */
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(label, ":"), label);
	if ((word[0] != '\0' ? cJSON_AddStringToObject(o, "label", word)
			     : cJSON_AddNullToObject(o, "label")) == NULL ||
	    cJSON_AddStringToObject(o, "text", text) == NULL)
		t->json_broken = true;
}

void
out_note(struct run *t, const char *label, const char *fmt, ...)
{
	char buf[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (t->json)
		json_note(t, label, buf);
	else
		fprintf(t->out, "      %s%s%s\n", label,
			label[0] != '\0' ? " " : "", buf);
}

/* The JSON form's object: { version, checks, failed }; its exit status. */
static int
json_end(struct run *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *checks = t->checks;
	bool ok;

	t->checks = NULL;
	ok = o != NULL &&
	     cJSON_AddNumberToObject(o, "version", JSON_VERSION) != NULL;
	if (ok && cJSON_AddItemToObject(o, "checks", checks))
		checks = NULL;
	else
		ok = false;
	cJSON_Delete(checks);
	ok = ok && cJSON_AddNumberToObject(o, "failed", t->failed) != NULL &&
	     !t->json_broken;
	/* Never a half object that a script could take for a verdict. */
	return json_print(o, ok);
}

unsigned
out_end(struct run *t)
{
	unsigned failed;

	if (t->json)
		failed = json_end(t) == EXIT_OK ? t->failed : t->failed + 1;
	else if ((failed = t->failed) == 0)
		fprintf(t->out, "All checks passed.\n");
	else
		fprintf(t->out, "%u check%s failed.\n", failed,
			failed == 1 ? "" : "s");
	fflush(t->out);
	return failed;
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
