# tests/soak: `make soak` (10,000 calls; not part of `make test`)
MEMCOUNT_SO := $(BUILD)/tests/soak/memcount.so

$(MEMCOUNT_SO): $(BUILD)/tests/soak/memcount.o
	$(Q)$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ -ldl -lpthread

.PHONY: soak soak-bins
soak-bins: all vslic $(MEMCOUNT_SO)

# like run and test: packages first, the build in a second make
soak: test-deps
	$(MAKE) soak-bins
	bash tests/soak/run.sh
