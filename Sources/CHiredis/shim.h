#include <hiredis/hiredis.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

/* The context's error text (a char array, which Swift sees as a tuple). */
static inline const char *ags_redis_errstr(const redisContext *c) { return c->errstr; }

/* redisCommandArgv without SIGPIPE. hiredis writes with write(2): a write to a connection the server
 * closed raises SIGPIPE, whose default action kills the host process. As libpq does, the signal is blocked
 * on the calling thread around the call, and one the call raised is taken off the pending set before the
 * thread's mask is restored (a SIGPIPE already pending before the call is left alone). */
static inline void *ags_redis_command_argv(redisContext *c, int argc, const char **argv, const size_t *argvlen) {
    sigset_t block, old, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    void *reply = redisCommandArgv(c, argc, argv, argvlen);
    if (!was_pending) {
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE)) {
            struct timespec zero = { 0, 0 };
            while (sigtimedwait(&block, NULL, &zero) < 0 && errno == EINTR) {}
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return reply;
}
