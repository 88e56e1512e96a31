# tests/talkoff: DTMF talk-off, our detector beside spandsp's dtmf_rx.
# spandsp is a test-only dependency, linked into this program alone.
# Built with the unit tests; run by tests/run.sh (unit and all) and by
# `make talkoff`.
TALKOFF := $(BUILD)/tests/talkoff/talkoff

$(TALKOFF): $(BUILD)/tests/talkoff/talkoff.o $(BUILD)/core/dsp/dtmf_det.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lspandsp -lm

unit-bins: $(TALKOFF)

.PHONY: talkoff
talkoff: $(TALKOFF)
	sh tests/talkoff/run.sh
