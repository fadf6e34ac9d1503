/* lesson_cli.c — see lesson_cli.h. Plain C11: no getopt, so the lessons build anywhere. */
#include "lesson_cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage_texts(FILE *out, const lesson_text_opt *t, int nt)
{
    for (int i = 0; i < nt; i++) {
        char left[48];
        snprintf(left, sizeof left, "%c%c%s--%s %s", t[i].short_name ? '-' : ' ',
                 t[i].short_name ? t[i].short_name : ' ', t[i].short_name ? ", " : "  ", t[i].name,
                 t[i].value);
        if (*t[i].target)
            fprintf(out, "  %-22s %s (default %s)\n", left, t[i].help, *t[i].target);
        else /* its default depends on other options: the help says it */
            fprintf(out, "  %-22s %s\n", left, t[i].help);
    }
}

static void usage(FILE *out, const char *prog, const char *summary, const lesson_opt *opts, int n,
                  const lesson_text_opt *texts, int nt)
{
    fprintf(out, "%s\n\nUsage: %s [options]\n\nOptions:\n", summary, prog);
    usage_texts(out, texts, nt);
    for (int i = 0; i < n; i++) {
        char left[48];
        if (opts[i].short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].short_name, opts[i].name,
                     opts[i].value ? " " : "", opts[i].value ? opts[i].value : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", opts[i].name, opts[i].value ? " " : "",
                     opts[i].value ? opts[i].value : "");
        if (opts[i].value)
            fprintf(out, "  %-22s %s (default %" PRIu64 ")\n", left, opts[i].help, *opts[i].target);
        else
            fprintf(out, "  %-22s %s\n", left, opts[i].help);
    }
    fprintf(out, "  %-22s %s\n", "-h, --help", "show this help and exit");
}

static const lesson_text_opt *find_text(const char *arg, const lesson_text_opt *t, int nt)
{
    for (int i = 0; i < nt; i++) {
        if (arg[0] == '-' && arg[1] == '-' && strcmp(arg + 2, t[i].name) == 0)
            return &t[i];
        if (arg[0] == '-' && arg[1] == t[i].short_name && arg[1] && arg[2] == '\0')
            return &t[i];
    }
    return NULL;
}

static const lesson_opt *find(const char *arg, const lesson_opt *opts, int n)
{
    for (int i = 0; i < n; i++) {
        if (arg[0] == '-' && arg[1] == '-' && strcmp(arg + 2, opts[i].name) == 0)
            return &opts[i];
        if (arg[0] == '-' && arg[1] == opts[i].short_name && arg[1] && arg[2] == '\0')
            return &opts[i];
    }
    return NULL;
}

static int parse_number(const char *prog, const lesson_opt *o, const char *text)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!text[0] || text[0] == '-' || *end || errno || v < o->min || v > o->max) {
        fprintf(stderr, "%s: --%s needs a whole number from %" PRIu64 " to %" PRIu64 ", not '%s'\n",
                prog, o->name, o->min, o->max, text);
        return -1;
    }
    *o->target = (uint64_t)v;
    return 0;
}

lesson_cli_result lesson_cli_parse(int argc, char **argv, const char *summary,
                                   const lesson_opt *opts, int n)
{
    return lesson_cli_parse_texts(argc, argv, summary, opts, n, NULL, 0);
}

lesson_cli_result lesson_cli_parse_texts(int argc, char **argv, const char *summary,
                                         const lesson_opt *opts, int n,
                                         const lesson_text_opt *texts, int nt)
{
    const char *prog = argc > 0 && argv[0] ? argv[0] : "lesson";
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout, prog, summary, opts, n, texts, nt);
            return LESSON_CLI_EXIT_OK;
        }
        const char *eq = strchr(arg, '=');
        char name[64];
        if (eq && (size_t)(eq - arg) < sizeof name) { /* --rate=100 */
            memcpy(name, arg, (size_t)(eq - arg));
            name[eq - arg] = '\0';
            arg = name;
        }
        const lesson_text_opt *t = find_text(arg, texts, nt);
        if (t) {
            const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!value || !value[0]) {
                fprintf(stderr, "%s: --%s needs a value (%s); try --help\n", prog, t->name,
                        t->value);
                return LESSON_CLI_ERROR;
            }
            *t->target = value;
            continue;
        }
        const lesson_opt *o = find(arg, opts, n);
        if (!o) {
            fprintf(stderr, "%s: unknown option '%s'; try --help\n", prog, argv[i]);
            return LESSON_CLI_ERROR;
        }
        if (!o->value) {
            *o->target = 1;
            continue;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            fprintf(stderr, "%s: --%s needs a value (%s); try --help\n", prog, o->name, o->value);
            return LESSON_CLI_ERROR;
        }
        if (parse_number(prog, o, value) != 0)
            return LESSON_CLI_ERROR;
    }
    return LESSON_CLI_RUN;
}
