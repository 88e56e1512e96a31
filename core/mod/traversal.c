/**
 * @file traversal.c  The NAT policy's view of the traversal modules
 *
 * The policy asks for a method (traversal.order), not for a module's
 * name: each table says which method it does. A version 1 table, from
 * before tables said so, is taken by its name, which was then the
 * method's. Hooks appended after version 1 are called only on tables
 * that have them.
 */
#include <re.h>
#include "ataua.h"
#include "traversal.h"

/* The policy's words for its steps, as in traversal.order */
static const char * const method_names[] = {
	[ATA_TRAV_NONE]     = "none",
	[ATA_TRAV_UPNP]     = "upnp",
	[ATA_TRAV_REGISTER] = "register",
	[ATA_TRAV_STUN]     = "stun",
	[ATA_TRAV_TURN]     = "turn",
};


/** The step name of @p m ("upnp", "stun", ...), "?" if unknown */
const char *traversal_method_name(enum ata_trav_method m)
{
	if ((size_t)m >= ARRAY_SIZE(method_names))
		return "?";

	return method_names[m];
}


/** The method @p t does: its own word, or (version 1) its name's */
enum ata_trav_method traversal_method(const struct ata_traversal *t)
{
	size_t i;

	if (!t)
		return ATA_TRAV_NONE;

	if (t->version >= ATA_TRAVERSAL_V_METHOD)
		return t->method;

	for (i = ATA_TRAV_NONE + 1; i < ARRAY_SIZE(method_names); i++) {
		if (i != ATA_TRAV_REGISTER && !str_cmp(t->name,
						       method_names[i]))
			return (enum ata_trav_method)i;
	}

	return ATA_TRAV_NONE;
}


/** The first module registered for method @p m, or NULL */
const struct ata_traversal *traversal_find(enum ata_trav_method m)
{
	struct le *le;

	if (m == ATA_TRAV_NONE)
		return NULL;

	for (le = list_head(ata_traversal_list()); le; le = le->next) {
		const struct ata_traversal *t = le->data;

		if (traversal_method(t) == m)
			return t;
	}

	return NULL;
}


/** Tell every module that has the hook that the network changed */
void traversal_network_changed(void)
{
	struct le *le;

	for (le = list_head(ata_traversal_list()); le; le = le->next) {
		const struct ata_traversal *t = le->data;

		if (ATA_HAS_HOOK(t, network_changed,
				 ATA_TRAVERSAL_V_NETWORK_CHANGED))
			t->network_changed();
	}
}


/** The module for method @p m knows a server that answers (its hook) */
bool traversal_server_found(enum ata_trav_method m)
{
	const struct ata_traversal *t = traversal_find(m);

	return t && ATA_HAS_HOOK(t, server_found,
				 ATA_TRAVERSAL_V_SERVER_FOUND) &&
		t->server_found();
}
