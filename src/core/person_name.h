/* person_name: what the agent types to record a customer ("王芳 女士", "欧阳先生", "Ms Smith")
 * split into name, surname and title. Pure. */
#ifndef HUASHU_PERSON_NAME_H
#define HUASHU_PERSON_NAME_H

#include <stdbool.h>
#include <stddef.h>

typedef struct person_name {
    char name[97];    /* the name as typed, title removed */
    char surname[33]; /* family name: a Chinese (compound) surname, or a Latin last word */
    char title[33];   /* 先生, 女士, 小姐, Mr, Ms ... or "" when none was typed */
} person_name;

/* Parses input; returns false when nothing usable was typed. A Chinese title is taken from
 * the end (王先生), an English one from the start (Mr Smith). */
bool person_name_parse(const char *input, person_name *out);

/* The customer's own name in a chat message: 我姓林, 免贵姓欧阳, 我是林小姐, 叫我王先生, 我叫林芳.
 * Returns false (out cleared) when the message names no one. */
bool person_name_from_message(const char *text, person_name *out);

#endif
