/* crash: should huashu crash with the console up (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT), the
 * terminal is given back first (the shell's modes, the main screen, the cursor, no bracketed
 * paste), then the signal does what it did before: a core dump, or a sanitizer's report. */
#ifndef HUASHU_CRASH_H
#define HUASHU_CRASH_H

/* Saves the terminal's modes; call before curses takes the terminal. */
void crash_guard_save_modes(void);
/* Catches the fatal signals; call once curses is up (its terminfo strings are read here). */
void crash_guard_install(void);
/* Puts back the handlers that were there before crash_guard_install. */
void crash_guard_remove(void);

#endif
