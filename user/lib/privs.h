#ifndef LATSCOPE_PRIVS_H
#define LATSCOPE_PRIVS_H
/* 0 when the process may load and attach BPF tracing programs; otherwise
 * one line on stderr saying what is needed, and -1. */
int privs_check(void);
#endif
