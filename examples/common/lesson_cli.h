/* lesson_cli.h — the command line the lessons share: --rate MS, --beats N, --help, and text
 * options such as --transport NAME.
 *
 * Each lesson declares its options as a table; lesson_cli_parse fills the values, prints
 * --help, and reports a bad argument with a clear message. */
#ifndef LESSON_CLI_H
#define LESSON_CLI_H

#include <stdint.h>

typedef struct lesson_opt {
    const char *name;  /* long name without dashes, e.g. "rate" */
    char short_name;   /* e.g. 'r', or 0 */
    const char *value; /* how --help names the value, e.g. "MS"; NULL for a flag */
    const char *help;
    uint64_t *target;  /* receives the number (flags receive 1) */
    uint64_t min, max; /* accepted range, inclusive */
} lesson_opt;

typedef enum lesson_cli_result {
    LESSON_CLI_RUN = 0, /* options parsed: run the lesson */
    LESSON_CLI_EXIT_OK, /* --help was printed: exit 0 */
    LESSON_CLI_ERROR,   /* a message was printed to stderr: exit 2 */
} lesson_cli_result;

/* An option whose value is text, e.g. --transport nats. */
typedef struct lesson_text_opt {
    const char *name;
    char short_name;
    const char *value; /* how --help names the value */
    const char *help;
    const char **target; /* receives argv's string (not copied); its default may be NULL */
} lesson_text_opt;

/* Parses argv against opts[0..n). Defaults are the values already in *target. */
lesson_cli_result lesson_cli_parse(int argc, char **argv, const char *summary,
                                   const lesson_opt *opts, int n);
/* The same, with text options texts[0..nt) too. */
lesson_cli_result lesson_cli_parse_texts(int argc, char **argv, const char *summary,
                                         const lesson_opt *opts, int n,
                                         const lesson_text_opt *texts, int nt);

#endif
