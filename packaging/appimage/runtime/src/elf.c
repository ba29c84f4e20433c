#include "elf.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// Bounds for what a sane runtime has, so that a damaged file cannot make us allocate or
// read without limit.
enum { max_sections = 1 << 16, max_section_text = 1 << 20 };

static bool read_at(int fd, void *buffer, size_t size, uint64_t offset)
{
    size_t done = 0;
    while (done < size) {
        ssize_t got = pread(fd, (char *)buffer + done, size - done, (off_t)(offset + done));
        if (got <= 0)
            return false;
        done += (size_t)got;
    }
    return true;
}

static bool read_header(int fd, Elf64_Ehdr *header)
{
    // The runtime is built for x86_64 only: a 64-bit little-endian file.
    return read_at(fd, header, sizeof *header, 0)
        && memcmp(header->e_ident, ELFMAG, SELFMAG) == 0
        && header->e_ident[EI_CLASS] == ELFCLASS64
        && header->e_ident[EI_DATA] == ELFDATA2LSB;
}

// The section headers, with the extended numbering that files with 65280 sections or
// more use (the real count then sits in section 0's sh_size).
static Elf64_Shdr *read_sections(int fd, const Elf64_Ehdr *header, size_t *count)
{
    *count = 0;
    if (header->e_shoff == 0)
        return NULL;
    if (header->e_shentsize != sizeof(Elf64_Shdr))
        return NULL;
    size_t number = header->e_shnum;
    if (number == 0) {
        Elf64_Shdr first;
        if (!read_at(fd, &first, sizeof first, header->e_shoff))
            return NULL;
        number = first.sh_size;
    }
    if (number == 0 || number > max_sections)
        return NULL;
    Elf64_Shdr *sections = calloc(number, sizeof *sections);
    if (!sections)
        return NULL;
    if (!read_at(fd, sections, number * sizeof *sections, header->e_shoff)) {
        free(sections);
        return NULL;
    }
    *count = number;
    return sections;
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

bool elf_end(int fd, uint64_t *end)
{
    Elf64_Ehdr header;
    if (!read_header(fd, &header))
        return false;
    uint64_t last = header.e_ehsize;

    if (header.e_phoff != 0 && header.e_phnum > 0) {
        if (header.e_phentsize != sizeof(Elf64_Phdr))
            return false;
        last = max_u64(last, header.e_phoff + (uint64_t)header.e_phnum * header.e_phentsize);
        for (unsigned i = 0; i < header.e_phnum; i++) {
            Elf64_Phdr segment;
            if (!read_at(fd, &segment, sizeof segment, header.e_phoff + (uint64_t)i * sizeof segment))
                return false;
            last = max_u64(last, segment.p_offset + segment.p_filesz);
        }
    }

    size_t count;
    Elf64_Shdr *sections = read_sections(fd, &header, &count);
    if (header.e_shoff != 0 && !sections)
        return false;
    if (sections) {
        last = max_u64(last, header.e_shoff + (uint64_t)count * sizeof(Elf64_Shdr));
        for (size_t i = 0; i < count; i++) {
            // A NOBITS section (.bss) takes memory, not file space.
            if (sections[i].sh_type != SHT_NOBITS)
                last = max_u64(last, sections[i].sh_offset + sections[i].sh_size);
        }
        free(sections);
    }
    *end = last;
    return true;
}

bool elf_section(int fd, const char *name, uint64_t *offset, uint64_t *size)
{
    Elf64_Ehdr header;
    if (!read_header(fd, &header))
        return false;
    size_t count;
    Elf64_Shdr *sections = read_sections(fd, &header, &count);
    if (!sections)
        return false;

    size_t names_index = header.e_shstrndx == SHN_XINDEX ? sections[0].sh_link : header.e_shstrndx;
    bool found = false;
    char *names = NULL;
    if (names_index < count && sections[names_index].sh_size <= max_section_text) {
        const Elf64_Shdr *table = &sections[names_index];
        names = malloc(table->sh_size + 1);
        if (names && read_at(fd, names, table->sh_size, table->sh_offset)) {
            names[table->sh_size] = '\0';
            for (size_t i = 0; i < count && !found; i++) {
                if (sections[i].sh_name < table->sh_size && strcmp(names + sections[i].sh_name, name) == 0) {
                    *offset = sections[i].sh_offset;
                    *size = sections[i].sh_type == SHT_NOBITS ? 0 : sections[i].sh_size;
                    found = true;
                }
            }
        }
    }
    free(names);
    free(sections);
    return found;
}

char *elf_section_text(int fd, const char *name)
{
    uint64_t offset, size;
    if (!elf_section(fd, name, &offset, &size) || size > max_section_text)
        return NULL;
    char *text = malloc(size + 1);
    if (!text)
        return NULL;
    if (!read_at(fd, text, size, offset)) {
        free(text);
        return NULL;
    }
    text[size] = '\0';
    return text;
}
