/* The serve subcommand (serve.c), called from main.c. */
#ifndef ISSUER_SERVE_H
#define ISSUER_SERVE_H

/* Its --help text. */
extern const char issuer_usage_serve[];
/* civid-issuer serve ...: argv[0] is "serve". Returns the exit status. */
int issuer_cmd_serve(int argc, char **argv);

#endif
