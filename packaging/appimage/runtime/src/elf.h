// The runtime's own ELF file: where it ends (and so where the payload starts) and what
// its named sections hold. Read from the file, not from memory, because tools such as a
// signer write into the sections of the finished AppImage.
#ifndef RUNTIME_ELF_H
#define RUNTIME_ELF_H

#include <stdbool.h>
#include <stdint.h>

// The first byte after everything the ELF headers describe: the ELF header, the program
// and section header tables and the data of every section and segment.
bool elf_end(int fd, uint64_t *end);

bool elf_section(int fd, const char *name, uint64_t *offset, uint64_t *size);

// The section's bytes up to its first NUL, in a malloc'ed string; NULL if there is no
// such section.
char *elf_section_text(int fd, const char *name);

#endif
