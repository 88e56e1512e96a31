# modules/alg-hint/module.mk -- the hint parsers' unit test links the
# module's (pure) text object
$(BUILD)/tests/unit/test_hint: $(BUILD)/modules/alg-hint/hint_fmt.o
$(BUILD)/tests/unit/test_hint: \
	ALL_LDFLAGS += $(BUILD)/modules/alg-hint/hint_fmt.o
