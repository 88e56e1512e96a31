/**
 * @file version.h  What the build compiles in: version, module directory
 *
 * The Makefile passes -DATAUA_VERSION from `git describe` in a checkout
 * (ATAUA_VERSION_BASE-gHASH until the first tag) and reads the fixed
 * version for builds from a tarball from here: one definition. It passes
 * -DATA_MODULE_DIR=$(PREFIX)/lib/ataua, the default module_path.
 */
#ifndef ATA_VERSION_H
#define ATA_VERSION_H

#define ATAUA_VERSION_BASE "0.1.0"

#ifndef ATAUA_VERSION
#define ATAUA_VERSION ATAUA_VERSION_BASE
#endif

#ifndef ATA_MODULE_DIR
#define ATA_MODULE_DIR "/usr/local/lib/ataua"
#endif

#endif
