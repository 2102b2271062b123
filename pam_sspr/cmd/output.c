/* What the sspr command tells its caller: usage and errors. */
#include <stdarg.h>
#include <stdio.h>

#include "sspr/cmd/output.h"
#include "sspr/common/i18n.h"

void
usage(FILE *f)
{
	fputs(
	    _("Usage: sspr COMMAND\n"
	      "Register how you prove who you are when you reset a forgotten\n"
	      "password at the login prompt.\n"
	      "\n"
	      "  sspr status                  show what is registered\n"
	      "  sspr enroll email ADDRESS    register a backup email address\n"
	      "  sspr enroll totp             register an authenticator app\n"
	      "  sspr enroll sms NUMBER       register a mobile number\n"
	      "  sspr remove email|totp|sms   remove a registered method\n"
	      "\n"
	      "For root:\n"
	      "  sspr admin list [--json]     users with a record\n"
	      "  sspr admin show USER [--json]\n"
	      "                               one user's record\n"
	      "  sspr admin remove USER [email|totp|sms]\n"
	      "                               remove one method, or the "
	      "record\n"
	      "  sspr admin reconcile [USER]  finish interrupted password "
	      "changes;\n"
	      "                               exit 1 if one is left "
	      "unresolved\n"
	      "  sspr admin forget USER       drop an unresolved change once "
	      "both\n"
	      "                               passwords agree again\n"
	      "  sspr admin unlock USER       end a reset lockout\n"
	      "  sspr admin test [USER] [--send-to ADDRESS] [--json]\n"
	      "                               check the configuration, mail "
	      "and\n"
	      "                               Microsoft 365; changes nothing\n"
	      "  sspr admin report [--since YYYY-MM-DD] [--json]\n"
	      "                               who may reset, with how many "
	      "methods;\n"
	      "                               lockouts, resets and failures\n"
	      "  sspr --conf PATH ...         use another configuration file\n"
	      "\n"
	      "Changes ask for your password first.\n"
	      "Exit status: 0 done, 1 failed, 2 usage error, 3 authentication\n"
	      "failed, 4 not allowed.\n"),
	    f);
}

void
fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("sspr: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
