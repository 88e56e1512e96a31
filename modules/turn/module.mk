# modules/turn/module.mk -- the unit test of the TCP stream framing links
# the module's (pure) framing object
$(BUILD)/tests/unit/test_turn_frame: $(BUILD)/modules/turn/turn_frame.o
$(BUILD)/tests/unit/test_turn_frame: \
	ALL_LDFLAGS += $(BUILD)/modules/turn/turn_frame.o
