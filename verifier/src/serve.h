/* The serve subcommand (serve.c), called from main.c. */
#ifndef VERIFIER_SERVE_H
#define VERIFIER_SERVE_H

/* Its --help text. */
extern const char verifier_usage_serve[];
/* civid-verifier serve ...: argv[0] is "serve". Returns the exit status. */
int verifier_cmd_serve(int argc, char **argv);

#endif
