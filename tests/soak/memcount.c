/**
 * @file memcount.c  Counts libre's memory blocks for the soak (LD_PRELOAD)
 *
 * Debian's libre is built without MEM_DEBUG, so mem_get_stat() says
 * ENOSYS and nothing counts the blocks that mem_alloc() hands out. This
 * preload wraps libre's allocation entry points (libre calls them through
 * its PLT, so its own allocations pass here too), keeps the size of each
 * live block in a table, and answers mem_get_stat() with the live and
 * peak counts, as a MEM_DEBUG libre would. `atactl mem` reports them.
 * A block is gone when mem_deref() drops its last reference. libre's
 * mem_zalloc() calls mem_alloc() (and mem_realloc(NULL) too) through the
 * PLT: only the outermost call of a thread counts.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <re.h>

typedef void *(alloc_fn)(size_t size, mem_destroy_h *dh);
typedef void *(realloc_fn)(void *data, size_t size);
typedef void *(deref_fn)(void *data);
typedef uint32_t (nrefs_fn)(const void *data);

struct slot {
	void *p;        /* NULL: free; TOMB: removed */
	size_t size;
};

static char tomb_mark;
#define TOMB ((void *)&tomb_mark)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot *tab;
static size_t tab_cap;   /* a power of two */
static size_t tab_used;  /* live + tombstones */
static struct memstat st;

static __thread int depth;   /* nested calls of this thread */
static alloc_fn *real_alloc, *real_zalloc;
static realloc_fn *real_realloc;
static deref_fn *real_deref;
static nrefs_fn *real_nrefs;


static void resolve(void)
{
	if (real_deref)
		return;
	real_alloc   = (alloc_fn *)dlsym(RTLD_NEXT, "mem_alloc");
	real_zalloc  = (alloc_fn *)dlsym(RTLD_NEXT, "mem_zalloc");
	real_realloc = (realloc_fn *)dlsym(RTLD_NEXT, "mem_realloc");
	real_nrefs   = (nrefs_fn *)dlsym(RTLD_NEXT, "mem_nrefs");
	real_deref   = (deref_fn *)dlsym(RTLD_NEXT, "mem_deref");
	if (!real_alloc || !real_zalloc || !real_realloc || !real_nrefs ||
	    !real_deref)
		abort();
}


static size_t hash(const void *p)
{
	uintptr_t x = (uintptr_t)p >> 4;

	x ^= x >> 17;
	x *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(x ^ (x >> 29));
}


static struct slot *find(const void *p)
{
	size_t i;

	if (!tab)
		return NULL;
	for (i = hash(p) & (tab_cap - 1); tab[i].p;
	     i = (i + 1) & (tab_cap - 1)) {
		if (tab[i].p == p)
			return &tab[i];
	}

	return NULL;
}


static void put(void *p, size_t size);


/* Doubles the table when live blocks fill a quarter of it, else only
 * sweeps the tombstones out (blocks come and go by the thousand) */
static void grow(void)
{
	struct slot *old = tab;
	size_t i, n = tab_cap;

	if (!tab_cap)
		tab_cap = 4096;
	else if (st.blocks_cur * 4 >= tab_cap)
		tab_cap *= 2;
	/* mapped, not malloc'ed: `atactl mem`'s heap_used stays ataua's */
	tab = mmap(NULL, tab_cap * sizeof(*tab), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tab == MAP_FAILED)
		abort();
	tab_used = 0;
	for (i = 0; i < n; i++) {
		if (old[i].p && old[i].p != TOMB)
			put(old[i].p, old[i].size);
	}
	if (old)
		munmap(old, n * sizeof(*old));
}


static void put(void *p, size_t size)
{
	size_t i;

	if ((tab_used + 1) * 2 > tab_cap)
		grow();
	for (i = hash(p) & (tab_cap - 1); tab[i].p && tab[i].p != TOMB;
	     i = (i + 1) & (tab_cap - 1))
		;
	if (!tab[i].p)
		++tab_used;
	tab[i].p = p;
	tab[i].size = size;
}


static void added(void *p, size_t size)
{
	if (!p || depth)
		return;
	pthread_mutex_lock(&lock);
	put(p, size);
	st.blocks_cur++;
	st.bytes_cur += size;
	if (st.blocks_cur > st.blocks_peak)
		st.blocks_peak = st.blocks_cur;
	if (st.bytes_cur > st.bytes_peak)
		st.bytes_peak = st.bytes_cur;
	pthread_mutex_unlock(&lock);
}


static void removed(void *p)
{
	struct slot *s;

	pthread_mutex_lock(&lock);
	s = find(p);
	if (s) {
		st.blocks_cur--;
		st.bytes_cur -= s->size;
		s->p = TOMB;
	}
	pthread_mutex_unlock(&lock);
}


void *mem_alloc(size_t size, mem_destroy_h *dh)
{
	void *p;

	resolve();
	++depth;
	p = real_alloc(size, dh);
	--depth;
	added(p, size);
	return p;
}


void *mem_zalloc(size_t size, mem_destroy_h *dh)
{
	void *p;

	resolve();
	++depth;
	p = real_zalloc(size, dh);
	--depth;
	added(p, size);
	return p;
}


void *mem_realloc(void *data, size_t size)
{
	void *p;

	resolve();
	++depth;
	p = real_realloc(data, size);
	--depth;
	if (!p || depth)
		return p;  /* failed: the old block stays */
	if (data)
		removed(data);
	added(p, size);
	return p;
}


void *mem_deref(void *data)
{
	resolve();
	/* the last reference: the block is freed (after its destructor,
	   which may free others first: they pass here on their own) */
	if (data && real_nrefs(data) == 1)
		removed(data);

	return real_deref(data);
}


int mem_get_stat(struct memstat *mstat)
{
	if (!mstat)
		return EINVAL;
	pthread_mutex_lock(&lock);
	*mstat = st;
	pthread_mutex_unlock(&lock);
	return 0;
}
