/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: what the record's own files (record_*.c, pcrfile.c) share,
 * and nothing else uses.
 */
#ifndef CLI_RECORD_INT_H
#define CLI_RECORD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define KEY_MAX		64
#define LOWER		"abcdefghijklmnopqrstuvwxyz"
#define DIGITS		"0123456789"

/* Does s consist of 1+ characters of set? */
bool cli_rec_token(const char *s, const char *set);
/* A PCR number 0-23 at s, up to *end; -1 if none. */
int cli_rec_parse_pcr(const char *s, const char **end);
int cli_rec_parse_pcr_key(struct cli_record *r, const char *key,
			  const char *value, char *why, size_t whylen);
int cli_rec_parse_banks(struct cli_record *r, const char *value, char *why,
			size_t whylen);
int cli_rec_parse_pcr_list(const char *key, const char *value, uint32_t *mask,
			   char *why, size_t whylen);
/* The checks that need the whole record: 0, or -1 with the reason in why. */
int cli_rec_check_whole(const struct cli_record *r, char *why, size_t whylen);
/* Keys the text and JSON forms print their own way (the PCR values). */
bool cli_rec_pcr_key(const char *key);
/* Keys whose value is a decimal number, or a list of PCRs. */
bool cli_rec_number_key(const char *key);
bool cli_rec_pcr_list_key(const char *key);

#endif
