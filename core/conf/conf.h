/**
 * @file conf.h  Config loader internals: YAML tree, diagnostics, schema
 *
 * folder core/conf/: the YAML config as typed structs, fully
 * validated before use, and the config in force (ata_config). Row 2:
 * it uses dsp/ (tone profiles), base/ and sys/ (libyaml through
 * dl_lib) only.
 *
 * The loader is three layers: conf_yaml.c turns the text into a small tree
 * of nodes that keep their libyaml marks; conf_walk.c maps that tree onto
 * C structs by following schema tables (conf_schema.c) whose rows name a
 * key, a value type, an offset, a range and a default; conf_value.c holds
 * the scalar parsers. Errors are collected in a conf_diag and printed
 * sorted by position once the whole file has been looked at.
 */
#ifndef ATA_CONF_H
#define ATA_CONF_H

#include <re.h>
#include "config.h"

/* ----- Diagnostics (conf_diag.c) ----- */

struct conf_diag {
	const char *name;     /**< File name used in every message  */
	struct list errl;     /**< Pending messages                 */
	unsigned nerr;
};

void conf_diag_init(struct conf_diag *diag, const char *name);
/** Record an error at LINE:COL (1-based; line 0 = the file as a whole) */
void conf_diag_err(struct conf_diag *diag, unsigned line, unsigned col,
		   const char *fmt, ...);
/** Print all errors sorted by position, then forget them */
void conf_diag_flush(struct conf_diag *diag, struct re_printf *errpf);


/* ----- YAML tree (conf_yaml.c) ----- */

enum conf_node_type {
	CONF_SCALAR = 0,
	CONF_SEQ,
	CONF_MAP,
};

struct conf_node {
	struct le le;               /**< In the parent's kidl             */
	enum conf_node_type type;
	unsigned line, col;         /**< 1-based                          */
	char *key;                  /**< Key when the parent is a mapping */
	unsigned kline, kcol;
	char *val;                  /**< Scalar text, NUL-terminated      */
	bool plain;                 /**< Scalar was not quoted            */
	struct list kidl;           /**< Items / values, document order   */
};

int conf_yaml_parse(struct conf_node **rootp, struct conf_diag *diag,
		    const char *buf, size_t len);
bool conf_node_is_null(const struct conf_node *n);
const struct conf_node *conf_node_get(const struct conf_node *map,
				      const char *key);
const char *conf_node_type_name(const struct conf_node *n);


/* ----- Schema (conf_walk.c) ----- */

enum conf_type {
	CT_STR = 0,     /**< char *                                      */
	CT_PATH,        /**< char *, resolved against the file's dir      */
	CT_URI,         /**< char *, a sip:/sips: URI                     */
	CT_BOOL,        /**< bool                                         */
	CT_UINT,        /**< uint32_t                                     */
	CT_INT,         /**< int                                          */
	CT_DUR,         /**< uint32_t milliseconds, units required        */
	CT_ENUM,        /**< int-sized enum, words in .enumv              */
	CT_ADDR,        /**< struct sa, numeric host:port                 */
	CT_SERVER,      /**< struct ata_conf_server                       */
	CT_PORTS,       /**< struct ata_conf_port_range "lo-hi"           */
	CT_LIST,        /**< array of .elem at off, size_t count at cnt   */
	CT_MAP,         /**< struct at off described by .sub              */
	CT_MAPLIST,     /**< array of .sub structs at off, count at cnt   */
	CT_CUSTOM,      /**< .custom does it all                          */
};

enum conf_flags {
	CF_REQUIRED = 1 << 0,   /**< Key must be present                   */
	CF_ZERO_OK  = 1 << 1,   /**< 0 allowed besides min..max            */
	CF_EMPTY_OK = 1 << 2,   /**< "" allowed (URI, server)              */
	CF_UNIQUE   = 1 << 3,   /**< List items must differ                */
	CF_NONEMPTY = 1 << 4,   /**< String must not be ""                 */
};

struct conf_enum {
	const char *word;
	int val;
};

struct conf_ctx;
struct conf_field;

/** Extra check of a converted value; report with conf_err() */
typedef void (conf_check_h)(struct conf_ctx *ctx, const struct conf_node *n,
			    const void *val);
/** Cross-field check of a whole struct once all its keys are set */
typedef void (conf_post_h)(struct conf_ctx *ctx, const struct conf_node *map,
			   void *base);
/** Whole handling of a key (n = NULL: key absent) */
typedef void (conf_custom_h)(struct conf_ctx *ctx,
			     const struct conf_field *f,
			     const struct conf_node *n, void *base);

struct conf_schema {
	const char *name;                /**< For messages: "log"         */
	const struct conf_field *fieldv;
	size_t fieldc;
	size_t size;                     /**< sizeof the struct            */
	conf_post_h *post;
};

struct conf_field {
	const char *key;
	enum conf_type type;
	size_t off;
	size_t cnt;               /**< Lists: offset of the size_t count  */
	int64_t min, max;         /**< Value range; lists: item count     */
	unsigned flags;
	const char *def;          /**< Default text; lists: "a,b"; maplist:
				       YAML flow text                      */
	const struct conf_schema *sub;
	const struct conf_enum *enumv;   /**< NULL-word terminated        */
	const struct conf_field *elem;   /**< List item                   */
	conf_check_h *check;
	conf_custom_h *custom;
};

struct conf_ctx {
	struct conf_diag *diag;
	const char *basedir;      /**< For CT_PATH, NULL = keep relative  */
	struct ata_config *cfg;
	char path[128];           /**< Dotted path of the current key     */
};

void conf_err(struct conf_ctx *ctx, const struct conf_node *n,
	      const char *fmt, ...);
void conf_walk_map(struct conf_ctx *ctx, const struct conf_schema *sch,
		   const struct conf_node *map, const struct conf_node *at,
		   void *base);
void conf_free(const struct conf_schema *sch, void *base);
void conf_type_err(struct conf_ctx *ctx, const struct conf_node *n,
		   const char *want);
/** @p kid repeats the key of @p first: reported (true); NULL: false */
bool conf_dup_err(struct conf_ctx *ctx, const struct conf_node *first,
		  const struct conf_node *kid);
bool conf_count_ok(struct conf_ctx *ctx, const struct conf_field *f,
		   const struct conf_node *n, size_t count);
void conf_walk_list(struct conf_ctx *ctx, const struct conf_field *f,
		    const struct conf_node *n, void *base);
void conf_walk_maplist(struct conf_ctx *ctx, const struct conf_field *f,
		       const struct conf_node *n, void *base);
void conf_list_default(struct conf_ctx *ctx, const struct conf_field *f,
		       void *base);
void conf_maplist_default(struct conf_ctx *ctx,
			  const struct conf_field *f, void *base);
size_t conf_path_push(struct conf_ctx *ctx, const char *fmt, ...);
void conf_path_pop(struct conf_ctx *ctx, size_t len);


/* ----- Values (conf_value.c) ----- */

/** Parse one scalar of a scalar type into dst; errors go to ctx at n */
int conf_scalar(struct conf_ctx *ctx, const struct conf_field *f,
		const struct conf_node *n, const char *s, void *dst);
size_t conf_scalar_size(enum conf_type type);
void conf_scalar_free(enum conf_type type, void *dst);
int conf_parse_dur(uint32_t *msp, const char *s);
int conf_parse_int(struct conf_ctx *ctx, const struct conf_field *f,
		   const struct conf_node *n, const char *s, int64_t *vp);
int conf_check_range(struct conf_ctx *ctx, const struct conf_field *f,
		     const struct conf_node *n, int64_t v);
int conf_parse_enum(struct conf_ctx *ctx, const struct conf_field *f,
		    const struct conf_node *n, const char *s, int *dst);
int conf_parse_hostport(char **hostp, uint16_t *portp, const char *s,
			bool port_required);
/** Format ms the way the file would: 500ms, 25s, 2m, 1h */
const char *conf_dur_str(char *buf, size_t size, uint32_t ms);


/* ----- The ataua schema (conf_schema.c) and tones (conf_tones.c) ----- */

extern const struct conf_schema conf_root_schema;
void conf_check_module_name(struct conf_ctx *ctx, const struct conf_node *n,
			    const void *val);
void conf_check_pattern(struct conf_ctx *ctx, const struct conf_node *n,
			const void *val);
void conf_media_post(struct conf_ctx *ctx, const struct conf_node *map,
		     void *base);
/** Checks across sections: line ids, tone profiles, module names */
void conf_check_config(struct conf_ctx *ctx, const struct conf_node *root,
		       struct ata_config *cfg);
void conf_tones_custom(struct conf_ctx *ctx, const struct conf_field *f,
		       const struct conf_node *n, void *base);
extern const struct ata_tone_profile conf_builtin_tones[];
extern const size_t conf_builtin_tonec;

#endif
