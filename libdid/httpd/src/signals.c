/* SIGTERM / SIGINT for graceful shutdown: the handler sets a flag, the main thread waits. */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* The one piece of process-wide state: signals are process-wide, and a handler may only set a
 * volatile sig_atomic_t. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

int ch_signals_block(ch_signals *sig, did_err *err)
{
    struct sigaction sa, ign;
    sigset_t block;
    memset(sig, 0, sizeof *sig);
    memset(&sa, 0, sizeof sa);
    memset(&ign, 0, sizeof ign);
    sa.sa_handler = on_signal;
    ign.sa_handler = SIG_IGN;
    if (sigemptyset(&sa.sa_mask) != 0 || sigemptyset(&ign.sa_mask) != 0 ||
        sigemptyset(&block) != 0 || sigaddset(&block, SIGTERM) != 0 ||
        sigaddset(&block, SIGINT) != 0)
        return did_err_set(err, DID_ERR_INTERNAL, "signal sets: %s", strerror(errno));
    /* Block first: a signal that arrives from here on stays pending until ch_signals_wait. */
    if (pthread_sigmask(SIG_BLOCK, &block, &sig->old_mask) != 0)
        return did_err_set(err, DID_ERR_INTERNAL, "pthread_sigmask failed");
    if (sigaction(SIGTERM, &sa, &sig->old_term) != 0) {
        (void)pthread_sigmask(SIG_SETMASK, &sig->old_mask, NULL);
        return did_err_set(err, DID_ERR_INTERNAL, "sigaction(SIGTERM): %s", strerror(errno));
    }
    if (sigaction(SIGINT, &sa, &sig->old_int) != 0) {
        (void)sigaction(SIGTERM, &sig->old_term, NULL);
        (void)pthread_sigmask(SIG_SETMASK, &sig->old_mask, NULL);
        return did_err_set(err, DID_ERR_INTERNAL, "sigaction(SIGINT): %s", strerror(errno));
    }
    /* A client that goes away mid-response must not kill the process. */
    if (sigaction(SIGPIPE, &ign, &sig->old_pipe) != 0) {
        (void)sigaction(SIGINT, &sig->old_int, NULL);
        (void)sigaction(SIGTERM, &sig->old_term, NULL);
        (void)pthread_sigmask(SIG_SETMASK, &sig->old_mask, NULL);
        return did_err_set(err, DID_ERR_INTERNAL, "sigaction(SIGPIPE): %s", strerror(errno));
    }
    sig->installed = 1;
    return DID_OK;
}

int ch_signals_wait(ch_signals *sig)
{
    sigset_t wait_mask = sig->old_mask;
    (void)sigdelset(&wait_mask, SIGTERM);
    (void)sigdelset(&wait_mask, SIGINT);
    /* The signals are blocked outside sigsuspend, so none can slip in between the test of the
     * flag and the wait. */
    while (stop_signal == 0)
        (void)sigsuspend(&wait_mask);
    return (int)stop_signal;
}

void ch_signals_restore(ch_signals *sig)
{
    if (!sig->installed)
        return;
    (void)sigaction(SIGPIPE, &sig->old_pipe, NULL);
    (void)sigaction(SIGINT, &sig->old_int, NULL);
    (void)sigaction(SIGTERM, &sig->old_term, NULL);
    (void)pthread_sigmask(SIG_SETMASK, &sig->old_mask, NULL);
    sig->installed = 0;
}
